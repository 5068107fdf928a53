#!/usr/bin/env bash
# bench-dryrun.sh — the dryrun section of `make bench`: measures
# `provenant attest --dry-run` on a base64-subjects-file of 100,000 sha256sum lines against a peer doing the
# same job in the same run: slsa-github-generator's generic generator, which
# parses the same base64-subjects input and builds SLSA v0.2 provenance.
#
# Usage: scripts/bench-dryrun.sh [--write]
#   --write   also replace the bench-dryrun section of BENCHMARKS.md with
#             this run's table
#
# Environment:
#   BENCH_RUNS    timed runs of each tool, alternating (default 5)
#   BENCH_LINES   subject lines in the input (default 100000; the target and
#                 --write only apply to the default)
#   BENCH_PORT    loopback port of the fake OIDC issuer (default 18091)
#
# Both tools run as the GitHub runner runs them: a GITHUB_* environment and
# event from the fixture testdata/github/tag_push, provenant with INPUT_*
# variables and the project's fake OIDC issuer, the peer with GITHUB_CONTEXT
# and its own offline (presubmit) mode. Everything runs inside a private
# network namespace when the machine allows one.
#
# Each run is timed with GNU time (wall, user, sys, peak RSS). The table shows
# the median wall and CPU time, the largest peak RSS, the number of subjects
# each statement holds and the ratio provenant/peer. The script exits 1 when
# provenant misses its target of 2 s and 200 MiB; the numbers themselves
# belong in BENCHMARKS.md, not in tests.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh" # verdict and holds

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Tool cache conventions follow scripts/install-tools.sh: binaries in
# <tools>/bin, a stamp <tools>/stamps/<name>-<version> holding the Go version
# the binary was built with, build logs in <tools>/logs.
TOOLS=${PROVENANT_TOOLS:-$REPO_ROOT/.tools}
BIN=$TOOLS/bin
STAMPS=$TOOLS/stamps
LOGS=$TOOLS/logs

# The peer. slsa-github-generator's v2 tags are not Go module versions (its
# go.mod has no /v2 suffix) and the module proxy refuses both its version list
# and a bare commit of v2.1.0, so v2.1.0 cannot be fetched with the Go client.
# v1.10.0 is the newest release the proxy serves; its subject parser
# (parseSubjects in internal/builders/generic) is the one later releases keep.
PEER_NAME=slsa-generator-generic
PEER_VERSION=v1.10.0
PEER_MODULE=github.com/slsa-framework/slsa-github-generator
PEER_PKG=$PEER_MODULE/internal/builders/generic
# The generator skips signing and every GitHub API and OIDC call only when it
# believes it runs its own presubmit tests (utils.IsPresubmitTests): exactly
# these two variables. The provenance content still comes from GITHUB_CONTEXT.
PEER_OFFLINE_ENV=(GITHUB_EVENT_NAME=pull_request GITHUB_REPOSITORY=slsa-framework/slsa-github-generator)

FIXTURE=testdata/github/tag_push
RUNS=${BENCH_RUNS:-5}
LINES=${BENCH_LINES:-100000}
PORT=${BENCH_PORT:-18091}
TARGET_LINES=100000
TARGET_SECONDS=2
TARGET_MIB=200
RESULTS_BEGIN='<!-- bench-dryrun:begin -->'
RESULTS_END='<!-- bench-dryrun:end -->'

# Go must not fetch a newer toolchain behind our back, and a go.work further
# up must not pull the peer's throwaway module into a workspace.
export GOTOOLCHAIN=local GOWORK=off

die() {
	echo "bench: $*" >&2
	exit 1
}

log() { echo "bench: $*" >&2; }

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# ---------------------------------------------------------------------------
# Prerequisites
# ---------------------------------------------------------------------------

