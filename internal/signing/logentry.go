package signing

import (
	"fmt"

	"github.com/provenant/provenant/internal/intoto"
)

// LogEntry says where a bundle's first transparency log entry can be looked
// up: its index and a URL, or -1 and "" when the bundle has no entry.
func (i *Instance) LogEntry(bundleJSON []byte, services Services) (int64, string) {
	b, err := intoto.ParseBundle(bundleJSON)
	if err != nil || len(b.LogEntries) == 0 || len(services.Logs) == 0 {
		return -1, ""
	}
	idx := b.FirstLogIndex()
	log := services.Logs[0]
	switch {
	case i.Name == PublicGood:
		return idx, fmt.Sprintf("https://search.sigstore.dev/?logIndex=%d", idx)
	case log.Version == 1:
		return idx, fmt.Sprintf("%s/api/v1/log/entries?logIndex=%d", log.URL, idx)
	default:
		return idx, log.URL
	}
}
