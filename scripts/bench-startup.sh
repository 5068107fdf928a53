#!/usr/bin/env bash
# bench-startup.sh — start-up and size: `provenant version` wall time
# against `cosign version` and `gh version` in the same run, package
# initialisation (GODEBUG=inittrace=1), binary size and image size.
#
# Usage: scripts/bench-startup.sh [--write]
#   --write   also replace the bench-startup section of BENCHMARKS.md
#
# Environment:
#   BENCH_STARTUP_RUNS   runs of each command, rotated (default 31)
#
# Wall time is taken with bash's EPOCHREALTIME around each run (GNU time
# counts in hundredths); CPU time is the total user+sys of all runs of a
# command, divided by the runs. The image is the binary and the CA bundle
# on an empty base, as scripts/image.sh assembles it; its size is computed
# here from the same files (uncompressed tar and gzip -6) without a
# registry. Target: start-up <= 15 ms. Exits 1 when missed.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

N=${BENCH_STARTUP_RUNS:-31}
TARGET_MS=15
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

# wall_ms CMD... prints the wall time of one run in milliseconds.
wall_ms() {
	local t0=${EPOCHREALTIME/./} t1
	"$@" >/dev/null 2>&1 || die "$* failed"
	t1=${EPOCHREALTIME/./}
	awk -v d=$((t1 - t0)) 'BEGIN { printf "%.2f\n", d / 1000 }'
}

# cpu_ms CMD... prints the mean user+sys of N runs in milliseconds.
cpu_ms() {
	local i
	/usr/bin/time -o "$BENCH_TMP/cpu" -f '%U %S' bash -c 'for ((i = 0; i < $0; i++)); do "$@" >/dev/null 2>&1; done' "$N" "$@"
	awk -v n="$N" '{ printf "%.2f\n", ($1 + $2) * 1000 / n }' "$BENCH_TMP/cpu"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

main() {
	local i k tool names=() cmds=() walls ref
	bench_init "$@"
	[[ $N =~ ^[1-9][0-9]*$ ]] || die "BENCH_STARTUP_RUNS must be a positive number"
	bench_build "$BENCH_TMP/provenant"
	names+=(provenant) cmds+=("$BENCH_TMP/provenant version")
	if [[ -x $BIN/cosign ]]; then names+=(cosign) cmds+=("$BIN/cosign version"); fi
	if [[ -x $BIN/gh ]]; then names+=(gh) cmds+=("$BIN/gh version"); fi
	LOAD_BEFORE=$(loadavg)
	for ((k = 0; k < ${#names[@]}; k++)); do
		# shellcheck disable=SC2086 # each command is words on purpose
		wall_ms ${cmds[k]} >/dev/null # warm the page cache
	done
	for ((i = 0; i < N; i++)); do
		for ((k = 0; k < ${#names[@]}; k++)); do
			tool=$(((i + k) % ${#names[@]}))
			# shellcheck disable=SC2086
			echo "$(wall_ms ${cmds[tool]})" >>"$BENCH_TMP/wall.${names[tool]}"
		done
	done
	ref=$(median <"$BENCH_TMP/wall.provenant")
	{
		echo "Run of $(date -u +%Y-%m-%d): $N runs per command, rotated; $(machine);" \
			"load average $LOAD_BEFORE before, $(loadavg) after."
		echo
		echo "| Command | Median wall (ms) | Wall range (ms) | Mean CPU (ms) | Binary (MiB) | provenant/this (wall) |"
		echo "|---|---:|---:|---:|---:|---:|"
		for ((k = 0; k < ${#names[@]}; k++)); do
			walls=$(median <"$BENCH_TMP/wall.${names[k]}")
			# shellcheck disable=SC2086
			echo "| \`${names[k]} version\` | $walls | $(sort -n "$BENCH_TMP/wall.${names[k]}" | awk 'NR == 1 { lo = $1 } END { print lo "–" $1 }') |" \
				"$(cpu_ms ${cmds[k]}) | $(awk -v s="$(stat -L -c %s "${cmds[k]%% *}")" 'BEGIN { printf "%.1f", s / 1048576 }') |" \
				"$(ratio "$ref" "$walls") |"
		done
		echo
		init_table
		echo
		image_sizes
	} >"$BENCH_TMP/table.md"
	cat "$BENCH_TMP/table.md"
	((WRITE == 0)) || write_section startup "$BENCH_TMP/table.md"
	if awk -v w="$ref" -v t="$TARGET_MS" 'BEGIN { exit !(w <= t) }'; then
		log "start-up ${ref} ms (target ≤ ${TARGET_MS} ms): met"
	else
		log "FAIL: start-up ${ref} ms (target ≤ ${TARGET_MS} ms)"
		return 1
	fi
}

# init_table sums GODEBUG=inittrace=1 over the packages of one run and
# lists the ten slowest to initialise.
init_table() {
	GODEBUG=inittrace=1 "$BENCH_TMP/provenant" version 2>"$BENCH_TMP/inittrace" >/dev/null
	awk '$1 == "init" { n++; ms += $5; kb += $8 / 1024; al += $10 }
		END { printf "Package initialisation (one run of `provenant version`, GODEBUG=inittrace=1): %d packages, %.1f ms clock, %.0f KiB in %d allocations. The slowest:\n", n, ms, kb, al }' \
		"$BENCH_TMP/inittrace"
	echo
	echo "| Package | Clock (ms) | Allocated (KiB) | Allocs |"
	echo "|---|---:|---:|---:|"
	awk '$1 == "init" { printf "| %s | %.3f | %.1f | %d |\n", $2, $5, $8 / 1024, $10 }' "$BENCH_TMP/inittrace" |
		sort -t'|' -k3 -g -r | head -n 10
}

# image_sizes prints the image's single layer, binary plus CA bundle.
image_sizes() {
	local d=$BENCH_TMP/image raw gz
	mkdir -p "$d/etc/ssl/certs" "$d/usr/local/bin"
	cp "$BENCH_TMP/provenant" "$d/usr/local/bin/provenant"
	[[ ! -f $CA_BUNDLE ]] || cp "$CA_BUNDLE" "$d/etc/ssl/certs/"
	tar -C "$d" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$BENCH_TMP/layer.tar" etc usr
	raw=$(stat -c %s "$BENCH_TMP/layer.tar")
	gz=$(gzip -6 -c "$BENCH_TMP/layer.tar" | wc -c)
	awk -v r="$raw" -v g="$gz" 'BEGIN { printf "Image (one layer: the binary and the CA bundle on an empty base): %.1f MiB uncompressed, %.1f MiB gzip-compressed.\n", r / 1048576, g / 1048576 }'
}

main "$@"