apt_installed() {
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

# ensure_apt PKG... installs the Debian packages that are missing, as a fresh
# machine needs them; like install-tools.sh it never touches installed ones.
ensure_apt() {
	local missing=() pkg
	for pkg in "$@"; do
		apt_installed "$pkg" || missing+=("$pkg")
	done
	((${#missing[@]})) || return 0
	[[ $(id -u) == 0 ]] || die "missing Debian packages ${missing[*]}; installing them needs root (apt-get install ${missing[*]})"
	log "installing ${missing[*]}"
	mkdir -p "$LOGS"
	DEBIAN_FRONTEND=noninteractive apt-get update >"$LOGS/apt-update.log" 2>&1 ||
		{ tail -n 20 "$LOGS/apt-update.log" >&2; die "apt-get update failed"; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
		>"$LOGS/apt-bench.log" 2>&1 ||
		{ tail -n 30 "$LOGS/apt-bench.log" >&2; die "apt-get install ${missing[*]} failed"; }
}

# ensure_prereqs: GNU time measures peak RSS (bash's `time` cannot); jq reads
# the fixture and counts subjects; curl waits for the issuer; ip and unshare
# make the private network namespace.
ensure_prereqs() {
	local pkgs=()
	/usr/bin/time --version 2>&1 | grep -q GNU || pkgs+=(time)
	command -v jq >/dev/null || pkgs+=(jq)
	command -v curl >/dev/null || pkgs+=(curl)
	command -v ip >/dev/null || pkgs+=(iproute2)
	command -v unshare >/dev/null || pkgs+=(util-linux)
	((${#pkgs[@]} == 0)) || ensure_apt "${pkgs[@]}"
	command -v go >/dev/null || die "go is not on PATH (Go 1.26 is required)"
}

# ---------------------------------------------------------------------------
# Builds
# ---------------------------------------------------------------------------

# build_project builds provenant as the action image builds it (static,
# trimmed paths) and the fake OIDC issuer.
build_project() {
	log "building provenant and the fake OIDC issuer"
	(cd "$REPO_ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/provenant" ./cmd/provenant) ||
		die "building provenant failed"
	(cd "$REPO_ROOT" && go build -o "$WORK/fakeoidc" ./internal/testing/fakeoidc/cmd/fakeoidc) ||
		die "building the fake OIDC issuer failed"
}

# ensure_peer installs the peer into $BIN once per version and Go toolchain.
# `go install pkg@version` fails here because the proxy refuses the module's
# version list (needed for the deprecation check), so, as install-tools.sh
# does for gh, the peer is pulled in as a tool of a throwaway module in a temp
# dir outside the repository and built from there with its own go.mod pins.
ensure_peer() {
	local stamp=$STAMPS/$PEER_NAME-$PEER_VERSION go_version dir
	go_version=$(go env GOVERSION)
	if [[ -f $stamp && -x $BIN/$PEER_NAME && $(<"$stamp") == "$go_version" ]]; then
		log "$PEER_NAME $PEER_VERSION cached"
		return
	fi
	log "building $PEER_NAME $PEER_VERSION (a few minutes, once)"
	mkdir -p "$BIN" "$STAMPS" "$LOGS"
	rm -f "$STAMPS/$PEER_NAME"-*
	dir=$WORK/peer-build
	mkdir -p "$dir"
	if ! (
		cd "$dir" &&
			go mod init provenant-bench/peer &&
			GOFLAGS=-mod=mod go get -tool "$PEER_PKG@$PEER_VERSION" &&
			GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath -o "$dir/$PEER_NAME" "$PEER_PKG"
	) >"$LOGS/$PEER_NAME.log" 2>&1; then
		tail -n 40 "$LOGS/$PEER_NAME.log" >&2
		die "building $PEER_NAME $PEER_VERSION failed (log: $LOGS/$PEER_NAME.log)"
	fi
	mv -f "$dir/$PEER_NAME" "$BIN/$PEER_NAME"
	echo "$go_version" >"$stamp"
}

# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------

# make_input writes LINES sha256sum lines (dist/pkg-NNNNNN.tar.gz with
# pseudo-random digests from a fixed seed) as one line of base64, the way
# `sha256sum * | base64 -w0` hands them over, into the shared workspace.
make_input() {
	local ws=$WORK/workspace
	mkdir -p "$ws" "$WORK/runner_temp"
	awk -v n="$LINES" 'BEGIN {
		srand(1)
		for (i = 0; i < n; i++) {
			h = ""
			for (j = 0; j < 8; j++) h = h sprintf("%08x", int(rand() * 4294967296))
			printf "%s  dist/pkg-%06d.tar.gz\n", h, i
		}
	}' >"$WORK/subjects.sha256sum"
	base64 -w0 "$WORK/subjects.sha256sum" >"$ws/subjects.b64"
	# The sorted list is what each statement's subjects must equal.
	sort "$WORK/subjects.sha256sum" >"$WORK/expected.sorted"
	# The digests are random, so make sure no two lines collide.
	[[ $(cut -c1-64 "$WORK/expected.sorted" | uniq | wc -l) == "$LINES" ]] || die "generated digests collide"
}

# make_peer_context writes what `${{ toJSON(github) }}` gives the generator's
# GITHUB_CONTEXT, built from the same fixture provenant reads.
make_peer_context() {
	jq -n --slurpfile env "$REPO_ROOT/$FIXTURE/env.json" --slurpfile ev "$REPO_ROOT/$FIXTURE/event.json" '
		$env[0] as $e | {
			token: "***", repository: $e.GITHUB_REPOSITORY, repository_owner: $e.GITHUB_REPOSITORY_OWNER,
			workflow: $e.GITHUB_WORKFLOW, event_name: $e.GITHUB_EVENT_NAME, event: $ev[0],
			sha: $e.GITHUB_SHA, ref_type: $e.GITHUB_REF_TYPE, ref: $e.GITHUB_REF,
			base_ref: $e.GITHUB_BASE_REF, head_ref: $e.GITHUB_HEAD_REF, actor: $e.GITHUB_ACTOR,
			run_number: $e.GITHUB_RUN_NUMBER, server_url: $e.GITHUB_SERVER_URL,
			run_id: $e.GITHUB_RUN_ID, run_attempt: $e.GITHUB_RUN_ATTEMPT
		}' >"$WORK/github-context.json"
}

# ---------------------------------------------------------------------------
# Measurement (runs inside the network namespace)
# ---------------------------------------------------------------------------

ISSUER_PID=
REQUEST_TOKEN=
RUNNER_ENV=()

start_issuer() {
	local url=http://127.0.0.1:$PORT
	# Outside a namespace the port may belong to someone else's issuer.
	! curl -fsS "$url/.well-known/openid-configuration" >/dev/null 2>&1 ||
		die "something already serves $url; set BENCH_PORT"
	REQUEST_TOKEN=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	"$WORK/fakeoidc" --listen "127.0.0.1:$PORT" --issuer "$url" \
		--claims "$REPO_ROOT/$FIXTURE/claims.json" --request-token "$REQUEST_TOKEN" 2>"$WORK/fakeoidc.log" &
	ISSUER_PID=$!
	local _
	for _ in $(seq 100); do
		curl -fsS "$url/.well-known/openid-configuration" >/dev/null 2>&1 && return
		sleep 0.1
	done
	cat "$WORK/fakeoidc.log" >&2
	die "the fake OIDC issuer did not come up"
}

stop_issuer() {
	[[ -z $ISSUER_PID ]] || kill "$ISSUER_PID" 2>/dev/null || true
}

# TIMER is GNU time writing "wall user sys peak-RSS-KiB" to $WORK/time. The
# run_* functions put it in front of env(1), which execs the tool, so what
# is measured is the tool's own process.
TIMER=()

# timed OUT TOOL RUN CMD...: runs CMD in the workspace with stdout to
# $WORK/out/TOOL.stdout and appends "TOOL RUN wall user sys rss_kib" to OUT.
# A failed run stops the benchmark: its numbers would mean nothing.
timed() {
	local out=$1 tool=$2 run=$3
	shift 3
	if ! (cd "$WORK/workspace" && "$@") >"$WORK/out/$tool.stdout" 2>"$WORK/out/$tool.stderr"; then
		tail -n 20 "$WORK/out/$tool.stderr" >&2
		die "$tool failed on run $run"
	fi
	local wall user sys rss
	read -r wall user sys rss < <(tail -n 1 "$WORK/time")
	echo "$tool $run $wall $user $sys $rss" >>"$out"
	log "  $tool: ${wall} s wall, $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') s CPU, $((rss / 1024)) MiB"
}

# run_provenant PREDICATE: `provenant attest --dry-run` with the inputs as
# action inputs and the runner's environment, as demo.sh runs the action.
run_provenant() {
	: >"$WORK/file_commands/output"
	: >"$WORK/file_commands/summary"
	"${TIMER[@]}" env -i PATH="$PATH" HOME="$WORK/home" "${RUNNER_ENV[@]}" \
		GITHUB_WORKSPACE="$WORK/workspace" GITHUB_EVENT_PATH="$WORK/workflow/event.json" \
		GITHUB_OUTPUT="$WORK/file_commands/output" GITHUB_STEP_SUMMARY="$WORK/file_commands/summary" \
		RUNNER_TEMP="$WORK/runner_temp" \
		ACTIONS_ID_TOKEN_REQUEST_URL="http://127.0.0.1:$PORT/token?api-version=2.0" \
		ACTIONS_ID_TOKEN_REQUEST_TOKEN="$REQUEST_TOKEN" \
		INPUT_BASE64-SUBJECTS-FILE=subjects.b64 INPUT_OIDC-ISSUER="http://127.0.0.1:$PORT" \
		INPUT_PREDICATE-VERSION="$1" \
		"$WORK/provenant" attest --dry-run
}

# run_peer: the generator's attest step as generator_generic_slsa3.yml runs
# it, plus the two variables of its offline mode. It refuses to overwrite its
# output, so the previous run's file goes first.
run_peer() {
	rm -f "$WORK/workspace/multiple.intoto.jsonl"
	: >"$WORK/file_commands/output"
	"${TIMER[@]}" env -i PATH="$PATH" HOME="$WORK/home" "${RUNNER_ENV[@]}" \
		GITHUB_WORKSPACE="$WORK/workspace" GITHUB_EVENT_PATH="$WORK/workflow/event.json" \
		GITHUB_OUTPUT="$WORK/file_commands/output" RUNNER_TEMP="$WORK/runner_temp" \
		GITHUB_CONTEXT="$(<"$WORK/github-context.json")" "${PEER_OFFLINE_ENV[@]}" \
		"$BIN/$PEER_NAME" attest --subjects-filename subjects.b64 -g multiple.intoto.jsonl
}

# statement_of TOOL prints the statement TOOL produced on its last run:
# provenant prints it after its ::add-mask:: commands, the peer writes a file.
statement_of() {
	case $1 in
	peer) cat "$WORK/workspace/multiple.intoto.jsonl" ;;
	*) sed -n '/^{/,$p' "$WORK/out/$1.stdout" ;;
	esac
}

# check_subjects TOOL records how many subjects TOOL's statement holds and
# whether they are exactly the input's (name and digest), so that the table
# proves both tools did the same work.
check_subjects() {
	local tool=$1 n same=no
	statement_of "$tool" | jq -r '.subject[] | "\(.digest.sha256)  \(.name)"' | sort >"$WORK/got.sorted"
	n=$(wc -l <"$WORK/got.sorted")
	cmp -s "$WORK/got.sorted" "$WORK/expected.sorted" && same=yes
	echo "$tool $n $same" >>"$WORK/subjects.txt"
}

measure() {
	local tools=(provenant-v1 provenant-v0.2 peer) i k tool
	TIMER=(/usr/bin/time -o "$WORK/time" -f '%e %U %S %M')
	mkdir -p "$WORK/out" "$WORK/home" "$WORK/file_commands" "$WORK/workflow"
	cp "$REPO_ROOT/$FIXTURE/event.json" "$WORK/workflow/event.json"
	while IFS= read -r kv; do RUNNER_ENV+=("$kv"); done < <(jq -r 'to_entries[] | "\(.key)=\(.value)"' "$REPO_ROOT/$FIXTURE/env.json")
	start_issuer
	trap stop_issuer EXIT
	cut -d' ' -f1-3 /proc/loadavg >"$WORK/load.before"
	# One untimed provenant run puts the input and the binary in the page
	# cache and checks the setup before the slow peer runs.
	log "warm-up"
	timed "$WORK/warmup.txt" provenant-v1 0 run_provenant v1
	: >"$WORK/runs.txt"
	: >"$WORK/subjects.txt"
	for ((i = 1; i <= RUNS; i++)); do
		log "round $i/$RUNS"
		# Rotate the order each round so no tool always runs first.
		for ((k = 0; k < ${#tools[@]}; k++)); do
			tool=${tools[(i + k) % ${#tools[@]}]}
			case $tool in
			provenant-v1) timed "$WORK/runs.txt" "$tool" "$i" run_provenant v1 ;;
			provenant-v0.2) timed "$WORK/runs.txt" "$tool" "$i" run_provenant v0.2 ;;
			peer) timed "$WORK/runs.txt" "$tool" "$i" run_peer ;;
			esac
			((i > 1)) || check_subjects "$tool"
		done
	done
	cut -d' ' -f1-3 /proc/loadavg >"$WORK/load.after"
}

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

# summarize prints "TOOL median_wall median_cpu max_rss_mib min_wall
# max_wall" per tool. The median resists the odd run slowed down by other
# load on the machine; the range shows how much there was.
summarize() {
	local tool
	for tool in provenant-v1 provenant-v0.2 peer; do
		awk -v t="$tool" '
			$1 == t {
				n++; wall[n] = $3; cpu[n] = $4 + $5; if ($6 > rss) rss = $6
				if (n == 1 || $3 < lo) lo = $3
				if ($3 > hi) hi = $3
			}
			function median(a, n,   i, j, x) {
				for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
				return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			}
			END { printf "%s %.2f %.2f %.1f %.2f %.2f\n", t, median(wall, n), median(cpu, n), rss / 1024, lo, hi }
		' "$WORK/runs.txt"
	done >"$WORK/summary.txt"
}

field() { awk -v t="$1" -v f="$2" '$1 == t { print $f }' "$3"; }

# table prints the markdown results: the run's facts, then one row per tool.
table() {
	local peer_wall peer_rss tool wall range cpu rss n same label pred
	peer_wall=$(field peer 2 "$WORK/summary.txt")
	peer_rss=$(field peer 4 "$WORK/summary.txt")
	echo "Run of $(date -u +%Y-%m-%d): $RUNS runs per tool, alternating; input $LINES lines," \
		"$(($(stat -c %s "$WORK/workspace/subjects.b64") / 1024)) KiB of base64;" \
		"$(nproc) CPUs ($(cpu_model)), $(go env GOVERSION);" \
		"load average $(<"$WORK/load.before") before, $(<"$WORK/load.after") after."
	echo
	echo "| Tool | Predicate | Median wall (s) | Wall range (s) | Median CPU (s) | Peak RSS (MiB) | Subjects (= input) | Wall provenant/peer | RSS provenant/peer |"
	echo "|---|---|---:|---:|---:|---:|---|---:|---:|"
	for tool in provenant-v1 provenant-v0.2 peer; do
		wall=$(field "$tool" 2 "$WORK/summary.txt")
		cpu=$(field "$tool" 3 "$WORK/summary.txt")
		rss=$(field "$tool" 4 "$WORK/summary.txt")
		range="$(field "$tool" 5 "$WORK/summary.txt")–$(field "$tool" 6 "$WORK/summary.txt")"
		n=$(field "$tool" 2 "$WORK/subjects.txt")
		same=$(field "$tool" 3 "$WORK/subjects.txt")
		case $tool in
		peer) label="slsa-github-generator generic $PEER_VERSION" pred=v0.2 ;;
		*) label="provenant" pred=${tool#provenant-} ;;
		esac
		if [[ $tool == peer ]]; then
			printf '| %s | %s | %s | %s | %s | %s | %s (%s) | 1 | 1 |\n' "$label" "$pred" "$wall" "$range" "$cpu" "$rss" "$n" "$same"
		else
			printf '| %s | %s | %s | %s | %s | %s | %s (%s) | %s | %s |\n' "$label" "$pred" "$wall" "$range" "$cpu" "$rss" "$n" "$same" \
				"$(awk -v a="$wall" -v b="$peer_wall" 'BEGIN { printf "%.3f", a / b }')" \
				"$(awk -v a="$rss" -v b="$peer_rss" 'BEGIN { printf "%.2f", a / b }')"
		fi
	done
}

cpu_model() {
	awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo
}

# write_results replaces the lines between the markers in BENCHMARKS.md.
write_results() {
	local doc=$REPO_ROOT/BENCHMARKS.md
	[[ -f $doc ]] || die "no BENCHMARKS.md to write into"
	if ! grep -qxF "$RESULTS_BEGIN" "$doc" || ! grep -qxF "$RESULTS_END" "$doc"; then
		die "BENCHMARKS.md lacks the lines $RESULTS_BEGIN and $RESULTS_END"
	fi
	awk -v b="$RESULTS_BEGIN" -v e="$RESULTS_END" -v f="$WORK/table.md" '
		$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip
	' "$doc" >"$WORK/BENCHMARKS.md"
	cat "$WORK/BENCHMARKS.md" >"$doc"
	log "updated BENCHMARKS.md"
}

# check_target fails when a provenant row misses the target or when a tool
# did not attest exactly the input's subjects.
check_target() {
	local tool wall rss fail=0
	for tool in provenant-v1 provenant-v0.2 peer; do
		[[ $(field "$tool" 3 "$WORK/subjects.txt") == yes ]] || {
			log "FAIL: $tool did not attest exactly the $LINES input subjects"
			fail=1
		}
	done
	if ((LINES != TARGET_LINES)); then
		log "the target applies to $TARGET_LINES lines; not checked for $LINES"
		return "$fail"
	fi
	for tool in provenant-v1 provenant-v0.2; do
		wall=$(field "$tool" 2 "$WORK/summary.txt")
		rss=$(field "$tool" 4 "$WORK/summary.txt")
		verdict dryrun "$tool, $LINES subjects" "${wall} s, ${rss} MiB" "< ${TARGET_SECONDS} s, < ${TARGET_MIB} MiB" \
			"$(holds 'w < tw && r < tr' w="$wall" r="$rss" tw="$TARGET_SECONDS" tr="$TARGET_MIB")" || fail=1
	done
	return "$fail"
}

# ---------------------------------------------------------------------------

# inner runs in the network namespace: only the measurement.
inner() {
	WORK=$BENCH_WORK
	measure
}

main() {
	local write=0 arg
	for arg in "$@"; do
		case $arg in
		--write) write=1 ;;
		-h | --help)
			usage
			exit 0
			;;
		*)
			usage >&2
			die "unknown argument: $arg"
			;;
		esac
	done
	[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number"
	[[ $LINES =~ ^[1-9][0-9]*$ ]] || die "BENCH_LINES must be a positive number"
	((write == 0 || LINES == TARGET_LINES)) || die "--write records only the $TARGET_LINES-line run"

	ensure_prereqs
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/provenant-bench.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
	build_project
	ensure_peer
	log "generating $LINES subjects"
	make_input
	make_peer_context

	# A private network namespace keeps the issuer off every network and
	# proves the peer's offline mode really is offline; fall back to plain
	# loopback where namespaces are not allowed.
	export BENCH_INNER=1 BENCH_WORK=$WORK
	# shellcheck disable=SC2016 # $0 is expanded by the inner bash, on purpose
	if unshare -n true 2>/dev/null; then
		unshare -n bash -c 'ip link set lo up && exec bash "$0"' "${BASH_SOURCE[0]}"
	elif unshare -rn true 2>/dev/null; then
		unshare -rn bash -c 'ip link set lo up && exec bash "$0"' "${BASH_SOURCE[0]}"
	else
		log "no network namespace available; serving on loopback"
		bash "${BASH_SOURCE[0]}"
	fi

	summarize
	table >"$WORK/table.md"
	cat "$WORK/table.md"
	((write == 0)) || write_results
	check_target
}

if [[ ${BENCH_INNER:-} == 1 ]]; then
	inner
else
	main "$@"
fi
