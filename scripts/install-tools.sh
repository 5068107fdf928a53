#!/usr/bin/env bash
# install-tools.sh — install the pinned tools that CI, `make demo` and the
# end-to-end tests need: the Sigstore services, the verifiers we did not write,
# the linters, and a few Debian packages.
#
# Usage: scripts/install-tools.sh [GROUP...]
#   GROUP is one of:
#     stack      fulcio, rekor-tiles-posix, timestamp-server, tesseract-posix,
#                plus Debian's docker-registry, jq, openssl, curl, iproute2, util-linux
#     verifiers  cosign, gh
#     rekor-v1   trillian_log_server, trillian_log_signer, createtree, rekor-server,
#                plus Debian's mariadb-server
#     lint       actionlint, staticcheck
#     all        every group above (the default)
#
# What each make target installs:
#   make demo   stack verifiers            (the demo verifies with cosign and gh)
#   make unit   verifiers                  (unit tests check bundles with cosign and gh)
#   make lint   lint
#   make e2e    stack rekor-v1 verifiers
#   make test   all
#
# The services, cosign, Trillian and rekor-server are the tools of one Go
# module, tools/go.mod: one set of dependency versions, built by one
# `go build`, so a package they share compiles once, and the go command keeps
# every core busy. gh has a module of its own, tools/gh/go.mod, built at the
# same time: it is there to check our bundles the way a user's gh does, and
# in the shared module its sigstore-go would move from v1.1.3 to cosign's
# v1.2.2. staticcheck and actionlint are built with `go install` as before:
# they share almost nothing with the others, and staticcheck must be rebuilt
# whenever the Go toolchain changes.
#
# On a fresh machine with empty Go caches, `make demo` and then `make test`
# take about 2,800 CPU-seconds (at least 24 minutes on two idle cores) and
# leave 8 GB on disk: module cache, build cache and the tools.
# BENCHMARKS.md, "First run", has the measured figures. While a build runs,
# a line every HEARTBEAT seconds (default 25) says what is being built, for
# how long, how far it got, and where its log is.
#
# Binaries land in ${PROVENANT_TOOLS:-<repo>/.tools}/bin, logs in its logs/.
# Each Go tool leaves a stamp file <tools>/stamps/<name>-<version>, so a
# second run is a no-op and a tool is rebuilt only when its pin, or for the
# tools of tools/go.mod any dependency version, changes. Debian packages are
# installed only when dpkg says they are missing. Two runs at once wait for
# each other.
#
# Every Go build runs with GOTOOLCHAIN=local, and never touches the project's
# go.mod and go.sum.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${PROVENANT_TOOLS:-$REPO_ROOT/.tools}
BIN=$TOOLS/bin
STAMPS=$TOOLS/stamps
LOGS=$TOOLS/logs
SHARE=$TOOLS/share
TOOLS_MOD=$REPO_ROOT/tools
HEARTBEAT=${HEARTBEAT:-25}

# ---------------------------------------------------------------------------
# Pins. The tools of tools/go.mod and tools/gh/go.mod are pinned there; the
# versions below must match (the script checks). Newer releases of several of them need Go
# 1.27 and do not resolve with a Go 1.26 toolchain (see the Sigstore stack
# notes, section 1).
# ---------------------------------------------------------------------------
FULCIO_VERSION=v1.8.8
REKOR_TILES_VERSION=v2.3.0
TSA_VERSION=v2.1.3
TESSERACT_VERSION=v0.1.1
COSIGN_VERSION=v3.1.3
GH_VERSION=v2.83.0
TRILLIAN_VERSION=v1.8.0
REKOR_VERSION=v1.5.4
# Built on their own with `go install`:
ACTIONLINT_VERSION=v1.7.12
STATICCHECK_VERSION=v0.8.2 # staticcheck 2026.2.2; its go.mod asks for go 1.26.0

