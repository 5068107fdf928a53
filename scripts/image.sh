#!/usr/bin/env bash
# image.sh — `make image`: assemble provenant's container action image without
# a Docker engine and push it to a registry.
#
# It builds the static binary exactly as the Dockerfile does (CGO_ENABLED=0,
# -trimpath, -s -w, the version in -ldflags), then internal/image/cmd/mkimage
# puts it on an empty base with the build machine's CA bundle
# (/etc/ssl/certs/ca-certificates.crt; Debian's ca-certificates is installed
# when it is missing) and pushes it. It prints the digest reference and the
# image's size.
#
# Environment:
#   REGISTRY          registry host:port to push to. Unset: 127.0.0.1:15000 if a
#                     registry answers there, else a throwaway one started by
#                     internal/testing/stack/cmd/sigstore-stack --registry
#                     (the image is gone when this script ends; the digest is
#                     still meaningful, since the build is reproducible)
#   IMAGE_REPOSITORY  repository (default provenant/provenant)
#   IMAGE_TAG         tag (default: the version, as a valid tag)
#   VERSION           version stamped into the binary and the labels
#                     (default: git describe --tags --always --dirty)
#   PLATFORMS         space-separated linux/ARCH list (default: this machine's);
#                     more than one pushes a multi-platform index
#   SOURCE_DATE_EPOCH creation time (default: the commit time of HEAD)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export GOTOOLCHAIN=local
out=$root/bin/image
t0=${EPOCHREALTIME/./}

say() { echo "image: $*" >&2; }
elapsed() {
	local d=$((${EPOCHREALTIME/./} - t0))
	printf '%d.%01ds' $((d / 1000000)) $((d / 100000 % 10))
}

# push runs mkimage with what the build left in $out and prints the result.
push() {
	local bins=() p ref
	for p in $PLATFORMS; do bins+=(--binary "$p=$out/provenant_${p//\//_}"); done
	ref=$("$out/mkimage" "${bins[@]}" --ca "$out/ca-certificates.crt" \
		--ref "$REGISTRY/$IMAGE_REPOSITORY:$IMAGE_TAG" --version "$VERSION" --revision "$REVISION")
	say "pushed $ref ($(elapsed))"
	echo "$ref"
}

if [[ ${_PROVENANT_IMAGE_PUSH_ONLY:-} == 1 ]]; then
	push
	exit
fi

VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}
REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
IMAGE_REPOSITORY=${IMAGE_REPOSITORY:-provenant/provenant}
IMAGE_TAG=${IMAGE_TAG:-$(printf '%s' "$VERSION" | tr -c 'A-Za-z0-9_.-' '_' | cut -c1-128)}
PLATFORMS=${PLATFORMS:-linux/$(go env GOARCH)}
export VERSION REVISION SOURCE_DATE_EPOCH IMAGE_REPOSITORY IMAGE_TAG PLATFORMS

if [[ ! -s /etc/ssl/certs/ca-certificates.crt ]]; then
	say "installing Debian's ca-certificates for the CA bundle"
	[[ $(id -u) == 0 ]] || { say "/etc/ssl/certs/ca-certificates.crt is missing; apt-get install ca-certificates needs root"; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null
fi

rm -rf "$out"
mkdir -p "$out"
cp /etc/ssl/certs/ca-certificates.crt "$out/ca-certificates.crt"
for p in $PLATFORMS; do
	[[ $p == linux/* ]] || { say "container actions run on Linux only: $p"; exit 1; }
	say "building provenant $VERSION for $p as the Dockerfile does"
	t1=${EPOCHREALTIME/./}
	# The same command as the Dockerfile's build stage (whose context has no
	# .git, hence -buildvcs=false here too).
	GOOS=linux GOARCH=${p#linux/} CGO_ENABLED=0 go build -trimpath -buildvcs=false \
		-ldflags "-s -w -X github.com/provenant/provenant/internal/cli.version=${VERSION}" \
		-o "$out/provenant_${p//\//_}" ./cmd/provenant
	d=$((${EPOCHREALTIME/./} - t1))
	say "$p: go build took $((d / 1000000)).$((d / 100000 % 10))s"
done
go build -trimpath -o "$out/mkimage" ./internal/image/cmd/mkimage
say "built in $(elapsed)"

if [[ -n ${REGISTRY:-} ]] || curl -fsS -m 2 -o /dev/null http://127.0.0.1:15000/v2/ 2>/dev/null; then
	export REGISTRY=${REGISTRY:-127.0.0.1:15000}
	push
else
	say "no registry at 127.0.0.1:15000: pushing to a throwaway one in the loopback stack (--registry)"
	bash scripts/install-tools.sh stack >/dev/null
	go build -o "$out/sigstore-stack" ./internal/testing/stack/cmd/sigstore-stack
	PATH="${PROVENANT_TOOLS:-$root/.tools}/bin:$PATH" _PROVENANT_IMAGE_PUSH_ONLY=1 \
		"$out/sigstore-stack" --rekor none --no-ct --tsa --registry -- bash "${BASH_SOURCE[0]}"
fi
