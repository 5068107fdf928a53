# bench-lib.sh — helpers shared by the scripts/bench-*.sh sections of
# `make bench`. Sourced, not run.
#
# Every measurement is a line "LABEL RUN wall user sys rss_kib" in a runs
# file; summaries give medians (and min–max) so that the odd run slowed by
# other load on the machine does not decide a figure. The load average is
# recorded before and after each section, next to its table.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${PROVENANT_TOOLS:-$REPO_ROOT/.tools}
BIN=$TOOLS/bin
RUNS=${BENCH_RUNS:-5}
DOC=$REPO_ROOT/BENCHMARKS.md
export GOTOOLCHAIN=local GOWORK=off

die() {
	echo "bench: $*" >&2
	exit 1
}

log() { echo "bench: $*" >&2; }

# verdict SECTION WHAT MEASURED TARGET MET logs whether a target is met
# (MET is 1 or 0) and, under scripts/bench.sh, adds a row to the summary
# table it prints at the end. It returns 1 when the target is missed.
verdict() {
	local state=met
	[[ ${5:-0} == 1 ]] || state=missed
	if [[ $state == met ]]; then log "$2: $3 (target $4): met"; else log "FAIL: $2: $3 (target $4)"; fi
	[[ -z ${BENCH_VERDICTS:-} ]] || echo "| $1 | $2 | $3 | $4 | $state |" >>"$BENCH_VERDICTS"
	[[ $state == met ]]
}

# holds EXPR VAR=VALUE... prints 1 when the awk expression EXPR holds for
# the values, else 0.
holds() {
	local expr=$1 args=() a
	shift
	for a in "$@"; do
		# A value that is not a number (an empty median, "–") never meets
		# a target: awk would compare it as a string.
		[[ ${a#*=} =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || { echo 0 && return; }
		args+=(-v "$a")
	done
	awk "${args[@]}" "BEGIN { if ($expr) print 1; else print 0 }"
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

cpu_model() { awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo; }

# machine prints one line of facts about the machine and the moment.
machine() {
	local sha=no
	grep -qw sha_ni /proc/cpuinfo && sha=yes
	echo "$(nproc) CPUs ($(cpu_model), SHA-NI: $sha), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM," \
		"$(uname -sr), $(go env GOVERSION)"
}

# bench_build builds provenant into $1 the way releases are built.
bench_build() {
	(cd "$REPO_ROOT" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$1" ./cmd/provenant) ||
		die "building provenant failed"
}

# timed RUNS_FILE LABEL RUN CMD...: runs CMD with stdout and stderr to
# $BENCH_TMP/out.LABEL and appends "LABEL RUN wall user sys rss_kib". A failed
# run stops the benchmark: its numbers would mean nothing.
timed() {
	local out=$1 label=$2 run=$3
	shift 3
	if ! /usr/bin/time -o "$BENCH_TMP/time" -f '%e %U %S %M' "$@" >"$BENCH_TMP/out.$label" 2>&1; then
		tail -n 20 "$BENCH_TMP/out.$label" >&2
		die "$label failed on run $run: $*"
	fi
	echo "$label $run $(tail -n 1 "$BENCH_TMP/time")" >>"$out"
}

# stat_of RUNS_FILE LABEL prints "median_wall min_wall max_wall median_cpu
# max_rss_mib" over LABEL's runs.
stat_of() {
	awk -v t="$2" '
		function median(a, n,   i, j, x) {
			for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		$1 == t {
			n++; wall[n] = $3; cpu[n] = $4 + $5; if ($6 > rss) rss = $6
			if (n == 1 || $3 < lo) lo = $3
			if ($3 > hi) hi = $3
		}
		END { if (n == 0) exit 1; printf "%.3f %.3f %.3f %.3f %.1f\n", median(wall, n), lo, hi, median(cpu, n), rss / 1024 }
	' "$1" || die "no runs of $2 in $1"
}

# ratio A B prints A/B with three decimals, or "–" when B is zero.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "–"; else printf "%.3f\n", a / b }'; }

# write_section NAME FILE replaces the lines between "<!-- bench-NAME:begin
# -->" and "<!-- bench-NAME:end -->" in BENCHMARKS.md with FILE.
write_section() {
	local b="<!-- bench-$1:begin -->" e="<!-- bench-$1:end -->"
	grep -qxF "$b" "$DOC" && grep -qxF "$e" "$DOC" || die "BENCHMARKS.md lacks the lines $b and $e"
	awk -v b="$b" -v e="$e" -v f="$2" '
		$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip
	' "$DOC" >"$BENCH_TMP/doc.md"
	cat "$BENCH_TMP/doc.md" >"$DOC"
	log "updated section $1 of BENCHMARKS.md"
}

# bench_init makes $BENCH_TMP (removed on exit) and reads --write.
WRITE=0
bench_init() {
	local arg
	for arg in "$@"; do
		case $arg in
		--write) WRITE=1 ;;
		-h | --help)
			sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
			exit 0
			;;
		*) die "unknown argument: $arg" ;;
		esac
	done
	[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "the runs per command must be a positive number, not \"$RUNS\" (BENCH_RUNS; for e2e, BENCH_E2E_RUNS)"
	BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/provenant-bench.XXXXXX")
	trap 'rm -rf "$BENCH_TMP"' EXIT
}