# The tools of tools/go.mod and tools/gh/go.mod: name, module, version, main
# packages (several for Trillian), and the files each leaves under $TOOLS.
MOD_TOOLS=(fulcio rekor-tiles-posix timestamp-server tesseract-posix cosign gh trillian rekor-server)
declare -A T_MODULE=(
	[fulcio]=github.com/sigstore/fulcio
	[rekor-tiles-posix]=github.com/sigstore/rekor-tiles/v2
	[timestamp-server]=github.com/sigstore/timestamp-authority/v2
	[tesseract-posix]=github.com/transparency-dev/tesseract
	[cosign]=github.com/sigstore/cosign/v3
	[gh]=github.com/cli/cli/v2
	[trillian]=github.com/google/trillian
	[rekor-server]=github.com/sigstore/rekor
)
declare -A T_VERSION=(
	[fulcio]=$FULCIO_VERSION [rekor-tiles-posix]=$REKOR_TILES_VERSION
	[timestamp-server]=$TSA_VERSION [tesseract-posix]=$TESSERACT_VERSION
	[cosign]=$COSIGN_VERSION [gh]=$GH_VERSION
	[trillian]=$TRILLIAN_VERSION [rekor-server]=$REKOR_VERSION
)
declare -A T_PKGS=(
	[fulcio]=github.com/sigstore/fulcio
	[rekor-tiles-posix]=github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix
	[timestamp-server]=github.com/sigstore/timestamp-authority/v2/cmd/timestamp-server
	[tesseract-posix]=github.com/transparency-dev/tesseract/cmd/tesseract/posix
	[cosign]=github.com/sigstore/cosign/v3/cmd/cosign
	[gh]=github.com/cli/cli/v2/cmd/gh
	[trillian]="github.com/google/trillian/cmd/trillian_log_server github.com/google/trillian/cmd/trillian_log_signer github.com/google/trillian/cmd/createtree"
	[rekor-server]=github.com/sigstore/rekor/cmd/rekor-server
)
declare -A T_FILES=(
	[fulcio]=bin/fulcio [rekor-tiles-posix]=bin/rekor-tiles-posix
	[timestamp-server]=bin/timestamp-server [tesseract-posix]=bin/tesseract-posix
	[cosign]=bin/cosign [gh]=bin/gh
	[trillian]="bin/trillian_log_server bin/trillian_log_signer bin/createtree share/trillian-storage.sql"
	[rekor-server]=bin/rekor-server
)

# Go's own toolchain selection must not download a newer Go behind our back;
# a pin that needs a newer Go should fail here, loudly, not silently fetch 300 MB.
export GOTOOLCHAIN=local
# A go.work further up would pull tools/ into a workspace.
export GOWORK=off

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

die() {
	echo "install-tools: $*" >&2
	exit 1
}

say() { echo "install-tools: $*"; }

# now_us prints the wall clock in microseconds; elapsed formats the time
# since a value of now_us as seconds with one decimal; mmss as 3m07s.
now_us() { echo "${EPOCHREALTIME/./}"; }
elapsed() {
	local d=$(($(now_us) - $1))
	printf '%d.%ds' $((d / 1000000)) $((d / 100000 % 10))
}
mmss() {
	local s=$((($(now_us) - $1) / 1000000))
	if ((s < 60)); then printf '%ds' "$s"; else printf '%dm%02ds' $((s / 60)) $((s % 60)); fi
}

report() { # report NAME VERSION STATUS TIME
	printf '%-20s %-10s %-9s %s\n' "$1" "$2" "$3" "$4"
}

# run_logged WHAT LOG CMD... runs CMD with its output in LOG. Every
# $HEARTBEAT seconds by the clock it prints what is still running, for how
# long, and the log; PROGRESS_HOOK, if set, is called about every second
# with the start time and may print more. It returns CMD's status.
PROGRESS_HOOK=
run_logged() {
	local what=$1 log=$2 t0 next pid rc=0
	shift 2
	t0=$(now_us)
	next=$((t0 + HEARTBEAT * 1000000))
	"$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		[[ -z $PROGRESS_HOOK ]] || "$PROGRESS_HOOK" "$t0"
		if (($(now_us) >= next)) && kill -0 "$pid" 2>/dev/null; then
			say "  $(mmss "$t0") $what$(heartbeat_extra); log: $log"
			next=$(($(now_us) + HEARTBEAT * 1000000))
		fi
	done
	wait "$pid" || rc=$?
	return "$rc"
}
heartbeat_extra() { :; }

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
		if ((APT_UPDATED == 0)); then
			say "apt-get update (log: $LOGS/apt-update.log)"
			run_logged "running apt-get update" "$LOGS/apt-update.log" \
				env DEBIAN_FRONTEND=noninteractive apt-get update ||
				{ tail -n 20 "$LOGS/apt-update.log" >&2; die "apt-get update failed (log: $LOGS/apt-update.log)"; }
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
		say "apt-get install $pkg (log: $LOGS/apt-$pkg.log)"
		if ! run_logged "installing $pkg" "$LOGS/apt-$pkg.log" \
			env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg"; then
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
	check_pins
}

