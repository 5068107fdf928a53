#!/usr/bin/env bash
# install-tools.sh — install the pinned tools that CI, `make demo` and the
# end-to-end tests need: the Sigstore services, the verifiers we did not write,
# the linters, and a few Debian packages.
#
# Usage: scripts/install-tools.sh [GROUP...]
#   GROUP is one of:
#     lint       actionlint, staticcheck
#     stack      fulcio, rekor-tiles-posix, timestamp-server, tesseract-posix,
#                plus Debian's docker-registry, jq, openssl, curl, iproute2, util-linux
#     rekor-v1   trillian_log_server, trillian_log_signer, createtree, rekor-server,
#                plus Debian's mariadb-server
#     verifiers  cosign, gh
#     all        every group above (the default)
#
# Binaries land in ${PROVENANT_TOOLS:-<repo>/.tools}/bin. Each Go tool leaves a
# stamp file <tools>/stamps/<name>-<version>, so a second run is a no-op and a
# tool is rebuilt only when its pin changes. Debian packages are installed only
# when dpkg says they are missing.
#
# Every Go build runs with GOTOOLCHAIN=local in a temporary directory outside
# this repository, so the project's go.mod and go.sum are never touched.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${PROVENANT_TOOLS:-$REPO_ROOT/.tools}
BIN=$TOOLS/bin
STAMPS=$TOOLS/stamps
LOGS=$TOOLS/logs
SHARE=$TOOLS/share

# ---------------------------------------------------------------------------
# Pins. Newer releases of several of these need Go 1.27 and do not resolve
# with a Go 1.26 toolchain (see shared/docs/sigstore-stack.md, section 1).
# ---------------------------------------------------------------------------
FULCIO_VERSION=v1.8.8
REKOR_TILES_VERSION=v2.3.0
TSA_VERSION=v2.1.3
TESSERACT_VERSION=v0.1.1
COSIGN_VERSION=v3.1.3
GH_VERSION=v2.83.0
ACTIONLINT_VERSION=v1.7.12
STATICCHECK_VERSION=v0.8.2 # staticcheck 2026.2.2; its go.mod asks for go 1.26.0
TRILLIAN_VERSION=v1.8.0
REKOR_VERSION=v1.5.4

# Go's own toolchain selection must not download a newer Go behind our back;
# a pin that needs a newer Go should fail here, loudly, not silently fetch 300 MB.
export GOTOOLCHAIN=local
# A go.work further up would pull the temp build dirs into a workspace.
export GOWORK=off

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

die() {
	echo "install-tools: $*" >&2
	exit 1
}

# now_us prints the wall clock in microseconds; elapsed formats the time
# since a value of now_us as seconds with one decimal.
now_us() { echo "${EPOCHREALTIME/./}"; }
elapsed() {
	local d=$(($(now_us) - $1))
	printf '%d.%ds' $((d / 1000000)) $((d / 100000 % 10))
}

report() { # report NAME VERSION STATUS TIME
	printf '%-20s %-10s %-9s %s\n' "$1" "$2" "$3" "$4"
}

# ---------------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------------
APT_UPDATED=0
declare -A APT_SEEN=() # several groups share packages; report each once

