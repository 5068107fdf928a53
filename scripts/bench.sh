#!/usr/bin/env bash
# bench.sh — `make bench`: every benchmark behind BENCHMARKS.md, each
# against its peers in the same run, one section after the other.
#
# Usage: scripts/bench.sh [--write] [SECTION...]
#   --write   also replace each section's table in BENCHMARKS.md
#   SECTION   any of: hash build dryrun startup e2e (default: all). e2e
#             needs the Sigstore services and verifiers: it first runs
#             scripts/install-tools.sh stack rekor-v1 verifiers (a no-op
#             when they are built), and counts as failed if that fails
#
# Environment: BENCH_RUNS (runs per command, default 5; e2e takes
# BENCH_E2E_RUNS, default 15) and each section's own variables; see
# scripts/bench-SECTION.sh --help.
#
# Every section records the machine and the load average with its table.
# The script runs every section even when one misses its target, and exits
# 1 at the end if any did.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

ALL=(hash build dryrun startup e2e)

main() {
	local args=() sections=() s failed=()
	for s in "$@"; do
		case $s in
		--write) args+=(--write) ;;
		-h | --help)
			sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
			exit 0
			;;
		hash | build | dryrun | startup | e2e) sections+=("$s") ;;
		*) die "unknown argument: $s" ;;
		esac
	done
	((${#sections[@]} > 0)) || sections=("${ALL[@]}")
	log "machine: $(machine)"
	local load_before
	load_before=$(loadavg)
	BENCH_VERDICTS=$(mktemp)
	export BENCH_VERDICTS
	trap 'rm -f "$BENCH_VERDICTS"' EXIT
	for s in "${sections[@]}"; do
		if [[ $s == e2e ]] && ! bash "$REPO_ROOT/scripts/install-tools.sh" stack rekor-v1 verifiers; then
			log "skipping e2e: installing the Sigstore services and verifiers into $BIN failed" \
				"(scripts/install-tools.sh stack rekor-v1 verifiers)"
			failed+=("e2e")
			continue
		fi
		log "=== $s (load average $(loadavg))"
		bash "$REPO_ROOT/scripts/bench-$s.sh" "${args[@]}" || failed+=("$s")
	done
	{
		echo
		echo "Targets, $(date -u +%Y-%m-%d): $(machine); load average $load_before before, $(loadavg) after." \
			"Medians and ranges are in each section's table above."
		echo
		echo "| Section | What | Measured | Target | |"
		echo "|---|---|---|---|---|"
		cat "$BENCH_VERDICTS"
		# A section that failed without a missed target in the table (it
		# stopped, or a check beside the targets failed) gets a row too.
		for s in "${failed[@]}"; do
			grep -q "^| $s | .* | missed |\$" "$BENCH_VERDICTS" ||
				echo "| $s | the section as a whole | stopped, or a check beside the targets failed: see its log above | runs to the end | failed |"
		done
	}
	if ((${#failed[@]} > 0)); then
		log "missed a target or failed: ${failed[*]}"
		exit 1
	fi
}

main "$@"