# mod_dir NAME is the module directory that pins NAME.
mod_dir() { if [[ $1 == gh ]]; then echo "$TOOLS_MOD/gh"; else echo "$TOOLS_MOD"; fi; }

# check_pins fails when a version above and the go.mod that pins the tool
# disagree, so the two cannot drift apart.
check_pins() {
	local name got
	for name in "${MOD_TOOLS[@]}"; do
		got=$(awk -v m="${T_MODULE[$name]}" '$1 == m && $2 ~ /^v[0-9]/ { print $2; exit }
			$1 == "require" && $2 == m { print $3; exit }' "$(mod_dir "$name")/go.mod")
		[[ $got == "${T_VERSION[$name]}" ]] ||
			die "$(mod_dir "$name")/go.mod has ${T_MODULE[$name]} ${got:-missing}, this script pins ${T_VERSION[$name]}; change both together"
	done
}

# stamp_ok NAME VERSION FILES WANT tells whether NAME is installed: its stamp
# exists and holds WANT, and all of FILES (paths under $TOOLS) exist.
stamp_ok() {
	local stamp=$STAMPS/$1-$2 f
	[[ -f $stamp && $(<"$stamp") == "$4" ]] || return 1
	for f in $3; do [[ -e $TOOLS/$f ]] || return 1; done
}

# mod_stamp NAME is what the stamp of a module's tool holds: a hash of the
# go.mod (less its comments) and go.sum that pin it, so a dependency bump
# rebuilds it. The stamp of a tool built with `go install` holds the Go
# version, so a new toolchain rebuilds it: staticcheck needs that, since it
# reads the standard library of the Go that built it.
mod_stamp() {
	local d
	d=$(mod_dir "$1")
	echo "${d#"$REPO_ROOT"/}/go.mod $( (grep -v '^//' "$d/go.mod" && cat "$d/go.sum") | sha256sum | cut -c1-16)"
}

# in_dir DIR CMD... runs CMD in DIR; run_logged runs it in a subshell.
in_dir() { cd "$1" && shift && "$@"; }

# pkgs_of NAME... prints the main packages of the named tools that the
# shared module builds into one directory: all but gh (its own module) and
# TesseraCT (its binary is also called "posix", like rekor-tiles').
pkgs_of() {
	local name
	for name in "$@"; do
		case $name in gh | tesseract-posix) ;; *) printf '%s\n' ${T_PKGS[$name]} ;; esac
	done
}

has() { # has WORD LIST...
	local w=$1
	shift
	[[ " $* " == *" $w "* ]]
}

