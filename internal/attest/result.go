package attest

import (
	"github.com/provenant/provenant/internal/ghctx"
	"github.com/provenant/provenant/internal/intoto"
	"github.com/provenant/provenant/internal/signing"
	"github.com/provenant/provenant/internal/sink"
)

// dryRun is the Result of a run that stops after building the statements.
func dryRun(sts statements, subjects []intoto.Subject, images []string, gc ghctx.Context) *Result {
	return &Result{Subjects: subjects, Statements: sts.each, PredicateType: sts.predicateType, Images: images, Context: gc}
}

// assemble builds the Result from the values the stages returned.
func assemble(sts statements, subjects []intoto.Subject, images []string, id identity, inst *signing.Instance,
	signed []signedBundle, files written, d delivered) *Result {
	res := dryRun(sts, subjects, images, id.gc)
	res.ProvenancePath = files.provenancePath
	res.ProvenanceName = baseName(files.provenancePath)
	res.Identity = expectedIdentity(id.gc)
	res.Instance = inst.Name
	res.Stored = append(res.Stored, files.stored...)
	for i, s := range signed {
		res.Bundles = append(res.Bundles, Bundle{JSON: s.json, Path: files.bundlePaths[i], Digest: s.digest, LogIndex: s.logIndex, LogURL: s.logURL})
		res.Stored = append(res.Stored, sink.Stored{Kind: sink.KindFile, Where: files.bundlePaths[i], Note: s.digest})
	}
	res.Stored = append(res.Stored, d.stored...)
	for _, st := range d.stored {
		switch {
		case st.Kind == sink.KindRelease && res.ReleaseID == 0:
			res.ReleaseID = st.ID
		case st.Kind == sink.KindAttestationsAPI && res.AttestationID == 0:
			res.AttestationID, res.AttestationURL = st.ID, st.URL
		}
	}
	res.Warnings, res.Notices = d.warnings, d.notices
	return res
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
