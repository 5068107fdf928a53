package release

import (
	"context"
	"fmt"
	"path"

	"github.com/provenant/provenant/internal/sink"
)

// Sink uploads an attestation's files as release assets: it is the release
// implementation of sink.Interface.
type Sink struct {
	up   *Uploader
	opts Options
	// noTag, when set, is why no release tag is known: Deliver then stores
	// nothing and returns a *sink.Notice.
	noTag string
}

var _ sink.Interface = (*Sink)(nil)

// NewSink returns a Sink that uploads to the release of o.Tag. With an
// empty o.Tag, noTag says why there is none (for example "this run's ref is
// refs/heads/main"), and Deliver skips the upload with a notice, as
// slsa-github-generator does on runs that are not for a tag.
func NewSink(up *Uploader, o Options, noTag string) *Sink {
	return &Sink{up: up, opts: o, noTag: noTag}
}

// Deliver uploads the .intoto.jsonl file and every .sigstore.json file.
func (s *Sink) Deliver(ctx context.Context, a *sink.Attestation) ([]sink.Stored, error) {
	if s.opts.Tag == "" {
		return nil, &sink.Notice{Sink: "release assets", Reason: fmt.Sprintf("not uploaded: %s, so there is no release "+
			"to upload to; run on a tag push or a release, or set upload-tag-name", s.noTag)}
	}
	assets := []Asset{{Name: a.ProvenanceName, Data: a.JSONL, ContentType: "application/jsonl"}}
	for _, b := range a.Bundles {
		assets = append(assets, Asset{Name: path.Base(b.FileName), Data: b.JSON, ContentType: "application/json"})
	}
	up, err := s.up.Upload(ctx, s.opts, assets)
	if err != nil {
		return nil, fmt.Errorf("uploading release assets to %s: %w", s.opts.Tag, err)
	}
	out := make([]sink.Stored, 0, len(up.Assets))
	for _, as := range up.Assets {
		note := as.Action
		if note == ActionReplacedRerun {
			note = NoteRerun
		}
		out = append(out, sink.Stored{Kind: sink.KindRelease, Where: s.opts.Tag + "/" + as.Name, URL: as.URL, Note: note, ID: up.ReleaseID})
	}
	return out, nil
}

// NoteRerun is the Note of a stored asset that replaced the copy of an
// earlier attempt of the same workflow run; callers show it as a notice.
const NoteRerun = "replaced the copy from an earlier attempt of this workflow run"
