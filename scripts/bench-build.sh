#!/usr/bin/env bash
# bench-build.sh — statement building: provenance.Build for 1,000, 10,000
# and 100,000 subjects, SLSA v1 and v0.2, against protojson's marshalling of
# the same statement (how Build encoded subjects before), in the same run.
#
# Usage: scripts/bench-build.sh [--write]
#   --write   also replace the bench-build section of BENCHMARKS.md
#
# Environment:
#   BENCH_RUNS   runs of each case, rotated (default 5)
#
# Each run is a fresh process of the package's test binary running one
# sub-benchmark of BenchmarkBuild once (-test.benchtime 1x): the time is
# the benchmark's ns/op (building alone), the peak RSS is the process's
# (GNU time), which includes the subjects as subject.Resolve would hold them.
# Target: 100,000 subjects under 0.5 s and 120 MiB. Exits 1 when missed.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

SIZES=(1000 10000 100000)
VERSIONS=(v1 v0.2)
ENCODERS=(direct protojson)
TARGET_SECONDS=0.5
TARGET_MIB=120

# run_case N V ENC RUN appends "N/V/ENC RUN seconds cpu 0 rss_kib allocs
# bytes" to the runs file. The CPU column is the process's user+sys.
run_case() {
	local n=$1 v=$2 enc=$3 run=$4 label="$1/$2/$3" line
	(cd "$REPO_ROOT/internal/provenance" && /usr/bin/time -o "$BENCH_TMP/time" -f '%e %U %S %M' \
		"$BENCH_TMP/provenance.test" -test.run '^$' -test.benchtime 1x -test.benchmem \
		-test.bench "^BenchmarkBuild\$/^subjects=$n\$/^predicate=${v//./\\.}\$/^enc=$enc\$") >"$BENCH_TMP/out" 2>&1 ||
		{
			tail -n 20 "$BENCH_TMP/out" >&2
			die "BenchmarkBuild $label failed"
		}
	line=$(awk '/^BenchmarkBuild/ { print $3 / 1e9, $5, $7 }' "$BENCH_TMP/out")
	[[ -n $line ]] || die "no benchmark line for $label"
	read -r secs bytes allocs <<<"$line"
	read -r _ user sys rss <"$BENCH_TMP/time"
	echo "$label $run $secs $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') 0 $rss $bytes $allocs" >>"$RUNS_FILE"
}

table() {
	local n v enc wall lo hi cpu rss bytes allocs pwall prss
	echo "Run of $(date -u +%Y-%m-%d): $RUNS runs per case, rotated; $(machine);" \
		"load average $LOAD_BEFORE before, $(loadavg) after."
	echo
	echo "| Subjects | Predicate | Encoder | Median build (s) | Range (s) | Process CPU (s) | Peak RSS (MiB) | Allocated (MB) | Allocs | Build direct/protojson | RSS direct/protojson |"
	echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for n in "${SIZES[@]}"; do
		for v in "${VERSIONS[@]}"; do
			read -r pwall _ _ _ prss < <(stat_of "$RUNS_FILE" "$n/$v/protojson")
			for enc in "${ENCODERS[@]}"; do
				read -r wall lo hi cpu rss < <(stat_of "$RUNS_FILE" "$n/$v/$enc")
				read -r bytes allocs < <(awk -v t="$n/$v/$enc" '$1 == t { b = $7; a = $8 } END { printf "%.1f %d\n", b / 1e6, a }' "$RUNS_FILE")
				if [[ $enc == protojson ]]; then
					echo "| $n | $v | protojson (before) | $wall | $lo–$hi | $cpu | $rss | $bytes | $allocs | 1 | 1 |"
				else
					echo "| $n | $v | direct | $wall | $lo–$hi | $cpu | $rss | $bytes | $allocs | $(ratio "$wall" "$pwall") | $(ratio "$rss" "$prss") |"
				fi
			done
		done
	done
}

check_targets() {
	local v wall rss fail=0
	for v in "${VERSIONS[@]}"; do
		read -r wall _ _ _ rss < <(stat_of "$RUNS_FILE" "100000/$v/direct")
		verdict build "100,000 subjects, $v" "${wall} s, ${rss} MiB" "< ${TARGET_SECONDS} s, < ${TARGET_MIB} MiB" \
			"$(holds 'w < tw && r < tr' w="$wall" r="$rss" tw="$TARGET_SECONDS" tr="$TARGET_MIB")" || fail=1
	done
	return "$fail"
}

main() {
	local i k n v enc cases=()
	bench_init "$@"
	(cd "$REPO_ROOT" && go test -c -o "$BENCH_TMP/provenance.test" ./internal/provenance) || die "building the test binary failed"
	RUNS_FILE=$BENCH_TMP/runs.txt
	: >"$RUNS_FILE"
	for n in "${SIZES[@]}"; do
		for v in "${VERSIONS[@]}"; do
			for enc in "${ENCODERS[@]}"; do cases+=("$n $v $enc"); done
		done
	done
	LOAD_BEFORE=$(loadavg)
	for ((i = 1; i <= RUNS; i++)); do
		log "round $i/$RUNS"
		for ((k = 0; k < ${#cases[@]}; k++)); do
			# shellcheck disable=SC2086 # the case is three words on purpose
			run_case ${cases[(i + k) % ${#cases[@]}]} "$i"
		done
	done
	table >"$BENCH_TMP/table.md"
	cat "$BENCH_TMP/table.md"
	((WRITE == 0)) || write_section build "$BENCH_TMP/table.md"
	check_targets
}

main "$@"
