#!/usr/bin/env bash
# bench-hash.sh — hashing subjects: `provenant subjects --subject-path`
# (the code attest uses) against sha256sum and openssl dgst -sha256 over the
# same files, page cache warm: one large file, and many small files.
#
# Usage: scripts/bench-hash.sh [--write]
#   --write   also replace the bench-hash section of BENCHMARKS.md
#
# Environment:
#   BENCH_RUNS        timed runs of each tool, rotated (default 5)
#   BENCH_HASH_DIR    where the input files are kept between runs (default
#                     $TMPDIR/provenant-bench-hash; about 3 GiB)
#   BENCH_BIG_MIB     size of the large file in MiB (default 2048)
#   BENCH_MANY        number of small files (default 10000)
#   BENCH_MANY_KIB    size of each small file in KiB (default 100)
#
# The peers run sequentially (one process over all files), as a user would
# run them. openssl speed -evp sha256 gives the CPU's SHA-256 limit. The
# targets: one file at >= 0.95 times openssl's throughput; many files at
# >= 1.8 times sequential openssl on 2 CPUs. Exits 1 when one is missed.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

DATA=${BENCH_HASH_DIR:-${TMPDIR:-/tmp}/provenant-bench-hash}
BIG_MIB=${BENCH_BIG_MIB:-2048}
MANY=${BENCH_MANY:-10000}
MANY_KIB=${BENCH_MANY_KIB:-100}

# make_data writes the input files once; a stamp records their shape.
make_data() {
	local stamp="$BIG_MIB $MANY $MANY_KIB"
	if [[ -f $DATA/stamp && $(<"$DATA/stamp") == "$stamp" ]]; then
		log "reusing the input files in $DATA"
		return
	fi
	log "writing $BIG_MIB MiB and $MANY files of $MANY_KIB KiB to $DATA"
	rm -rf "$DATA"
	mkdir -p "$DATA/many"
	head -c "$((BIG_MIB << 20))" /dev/urandom >"$DATA/big.bin"
	head -c "$((MANY * MANY_KIB << 10))" /dev/urandom |
		(cd "$DATA/many" && split -b "$((MANY_KIB << 10))" -d -a 6 - f)
	echo "$stamp" >"$DATA/stamp"
}

# openssl_limit prints openssl's EVP sha256 throughput on 1 MiB blocks in
# MB/s (10^6 bytes).
openssl_limit() {
	openssl speed -evp sha256 -bytes 1048576 -seconds 3 2>/dev/null |
		awk '/^sha256/ { v = $NF; sub(/k$/, "", v); printf "%.0f\n", v / 1000 }'
}

# measure CASE TOOLS...: RUNS rotated rounds of every tool on CASE.
measure() {
	local case=$1 i k tool
	shift
	local tools=("$@")
	for ((i = 1; i <= RUNS; i++)); do
		for ((k = 0; k < ${#tools[@]}; k++)); do
			tool=${tools[(i + k) % ${#tools[@]}]}
			run_tool "$case" "$tool" "$i"
		done
	done
}

run_tool() {
	local case=$1 tool=$2 run=$3 what=big.bin out=$RUNS_FILE
	[[ $case == big ]] || what='many/*'
	((run > 0)) || out=$BENCH_TMP/check.txt
	cd "$DATA"
	case $tool in
	provenant) timed "$out" "$case-$tool" "$run" "$BENCH_TMP/provenant" subjects --format sha256sum --subject-path "$what" ;;
	provenant-1cpu) timed "$out" "$case-$tool" "$run" env GOMAXPROCS=1 "$BENCH_TMP/provenant" subjects --format sha256sum --subject-path "$what" ;;
	# shellcheck disable=SC2086 # the glob is meant to expand
	sha256sum) timed "$out" "$case-$tool" "$run" sha256sum $what ;;
	# shellcheck disable=SC2086
	openssl) timed "$out" "$case-$tool" "$run" openssl dgst -sha256 $what ;;
	esac
}

# check_same makes sure every tool printed the same digests for CASE.
check_same() {
	local case=$1 tool
	for tool in provenant sha256sum openssl; do
		run_tool "$case" "$tool" 0 >/dev/null
		case $tool in
		openssl) sed -E 's/^SHA2?-?256\((.*)\)= ([0-9a-f]+)$/\2  \1/' "$BENCH_TMP/out.$case-$tool" ;;
		*) cat "$BENCH_TMP/out.$case-$tool" ;;
		esac | sort >"$BENCH_TMP/sums.$tool"
	done
	cmp -s "$BENCH_TMP/sums.provenant" "$BENCH_TMP/sums.sha256sum" &&
		cmp -s "$BENCH_TMP/sums.openssl" "$BENCH_TMP/sums.sha256sum" ||
		die "the tools disagree on the digests of the $case case"
}

