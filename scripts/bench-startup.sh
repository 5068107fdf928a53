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
#   BENCH_INIT_RUNS      traced runs for the package initialisation table
#                        (default 21)
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
	verdict startup "provenant version, median wall" "${ref} ms" "≤ ${TARGET_MS} ms" "$(holds 'w <= t' w="$ref" t="$TARGET_MS")"
}

# INIT_RUNS is how many traced runs init_table takes the minimum over.
INIT_RUNS=${BENCH_INIT_RUNS:-21}

# init_table traces package initialisation (GODEBUG=inittrace=1) over
# INIT_RUNS runs of `provenant version` and keeps each package's fastest
# run, which other load on the machine cannot have slowed down. It gives
# the total, the part spent in packages that only sigstore-go/pkg/tlog
# (Rekor v1 entry verification, reached through pkg/sign, pkg/verify and
# pkg/bundle) brings in, the part in provenant's own packages, and the ten
# slowest packages.
init_table() {
	local i
	: >"$BENCH_TMP/inittrace"
	for ((i = 0; i < INIT_RUNS; i++)); do
		GODEBUG=inittrace=1 "$BENCH_TMP/provenant" version 2>>"$BENCH_TMP/inittrace" >/dev/null
	done
	(cd "$REPO_ROOT" && go list -deps github.com/sigstore/sigstore-go/pkg/tlog >"$BENCH_TMP/deps.tlog" &&
		go list -deps github.com/sigstore/sigstore-go/pkg/root ./internal/oidc ./internal/subject ./internal/provenance \
			github.com/google/go-containerregistry/pkg/v1/remote >"$BENCH_TMP/deps.other") || die "go list failed"
	grep -vxFf "$BENCH_TMP/deps.other" "$BENCH_TMP/deps.tlog" >"$BENCH_TMP/deps.tlogonly" || true
	awk '$1 == "init" { p = $2; if (!(p in ms) || $5 < ms[p]) ms[p] = $5; kb[p] = $8 / 1024; al[p] = $10 }
		END { for (p in ms) printf "%s %.3f %.1f %d\n", p, ms[p], kb[p], al[p] }' "$BENCH_TMP/inittrace" >"$BENCH_TMP/init.min"
	awk -v runs="$INIT_RUNS" 'NR == FNR { only[$1] = 1; next }
		{ n++; ms += $2; kb += $3; al += $4 }
		$1 in only { on++; oms += $2; okb += $3 }
		$1 ~ /^github.com\/provenant\// { pn++; pms += $2 }
		END { printf "Package initialisation of `provenant version` (GODEBUG=inittrace=1, each package'"'"'s fastest of %d runs): %d packages, %.1f ms, %.0f KiB in %d allocations. Of these, %d packages that only sigstore-go/pkg/tlog brings in (the Rekor v1 client and entry types, go-openapi, govalidator, grpc): %.1f ms and %.0f KiB; provenant'"'"'s own %d packages: %.2f ms. The slowest:\n", runs, n, ms, kb, al, on, oms, okb, pn, pms }' \
		"$BENCH_TMP/deps.tlogonly" "$BENCH_TMP/init.min"
	echo
	echo "| Package | Clock (ms) | Allocated (KiB) | Allocs | Only via pkg/tlog |"
	echo "|---|---:|---:|---:|---|"
	awk 'NR == FNR { only[$1] = 1; next } { printf "| %s | %.3f | %.1f | %d | %s |\n", $1, $2, $3, $4, ($1 in only ? "yes" : "no") }' \
		"$BENCH_TMP/deps.tlogonly" "$BENCH_TMP/init.min" | sort -t'|' -k3 -g -r | head -n 10
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
