package attest

import (
	"context"
	"fmt"
	"strings"

	"github.com/provenant/provenant/internal/config"
	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/sink"
	"github.com/provenant/provenant/internal/sink/ghapi"
	"github.com/provenant/provenant/internal/sink/ghattest"
	"github.com/provenant/provenant/internal/sink/release"
	"github.com/provenant/provenant/internal/timing"
)

// configuredSinks builds the sinks the delivery settings ask for, in the
// order copies are reported: registries, release assets, the attestations
// API. The GitHub client is built once and shared.
func configuredSinks(d config.Delivery, env Environment, gc ghctx.Context, inst *signing.Instance, reg *registries, images []string) ([]sink.Interface, error) {
	var out []sink.Interface
	if d.PushToRegistry {
		s, err := reg.sink(d, images, inst.ChainPEM)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if !d.UploadAssets && !d.GitHubAttestations {
		return out, nil
	}
	client, err := ghapi.NewClient(apiURL(env), d.GitHubToken, nil)
	if err != nil {
		return nil, err
	}
	owner, repo, _ := strings.Cut(gc.Claims.Repository, "/")
	if d.UploadAssets {
		tag, noTag := releaseTag(d.UploadTagName, gc.Claims.Ref)
		o := release.Options{Tag: tag, Draft: d.DraftRelease, Overwrite: d.OverwriteAssets, Create: true, Commit: gc.Claims.SHA,
			Run: release.Run{Repository: gc.Claims.Repository, RunID: gc.Claims.RunID}}
		up, err := release.New(client, owner, repo)
		if err != nil {
			return nil, err
		}
		out = append(out, release.NewSink(up, o, noTag))
	}
	if d.GitHubAttestations {
		c, err := ghattest.New(client, owner, repo)
		if err != nil {
			return nil, err
		}
		out = append(out, ghattest.NewSink(c, gc.ServerURL, d.FailOnStorageError))
	}
	return out, nil
}

// releaseTag is the tag whose release gets the assets, or "" and why there
// is none.
func releaseTag(uploadTagName, ref string) (string, string) {
	if uploadTagName != "" {
		return uploadTagName, ""
	}
	if t, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		return t, ""
	}
	return "", fmt.Sprintf("this run's ref is %s, not a tag", ref)
}

// delivered is what the sinks stored, and what they chose not to.
type delivered struct {
	stored   []sink.Stored
	notices  []string
	warnings []string
}

// deliver hands the attestation to every sink in turn. It stops at the
// first sink that fails; a *sink.Notice is recorded and the loop goes on.
func deliver(ctx context.Context, sinks []sink.Interface, a *sink.Attestation) (delivered, error) {
	var d delivered
	for _, s := range sinks {
		end := timing.Start(ctx, "deliver "+sinkName(s))
		st, err := s.Deliver(ctx, a)
		end()
		d.stored = append(d.stored, st...)
		d.notices = append(d.notices, rerunNotices(st)...)
		if n, ok := sink.AsNotice(err); ok {
			if n.Warning {
				d.warnings = append(d.warnings, n.Error())
			} else {
				d.notices = append(d.notices, n.Error())
			}
			continue
		}
		if err != nil {
			return d, err
		}
	}
	return d, nil
}

// sinkName names a sink in timings by its type, e.g. "*release.Sink".
func sinkName(s sink.Interface) string {
	return fmt.Sprintf("%T", s)
}

// rerunNotices reports the release assets that replaced copies from an
// earlier attempt of this workflow run, and every other copy's notice.
func rerunNotices(st []sink.Stored) []string {
	var out []string
	for _, s := range st {
		if s.Kind == sink.KindRelease && s.Note == release.NoteRerun {
			out = append(out, fmt.Sprintf("release asset %s: %s", s.Where, s.Note))
		}
		if s.Notice != "" {
			out = append(out, s.Notice)
		}
	}
	return out
}

func apiURL(env Environment) string {
	if env.APIURL != "" {
		return env.APIURL
	}
	return "https://api.github.com"
}