table() {
	local bytes_big bytes_many case tool s wall lo hi cpu rss ref mbs label
	bytes_big=$(stat -c %s "$DATA/big.bin")
	bytes_many=$((MANY * MANY_KIB << 10))
	echo "Run of $(date -u +%Y-%m-%d): $RUNS runs per tool, rotated; $(machine);" \
		"load average $LOAD_BEFORE before, $(loadavg) after. openssl speed -evp sha256 (1 MiB blocks): **$LIMIT MB/s**."
	echo
	echo "| Input | Tool | Median wall (s) | Wall range (s) | Median CPU (s) | MB/s | Throughput vs openssl dgst | vs sha256sum | CPU time vs openssl dgst |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	for case in big many; do
		local refcpu refsum
		read -r ref _ _ refcpu _ < <(stat_of "$RUNS_FILE" "$case-openssl")
		refsum=$(stat_of "$RUNS_FILE" "$case-sha256sum" | cut -d' ' -f1)
		for tool in provenant provenant-1cpu sha256sum openssl; do
			read -r wall lo hi cpu rss < <(stat_of "$RUNS_FILE" "$case-$tool")
			if [[ $case == big ]]; then
				label="1 file, $BIG_MIB MiB" mbs=$(awk -v b="$bytes_big" -v w="$wall" 'BEGIN { printf "%.0f", b / w / 1e6 }')
			else
				label="$MANY files × $MANY_KIB KiB" mbs=$(awk -v b="$bytes_many" -v w="$wall" 'BEGIN { printf "%.0f", b / w / 1e6 }')
			fi
			case $tool in
			provenant-1cpu) s="provenant, GOMAXPROCS=1" ;;
			openssl) s="openssl dgst -sha256" ;;
			*) s=$tool ;;
			esac
			echo "| $label | $s | $wall | $lo–$hi | $cpu | $mbs | $(ratio "$ref" "$wall") | $(ratio "$refsum" "$wall") | $(ratio "$cpu" "$refcpu") |"
		done
	done
}

check_targets() {
	local big many fail=0
	big=$(ratio "$(stat_of "$RUNS_FILE" big-openssl | cut -d' ' -f1)" "$(stat_of "$RUNS_FILE" big-provenant | cut -d' ' -f1)")
	many=$(ratio "$(stat_of "$RUNS_FILE" many-openssl | cut -d' ' -f1)" "$(stat_of "$RUNS_FILE" many-provenant | cut -d' ' -f1)")
	verdict hash "one file, throughput against openssl dgst" "${big}×" "≥ 0.95×" "$(holds 'r >= 0.95' r="$big")" || fail=1
	verdict hash "many files, throughput against sequential openssl dgst" "${many}×" "≥ 1.8× on 2 CPUs" "$(holds 'r >= 1.8' r="$many")" || fail=1
	return "$fail"
}

main() {
	bench_init "$@"
	make_data
	bench_build "$BENCH_TMP/provenant"
	RUNS_FILE=$BENCH_TMP/runs.txt
	: >"$RUNS_FILE"
	log "warming the page cache"
	cat "$DATA/big.bin" "$DATA"/many/* >/dev/null
	check_same big
	check_same many
	LOAD_BEFORE=$(loadavg)
	log "openssl speed"
	LIMIT=$(openssl_limit)
	log "one file ($BIG_MIB MiB)"
	measure big provenant provenant-1cpu sha256sum openssl
	log "many files ($MANY × $MANY_KIB KiB)"
	measure many provenant provenant-1cpu sha256sum openssl
	table >"$BENCH_TMP/table.md"
	cat "$BENCH_TMP/table.md"
	((WRITE == 0)) || write_section hash "$BENCH_TMP/table.md"
	check_targets
}

main "$@"