apt_installed() {
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

# ensure_apt PKG... installs each missing package on its own, so that the
# per-package time is meaningful and a failure names the package.
ensure_apt() {
	local pkg t0 created_policy
	for pkg in "$@"; do
		[[ -z ${APT_SEEN[$pkg]:-} ]] || continue
		APT_SEEN[$pkg]=1
		t0=$(now_us)
		if apt_installed "$pkg"; then
			report "$pkg" apt cached "$(elapsed "$t0")"
			continue
		fi
		[[ $(id -u) == 0 ]] || die "$pkg is missing and installing it needs root (apt-get install $pkg)"
		mkdir -p "$LOGS"
		if ((APT_UPDATED == 0)); then
			DEBIAN_FRONTEND=noninteractive apt-get update >"$LOGS/apt-update.log" 2>&1 ||
				{ tail -n 20 "$LOGS/apt-update.log" >&2; die "apt-get update failed"; }
			APT_UPDATED=1
		fi
		# Package scripts (mariadb-server's in particular) try to start their
		# service. We run every daemon ourselves inside a private network
		# namespace, so tell invoke-rc.d "no" unless the machine already does.
		created_policy=0
		if [[ ! -e /usr/sbin/policy-rc.d ]]; then
			printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
			chmod 755 /usr/sbin/policy-rc.d
			created_policy=1
		fi
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg" \
			>"$LOGS/apt-$pkg.log" 2>&1; then
			((created_policy == 0)) || rm -f /usr/sbin/policy-rc.d
			tail -n 30 "$LOGS/apt-$pkg.log" >&2
			report "$pkg" apt FAILED "$(elapsed "$t0")"
			die "apt-get install $pkg failed (log: $LOGS/apt-$pkg.log)"
		fi
		((created_policy == 0)) || rm -f /usr/sbin/policy-rc.d
		report "$pkg" apt installed "$(elapsed "$t0")"
	done
}

# ---------------------------------------------------------------------------
# Go tools
# ---------------------------------------------------------------------------
GO_VERSION=
WORK=

setup_go() {
	[[ -n $GO_VERSION ]] && return
	command -v go >/dev/null || die "go is not on PATH (Go 1.26 is required)"
	GO_VERSION=$(go env GOVERSION)
	case $GO_VERSION in
	go1.2[6-9]* | go1.[3-9]*) ;;
	*) die "need Go 1.26 or newer with GOTOOLCHAIN=local, found $GO_VERSION" ;;
	esac
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/install-tools.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
	mkdir -p "$BIN" "$STAMPS" "$LOGS" "$SHARE"
}

