package signing

// Auto is the sigstore value that picks the instance from the repository's
// visibility, as the verified OIDC token states it.
const Auto = "auto"

// Choice is the instance a run signs on, and why.
type Choice struct {
	// Sigstore is public-good, github, or a signing config path.
	Sigstore string
	// Reason says why, for the log and the job summary, e.g. "repository
	// is private".
	Reason string
}

// Choose resolves the sigstore setting. Auto (and "") picks public-good
// for a public repository and github for a private or internal one, or
// one whose visibility is unknown, so that nothing about it reaches a
// public log. visibility must come from a verified token. Any other value
// is taken as given.
func Choose(sigstore, visibility string) Choice {
	if sigstore != Auto && sigstore != "" {
		return Choice{Sigstore: sigstore, Reason: "chosen by the sigstore setting"}
	}
	switch visibility {
	case "public":
		return Choice{Sigstore: PublicGood, Reason: "repository is public"}
	case "private", "internal":
		return Choice{Sigstore: GitHub, Reason: "repository is " + visibility}
	default:
		return Choice{Sigstore: GitHub, Reason: "repository visibility is not known, so nothing is published"}
	}
}

// Describe names the instance for people: "GitHub's Sigstore instance",
// "the public-good Sigstore instance", or the signing config's name.
func Describe(name string) string {
	switch name {
	case PublicGood, "":
		return "the public-good Sigstore instance"
	case GitHub:
		return "GitHub's Sigstore instance"
	default:
		return "the Sigstore instance of " + name
	}
}
