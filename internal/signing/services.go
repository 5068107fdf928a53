package signing

import (
	"fmt"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/sign"
)

// Log is a transparency log to record the signature in.
type Log struct {
	URL     string
	Version uint32
}

// Services are the endpoints chosen from a signing config.
type Services struct {
	CA   string
	Logs []Log
	TSAs []string
}

// SelectServices picks endpoints valid at now. rekorVersion 0 takes the
// newest log API the config offers; 1 or 2 insists on that version.
func SelectServices(sc *root.SigningConfig, now time.Time, rekorVersion uint32) (Services, error) {
	var s Services
	ca, err := root.SelectService(sc.FulcioCertificateAuthorityURLs(), sign.FulcioAPIVersions, now)
	if err != nil {
		return s, fmt.Errorf("choosing a certificate authority from the signing config: %w", err)
	}
	s.CA = ca.URL
	if logs := sc.RekorLogURLs(); len(logs) > 0 {
		versions := sign.RekorAPIVersions
		if rekorVersion != 0 {
			versions = []uint32{rekorVersion}
		}
		chosen, err := root.SelectServices(logs, sc.RekorLogURLsConfig(), versions, now)
		if err != nil {
			return s, fmt.Errorf("choosing a transparency log (Rekor API versions %v) from the signing config: %w", versions, err)
		}
		for _, l := range chosen {
			s.Logs = append(s.Logs, Log{URL: l.URL, Version: l.MajorAPIVersion})
		}
	} else if rekorVersion != 0 {
		return s, fmt.Errorf("rekor-version %d asked for, but the signing config lists no transparency log", rekorVersion)
	}
	if tsas := sc.TimestampAuthorityURLs(); len(tsas) > 0 {
		chosen, err := root.SelectServices(tsas, sc.TimestampAuthorityURLsConfig(), sign.TimestampAuthorityAPIVersions, now)
		if err != nil {
			return s, fmt.Errorf("choosing a timestamp authority from the signing config: %w", err)
		}
		for _, t := range chosen {
			s.TSAs = append(s.TSAs, t.URL)
		}
	}
	if len(s.Logs) == 0 && len(s.TSAs) == 0 {
		return s, fmt.Errorf("the signing config has neither a transparency log nor a timestamp authority, so nothing would prove when the signature was made")
	}
	for _, l := range s.Logs {
		if l.Version == 2 && len(s.TSAs) == 0 {
			return s, fmt.Errorf("the Rekor v2 log %s gives no signing time and the signing config lists no timestamp authority", l.URL)
		}
	}
	return s, nil
}

// LogVersions returns the API version of each chosen log, in order.
func (s Services) LogVersions() []uint32 {
	out := make([]uint32, len(s.Logs))
	for i, l := range s.Logs {
		out[i] = l.Version
	}
	return out
}
