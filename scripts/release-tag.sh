#!/usr/bin/env bash
# release-tag.sh — the git side of a release, run by .github/workflows/release.yml
# in a checkout of the commit being released (and by internal/workflowtest
# against a throwaway repository).
#
#   release-tag.sh pin    makes the release commit: action.yml's
#                         `image: Dockerfile` becomes `image: docker://$IMAGE@$DIGEST`,
#                         committed on top of HEAD and tagged $VERSION (annotated);
#                         pushes the tag only, and prints the commit.
#   release-tag.sh major  moves the major tag (v1 for v1.2.3) to $VERSION's commit,
#                         unless a higher v1.x.y already exists; prints what it did.
#
# Environment:
#   VERSION  vMAJOR.MINOR.PATCH
#   IMAGE    pin: the image without tag or digest, e.g. ghcr.io/provenant/provenant
#   DIGEST   pin: sha256:<hex> of the pushed image (index)
#   REMOTE   the remote to push to (default origin)
set -euo pipefail

REMOTE=${REMOTE:-origin}
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-github-actions[bot]}
export GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}
export GIT_COMMITTER_NAME=${GIT_COMMITTER_NAME:-$GIT_AUTHOR_NAME}
export GIT_COMMITTER_EMAIL=${GIT_COMMITTER_EMAIL:-$GIT_AUTHOR_EMAIL}

die() { echo "release-tag: $*" >&2; exit 1; }

[[ ${VERSION:-} =~ ^v([0-9]+)\.[0-9]+\.[0-9]+$ ]] || die "VERSION must look like v1.2.3, not '${VERSION:-}'"
major=v${BASH_REMATCH[1]}

pin() {
	[[ ${DIGEST:-} =~ ^sha256:[0-9a-f]{64}$ ]] || die "DIGEST must be sha256:<64 hex digits>, not '${DIGEST:-}'"
	[[ ${IMAGE:-} =~ ^[a-z0-9.:-]+(/[a-z0-9._-]+)+$ ]] || die "IMAGE must be a lower-case image name without tag or digest, not '${IMAGE:-}'"
	local want="  image: docker://$IMAGE@$DIGEST"
	[[ $(grep -c '^  image: Dockerfile$' action.yml) == 1 ]] || die "action.yml must have exactly one '  image: Dockerfile' line to pin"
	sed -i "s|^  image: Dockerfile\$|$want|" action.yml
	grep -qxF "$want" action.yml || die "pinning action.yml failed"
	if git rev-parse -q --verify "refs/tags/$VERSION" >/dev/null || [[ -n $(git ls-remote --tags "$REMOTE" "refs/tags/$VERSION") ]]; then
		die "the tag $VERSION exists already"
	fi
	git commit -q -m "Release $VERSION: pin the action image to $DIGEST" action.yml
	git tag -a "$VERSION" -m "provenant $VERSION"
	git push -q "$REMOTE" "refs/tags/$VERSION"
	git rev-parse HEAD
}

move_major() {
	local newest commit
	# The newest release of this major, by version order, among the remote's tags.
	newest=$(git ls-remote --tags --refs "$REMOTE" "refs/tags/$major.*" | sed 's|.*refs/tags/||' |
		{ grep -E "^$major\.[0-9]+\.[0-9]+\$" || true; } | sort -V | tail -n1)
	[[ -n $newest ]] || die "the remote has no tag $VERSION"
	if [[ $newest != "$VERSION" ]]; then
		echo "left $major alone: $newest is newer than $VERSION"
		return
	fi
	git fetch -q "$REMOTE" "+refs/tags/$VERSION:refs/tags/$VERSION"
	commit=$(git rev-parse "$VERSION^{commit}")
	git push -q --force "$REMOTE" "$commit:refs/tags/$major"
	echo "moved $major to $VERSION ($commit)"
}

case ${1:-} in
pin) pin ;;
major) move_major ;;
*) die "usage: release-tag.sh pin|major" ;;
esac