# ensure_go NAME VERSION FILES BUILD_FUNCTION [ARGS...]
#   FILES is a space-separated list of paths relative to $TOOLS (bin/fulcio,
#   share/…); the tool counts as installed only when its stamp and all of them
#   exist. BUILD_FUNCTION runs in a fresh temp dir (its cwd) with $OUT set to
#   a scratch GOBIN and must leave each file there under its base name; its
#   output goes to $LOGS/NAME.log.
ensure_go() {
	local name=$1 version=$2 files=$3 build=$4
	shift 4
	local stamp=$STAMPS/$name-$version t0 f ok=1
	t0=$(now_us)
	if [[ -f $stamp ]]; then
		for f in $files; do [[ -e $TOOLS/$f ]] || ok=0; done
		# staticcheck reads the standard library of the Go it was built
		# with, so a toolchain change needs a rebuild too; the stamp holds
		# the Go version it was built with.
		if [[ $name == staticcheck ]]; then
			[[ $(<"$stamp") == "$GO_VERSION" ]] || ok=0
		fi
		if ((ok)); then
			report "$name" "$version" cached "$(elapsed "$t0")"
			return
		fi
	fi
	rm -f "$STAMPS/$name"-*
	local dir=$WORK/$name
	mkdir -p "$dir/out"
	if ! (cd "$dir" && OUT=$dir/out "$build" "$@") >"$LOGS/$name.log" 2>&1; then
		tail -n 40 "$LOGS/$name.log" >&2
		report "$name" "$version" FAILED "$(elapsed "$t0")"
		die "building $name $version failed (log: $LOGS/$name.log)"
	fi
	for f in $files; do
		[[ -e $dir/out/${f##*/} ]] || die "building $name $version produced no ${f##*/}"
		mv -f "$dir/out/${f##*/}" "$TOOLS/$f"
	done
	echo "$GO_VERSION" >"$stamp"
	report "$name" "$version" installed "$(elapsed "$t0")"
}

# go_install PKG@VERSION... installs into $OUT. -mod=mod is harmless here and
# protects against a GOFLAGS=-mod=vendor inherited from the caller.
go_install() {
	GOBIN=$OUT GOFLAGS="-mod=mod -buildvcs=false" go install -trimpath "$@"
}

# go_install_renamed PKG@VERSION NAME: rekor-tiles and TesseraCT both build a
# binary called "posix"; each gets its own scratch GOBIN, then a real name.
go_install_renamed() {
	local pkg=${1%@*}
	go_install "$1"
	mv "$OUT/${pkg##*/}" "$OUT/$2"
}

# build_gh: the module proxy refuses the version list of github.com/cli/cli/v2
# (403), which breaks `go install …@version` on its deprecation lookup. An
# explicit version downloads fine, so pull it in as a tool of a throwaway
# module and build it from there.
build_gh() {
	go mod init provenant-tools/gh
	GOFLAGS=-mod=mod go get -tool "github.com/cli/cli/v2/cmd/gh@$GH_VERSION"
	GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath \
		-ldflags "-X github.com/cli/cli/v2/internal/build.Version=${GH_VERSION#v}" \
		-o "$OUT/gh" github.com/cli/cli/v2/cmd/gh
}

# build_trillian also keeps Trillian's MySQL schema: the stack needs it to set
# up the database, and it otherwise lives only in the module cache, which CI
# may not keep when it keeps $BIN.
build_trillian() {
	go_install "github.com/google/trillian/cmd/trillian_log_server@$TRILLIAN_VERSION" \
		"github.com/google/trillian/cmd/trillian_log_signer@$TRILLIAN_VERSION" \
		"github.com/google/trillian/cmd/createtree@$TRILLIAN_VERSION"
	local modcache
	modcache=$(go env GOMODCACHE)
	install -m 644 "$modcache/github.com/google/trillian@$TRILLIAN_VERSION/storage/mysql/schema/storage.sql" \
		"$OUT/trillian-storage.sql"
}

# ---------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------
APT_BASE=(jq openssl curl iproute2 util-linux)

install_stack() {
	ensure_apt "${APT_BASE[@]}" docker-registry
	setup_go
	ensure_go fulcio "$FULCIO_VERSION" bin/fulcio \
		go_install "github.com/sigstore/fulcio@$FULCIO_VERSION"
	ensure_go rekor-tiles-posix "$REKOR_TILES_VERSION" bin/rekor-tiles-posix \
		go_install_renamed "github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix@$REKOR_TILES_VERSION" rekor-tiles-posix
	ensure_go timestamp-server "$TSA_VERSION" bin/timestamp-server \
		go_install "github.com/sigstore/timestamp-authority/v2/cmd/timestamp-server@$TSA_VERSION"
	ensure_go tesseract-posix "$TESSERACT_VERSION" bin/tesseract-posix \
		go_install_renamed "github.com/transparency-dev/tesseract/cmd/tesseract/posix@$TESSERACT_VERSION" tesseract-posix
}

install_verifiers() {
	ensure_apt "${APT_BASE[@]}"
	setup_go
	ensure_go cosign "$COSIGN_VERSION" bin/cosign \
		go_install "github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION"
	ensure_go gh "$GH_VERSION" bin/gh build_gh
}

install_lint() {
	setup_go
	ensure_go actionlint "$ACTIONLINT_VERSION" bin/actionlint \
		go_install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
	ensure_go staticcheck "$STATICCHECK_VERSION" bin/staticcheck \
		go_install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
}

install_rekor_v1() {
	ensure_apt "${APT_BASE[@]}" mariadb-server
	setup_go
	ensure_go trillian "$TRILLIAN_VERSION" \
		"bin/trillian_log_server bin/trillian_log_signer bin/createtree share/trillian-storage.sql" build_trillian
	ensure_go rekor-server "$REKOR_VERSION" bin/rekor-server \
		go_install "github.com/sigstore/rekor/cmd/rekor-server@$REKOR_VERSION"
}

main() {
	local groups=() g want_stack=0 want_verifiers=0 want_lint=0 want_rekor_v1=0 t0
	t0=$(now_us)
	(($# > 0)) || set -- all
	for g in "$@"; do
		case $g in
		all) want_stack=1 want_verifiers=1 want_lint=1 want_rekor_v1=1 ;;
		stack) want_stack=1 ;;
		verifiers) want_verifiers=1 ;;
		lint) want_lint=1 ;;
		rekor-v1) want_rekor_v1=1 ;;
		-h | --help)
			usage
			exit 0
			;;
		*)
			usage >&2
			die "unknown group: $g"
			;;
		esac
	done
	# The order follows the doc: later builds reuse modules fetched by
	# earlier ones, which makes a cold install noticeably shorter.
	((want_stack == 0)) || { groups+=(stack); install_stack; }
	((want_verifiers == 0)) || { groups+=(verifiers); install_verifiers; }
	((want_lint == 0)) || { groups+=(lint); install_lint; }
	((want_rekor_v1 == 0)) || { groups+=(rekor-v1); install_rekor_v1; }
	echo "install-tools: ${groups[*]} ready in $BIN ($(elapsed "$t0"))"
}

main "$@"
