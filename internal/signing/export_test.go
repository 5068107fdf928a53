package signing

import "time"

// SetDeadline sets how long one Sign may take, which also decides when the
// certificate is renewed.
func SetDeadline(s *Sigstore, d time.Duration) { s.deadline = d }