# build_mod_tools NAME... builds the named tools of tools/go.mod and
# tools/gh/go.mod, reports each as its binary appears, and installs them.
build_mod_tools() {
	local name t0 pkgs=()
	(($#)) || return 0
	BUILD_NAMES=("$@") BUILD_OUT=$WORK/build
	mkdir -p "$BUILD_OUT/bin" "$BUILD_OUT/tesseract" "$BUILD_OUT/gh"
	mapfile -t pkgs < <(pkgs_of "$@")
	has tesseract-posix "$@" && pkgs+=("${T_PKGS[tesseract-posix]}")

	t0=$(now_us)
	say "downloading the modules of: $* (log: $LOGS/go-download.log)"
	run_logged "downloading modules" "$LOGS/go-download.log" download_mods "${pkgs[@]}" ||
		{ tail -n 20 "$LOGS/go-download.log" >&2; die "downloading the tools' modules failed (log: $LOGS/go-download.log)"; }
	TOTAL_PKGS=$(grep -vc '^go: ' "$LOGS/go-download.log" || true)
	say "modules ready in $(mmss "$t0"); compiling up to $TOTAL_PKGS packages on $(nproc) cores" \
		"(logs: $LOGS/go-build.log$(has gh "$@" && echo ", $LOGS/go-build-gh.log"))"

	BUILD_T0=$(now_us)
	declare -gA BUILD_SEEN=()
	PROGRESS_HOOK=build_progress
	heartbeat_extra() { printf ': %s of up to %s packages compiled; %s' "$(compiled)" "$TOTAL_PKGS" "$(build_status)"; }
	if ! run_logged building "$LOGS/go-build.log" build_go "${pkgs[@]}"; then
		PROGRESS_HOOK=
		tail -n 40 "$LOGS/go-build.log" >&2
		! has gh "$@" || tail -n 20 "$LOGS/go-build-gh.log" >&2
		die "building the tools failed; $(build_status) (logs: $LOGS/go-build*.log)"
	fi
	PROGRESS_HOOK=
	heartbeat_extra() { :; }
	build_progress "$BUILD_T0"
	for name in "$@"; do install_mod_tool "$name"; done
}

# download_mods PKG... fetches the modules the packages need; its output,
# one import path a line, also counts the packages to compile.
download_mods() {
	local list=(go list -mod=readonly -deps -f '{{.ImportPath}}')
	if (($#)); then
		(in_dir "$TOOLS_MOD" "${list[@]}" "$@") || return
	fi
	if has gh "${BUILD_NAMES[@]}"; then
		(in_dir "$TOOLS_MOD/gh" "${list[@]}" "${T_PKGS[gh]}") || return
	fi
}

# build_go PKG... runs the builds: gh's module in the background, the
# shared module's packages in one `go build`, then TesseraCT's. -v lists
# each package a build compiles.
build_go() {
	local flags=(-mod=readonly -trimpath -v) gh_pid= rc=0
	export GOFLAGS=-buildvcs=false
	if has gh "${BUILD_NAMES[@]}"; then
		(in_dir "$TOOLS_MOD/gh" go build "${flags[@]}" \
			-ldflags="-X github.com/cli/cli/v2/internal/build.Version=${GH_VERSION#v}" \
			-o "$BUILD_OUT/gh/" "${T_PKGS[gh]}") >"$LOGS/go-build-gh.log" 2>&1 &
		gh_pid=$!
	else
		: >"$LOGS/go-build-gh.log"
	fi
	local pkgs=()
	mapfile -t pkgs < <(pkgs_of "${BUILD_NAMES[@]}")
	if ((${#pkgs[@]})); then
		(in_dir "$TOOLS_MOD" go build "${flags[@]}" -o "$BUILD_OUT/bin/" "${pkgs[@]}") || rc=1
	fi
	if ((rc == 0)) && has tesseract-posix "${BUILD_NAMES[@]}"; then
		(in_dir "$TOOLS_MOD" go build "${flags[@]}" -o "$BUILD_OUT/tesseract/" "${T_PKGS[tesseract-posix]}") || rc=1
	fi
	if [[ -n $gh_pid ]]; then
		wait "$gh_pid" || { echo "building gh failed (log: $LOGS/go-build-gh.log)"; rc=1; }
	fi
	return "$rc"
}

# compiled counts the packages the builds have compiled so far.
compiled() {
	cat "$LOGS/go-build.log" "$LOGS/go-build-gh.log" 2>/dev/null | grep -vc -e '^#' -e '^go: ' -e ' ' || true
}

# built NAME tells whether every binary of NAME is in the build's output.
built() {
	local p dir=$BUILD_OUT/bin
	case $1 in tesseract-posix) dir=$BUILD_OUT/tesseract ;; gh) dir=$BUILD_OUT/gh ;; esac
	for p in ${T_PKGS[$1]}; do [[ -e $dir/${p##*/} ]] || return 1; done
}

# build_progress reports each tool once its binaries are linked.
build_progress() {
	local name
	for name in "${BUILD_NAMES[@]}"; do
		[[ -z ${BUILD_SEEN[$name]:-} ]] || continue
		built "$name" || continue
		BUILD_SEEN[$name]=1
		report "$name" "${T_VERSION[$name]}" built "after $(mmss "$1")"
	done
}

build_status() {
	local name done=() todo=()
	for name in "${BUILD_NAMES[@]}"; do
		if [[ -n ${BUILD_SEEN[$name]:-} ]]; then done+=("$name"); else todo+=("$name"); fi
	done
	printf 'built: %s; to go: %s' "${done[*]:-none}" "${todo[*]:-none}"
}

# install_mod_tool NAME moves NAME's files from the build into $TOOLS, each
# by a rename, and stamps it.
install_mod_tool() {
	local name=$1 f src mode
	for f in ${T_FILES[$name]}; do
		mode=755
		case $f in
		bin/rekor-tiles-posix) src=$BUILD_OUT/bin/posix ;;
		bin/tesseract-posix) src=$BUILD_OUT/tesseract/posix ;;
		bin/gh) src=$BUILD_OUT/gh/gh ;;
		share/trillian-storage.sql)
			# The stack sets up Rekor v1's database with Trillian's schema,
			# which otherwise lives only in the module cache, which CI may
			# not keep when it keeps $TOOLS.
			src=$(in_dir "$TOOLS_MOD" go list -mod=readonly -m -f '{{.Dir}}' "${T_MODULE[trillian]}")/storage/mysql/schema/storage.sql
			mode=644
			;;
		*) src=$BUILD_OUT/bin/${f##*/} ;;
		esac
		[[ -e $src ]] || die "building $name produced no ${f##*/}"
		install -m "$mode" "$src" "$TOOLS/$f.tmp"
		mv -f "$TOOLS/$f.tmp" "$TOOLS/$f"
	done
	rm -f "$STAMPS/$name"-*
	mod_stamp "$name" >"$STAMPS/$name-${T_VERSION[$name]}"
	report "$name" "${T_VERSION[$name]}" installed "$(mmss "$BUILD_T0") (built together)"
}

# ensure_mod_tools NAME... builds whichever of the named tools are not
# installed yet, together.
ensure_mod_tools() {
	local name todo=()
	for name in "$@"; do
		if stamp_ok "$name" "${T_VERSION[$name]}" "${T_FILES[$name]}" "$(mod_stamp "$name")"; then
			report "$name" "${T_VERSION[$name]}" cached ""
		else
			todo+=("$name")
		fi
	done
	build_mod_tools "${todo[@]}"
}

# ensure_go_install NAME VERSION PKG@VERSION installs a tool built on its own.
ensure_go_install() {
	local name=$1 version=$2 pkg=$3 t0 out
	t0=$(now_us)
	if stamp_ok "$name" "$version" "bin/$name" "$GO_VERSION"; then
		report "$name" "$version" cached ""
		return
	fi
	out=$WORK/$name
	mkdir -p "$out"
	say "building $name $version (log: $LOGS/$name.log)"
	# -mod=mod protects against a GOFLAGS=-mod=vendor inherited from the caller.
	if ! run_logged "building $name" "$LOGS/$name.log" \
		env GOBIN="$out" GOFLAGS="-mod=mod -buildvcs=false" go install -trimpath "$pkg"; then
		tail -n 40 "$LOGS/$name.log" >&2
		report "$name" "$version" FAILED "$(mmss "$t0")"
		die "building $name $version failed (log: $LOGS/$name.log)"
	fi
	[[ -e $out/$name ]] || die "building $name $version produced no $name"
	mv -f "$out/$name" "$BIN/$name"
	rm -f "$STAMPS/$name"-*
	echo "$GO_VERSION" >"$STAMPS/$name-$version"
	report "$name" "$version" installed "$(mmss "$t0")"
}

# ---------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------
APT_BASE=(jq openssl curl iproute2 util-linux)

main() {
	local g want_stack=0 want_verifiers=0 want_lint=0 want_rekor_v1=0 t0 groups=() apt=() mod=()
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
	mkdir -p "$BIN" "$STAMPS" "$LOGS" "$SHARE"
	# One install at a time per tools directory: `make -j` may start several.
	exec 9>"$TOOLS/.lock"
	flock -n 9 || { say "waiting for another install into $TOOLS"; flock 9; }

	((want_stack == 0)) || { groups+=(stack) apt+=("${APT_BASE[@]}" docker-registry)
		mod+=(fulcio rekor-tiles-posix timestamp-server tesseract-posix); }
	((want_verifiers == 0)) || { groups+=(verifiers) apt+=("${APT_BASE[@]}") mod+=(cosign gh); }
	((want_rekor_v1 == 0)) || { groups+=(rekor-v1) apt+=("${APT_BASE[@]}" mariadb-server)
		mod+=(trillian rekor-server); }
	((want_lint == 0)) || groups+=(lint)

	((${#apt[@]} == 0)) || ensure_apt "${apt[@]}"
	setup_go
	# Every tool of tools/go.mod that the groups need, in one build.
	((${#mod[@]} == 0)) || ensure_mod_tools "${mod[@]}"
	if ((want_lint)); then
		ensure_go_install actionlint "$ACTIONLINT_VERSION" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
		ensure_go_install staticcheck "$STATICCHECK_VERSION" "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
	fi
	say "${groups[*]} ready in $BIN ($(mmss "$t0"))"
}

main "$@"
