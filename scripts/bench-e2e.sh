#!/usr/bin/env bash
# bench-e2e.sh — end to end against the local Sigstore stack (Fulcio, a CT
# log, Rekor v2 and a TSA, started by internal/testing/stack (its sigstore-stack command) in a private
# network namespace): `provenant attest` of one file and of 1,000 files
# against `cosign attest-blob` signing the same statement with the same
# services; then verification of the one-file bundle with `provenant
# verify`, `cosign verify-blob-attestation` and `gh attestation verify`,
# and `provenant verify` of the 1,000 files against their one .intoto.jsonl.
# With Rekor v2, also an image pushed to the stack's registry: `provenant
# attest` with push-to-registry against `cosign attest` with the same
# predicate. Then the two file jobs again against a Rekor v1 log (with the CT log
# and the TSA), when rekor-server is installed
# (scripts/install-tools.sh rekor-v1).
#
# provenant runs with the timings input on: the breakdown table gives the
# median of each of its spans (token, Fulcio, TSA, log upload, which for
# Rekor v2 holds the wait for a checkpoint, self-verification, writes),
# and its time without the log upload.
#
# Usage: scripts/bench-e2e.sh [--write]
#   --write   also replace the bench-e2e section of BENCHMARKS.md
#
# Environment:
#   BENCH_E2E_RUNS    runs of each command, rotated (default 15)
#   BENCH_E2E_AT_ONCE attestations of one image started at once (default 8)
#   BENCH_E2E_AT_ONCE_ROUNDS  rounds of those, a fresh image each (default 3)
#   BENCH_E2E_FILES   files in the large case (default 1000)
#   PROVENANT_TOOLS   tools dir holding cosign, gh and the services
#                     (scripts/install-tools.sh stack verifiers)
#
# cosign gets what provenant signed: the statement is taken from
# provenant's bundle, written to a file and passed with --statement, with a
# fresh token from the same fake issuer each run; so cosign's time holds no
# hashing and no statement building. Both tools wait for Rekor v2 to
# include the entry in a checkpoint; that wait is the same for both and is
# part of both times. Targets: provenant attest <= 0.5 times cosign's wall
# time; provenant verify <= 0.25 times the faster peer on one bundle, and
# linear in the number of artifacts.
set -euo pipefail
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"

# The Rekor v2 log's wait varies by up to a second a run, so this section
# takes more runs than the others to give medians that hold.
RUNS=${BENCH_E2E_RUNS:-15}
FILES=${BENCH_E2E_FILES:-1000}
CONC=${BENCH_E2E_AT_ONCE:-8}
CONC_ROUNDS=${BENCH_E2E_AT_ONCE_ROUNDS:-3}
[[ $CONC =~ ^[1-9][0-9]*$ && $CONC_ROUNDS =~ ^[0-9]+$ ]] ||
	die "BENCH_E2E_AT_ONCE must be a positive number and BENCH_E2E_AT_ONCE_ROUNDS a number, not \"$CONC\" and \"$CONC_ROUNDS\""
FIXTURE=$REPO_ROOT/testdata/github/tag_push

outer() {
	bench_init "$@"
	for t in cosign gh fulcio; do [[ -x $BIN/$t ]] || die "$BIN/$t is missing; run scripts/install-tools.sh stack verifiers"; done
	bench_build "$BENCH_TMP/provenant"
	(cd "$REPO_ROOT" && go build -o "$BENCH_TMP/sigstore-stack" ./internal/testing/stack/cmd/sigstore-stack &&
		go build -o "$BENCH_TMP/mkimage" ./internal/image/cmd/mkimage)
	LOAD_BEFORE=$(loadavg)
	: >"$BENCH_TMP/runs.txt"
	: >"$BENCH_TMP/timings.txt"
	: >"$BENCH_TMP/concurrent.txt"
	PATH="$BIN:$PATH" BENCH_E2E_INNER=1 BENCH_E2E_LOG=v2 BENCH_TMP=$BENCH_TMP RUNS=$RUNS \
		"$BENCH_TMP/sigstore-stack" --rekor v2 --ct --tsa --registry -- bash "${BASH_SOURCE[0]}" ||
		die "the measurement inside the stack (Rekor v2) failed"
	if [[ -x $BIN/rekor-server ]]; then
		PATH="$BIN:$PATH" BENCH_E2E_INNER=1 BENCH_E2E_LOG=v1 BENCH_TMP=$BENCH_TMP RUNS=$RUNS \
			"$BENCH_TMP/sigstore-stack" --rekor v1 --ct --tsa -- bash "${BASH_SOURCE[0]}" ||
			die "the measurement inside the stack (Rekor v1) failed"
	else
		log "no $BIN/rekor-server: leaving out the Rekor v1 rows (scripts/install-tools.sh rekor-v1)"
	fi
	table >"$BENCH_TMP/table.md"
	cat "$BENCH_TMP/table.md"
	((WRITE == 0)) || write_section e2e "$BENCH_TMP/table.md"
	check_targets
}

# --- inside the stack -------------------------------------------------------

inner() {
	local ws1=$BENCH_TMP/ws1 wsn=$BENCH_TMP/wsn i k
	RUNS_FILE=$BENCH_TMP/runs.txt
	rm -rf "$ws1" "$wsn"
	mkdir -p "$ws1/dist" "$wsn/dist" "$BENCH_TMP/home" "$BENCH_TMP/fc"
	head -c 1048576 /dev/urandom >"$ws1/dist/app.bin"
	for ((i = 0; i < FILES; i++)); do head -c 10240 /dev/urandom >"$wsn/dist/f$(printf %05d "$i").bin"; done
	RUNNER_ENV=()
	while IFS= read -r kv; do RUNNER_ENV+=("$kv"); done < <(jq -r 'to_entries[] | "\(.key)=\(.value)"' "$FIXTURE/env.json")
	# One untimed round makes the bundles the peers and verifiers use.
	attest "$ws1" 0
	attest "$wsn" 0
	if [[ $BENCH_E2E_LOG == v2 ]]; then
		IMAGE_REF=$("$BENCH_TMP/mkimage" --binary "$BENCH_TMP/provenant" --ca /etc/ssl/certs/ca-certificates.crt \
			--ref "$REGISTRY/bench/app:latest" --version bench --revision bench 2>"$BENCH_TMP/mkimage.log") ||
			{ cat "$BENCH_TMP/mkimage.log" >&2; die "pushing the image to $REGISTRY failed"; }
		mkdir -p "$BENCH_TMP/wsi"
		attest_image 0
		statement_of "$BENCH_TMP/wsi" | jq .predicate >"$BENCH_TMP/predicate.json"
	fi
	statement_of "$ws1" >"$BENCH_TMP/stmt1.json"
	statement_of "$wsn" >"$BENCH_TMP/stmtn.json"
	local cmds=(p1 pn c1 cn v1 vc1 vg1 vn)
	# With Rekor v1 only the attest jobs run; their labels say so.
	if [[ $BENCH_E2E_LOG == v2 ]]; then cmds+=(pi ci); else cmds=(p1 pn c1 cn); fi
	for ((i = 1; i <= RUNS; i++)); do
		for ((k = 0; k < ${#cmds[@]}; k++)); do
			one "${cmds[(i + k) % ${#cmds[@]}]}" "$i"
		done
	done
	if [[ $BENCH_E2E_LOG == v2 ]]; then
		for ((i = 1; i <= CONC_ROUNDS; i++)); do
			at_once provenant "$i"
			at_once cosign "$i"
		done
	fi
}

# at_once TOOL ROUND starts CONC attestations of one fresh image at once,
# each the job of its own workflow run, as matrix jobs or separate
# workflows attesting one image do, and appends "TOOL ROUND wall kept
# failed" to concurrent.txt: the batch's wall time, how many referrers the
# image's fallback index lists afterwards (docker-registry has no
# referrers API; both tools then keep the referrers tag schema's index)
# and how many processes exited non-zero.
at_once() {
	local tool=$1 round=$2 ref i pids=() fails=0 start end kept
	ref=$("$BENCH_TMP/mkimage" --binary "$BENCH_TMP/provenant" --ca /etc/ssl/certs/ca-certificates.crt \
		--ref "$REGISTRY/bench/at-once-$tool-$round:latest" --version "$tool$round" --revision bench 2>"$BENCH_TMP/mkimage.log") ||
		{ cat "$BENCH_TMP/mkimage.log" >&2; die "pushing the image to $REGISTRY failed"; }
	local job=() tok=()
	for ((i = 0; i < CONC; i++)); do
		if [[ $tool == provenant ]]; then
			job[i]=$(curl -fsS -X POST -H "Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
				-d "{\"run_id\":\"$((9000 + 100 * round + i))\",\"run_attempt\":\"1\"}" "${OIDC_ISSUER%/}/_jobs" | jq -r .request_token)
			mkdir -p "$BENCH_TMP/at-once/$i/.sigstore"
			cp "$SIGSTORE_SIGNING_CONFIG" "$BENCH_TMP/at-once/$i/.sigstore/signing_config.json"
			cp "$SIGSTORE_TRUSTED_ROOT" "$BENCH_TMP/at-once/$i/.sigstore/trusted_root.json"
		else
			tok[i]=$(token)
		fi
	done
	start=$(date +%s.%N)
	for ((i = 0; i < CONC; i++)); do
		if [[ $tool == provenant ]]; then
			(cd "$BENCH_TMP/at-once/$i" && exec env -i PATH="$PATH" HOME="$BENCH_TMP/home" RUNNER_TEMP="$BENCH_TMP" "${RUNNER_ENV[@]}" \
				GITHUB_RUN_ID=$((9000 + 100 * round + i)) GITHUB_WORKSPACE="$BENCH_TMP/at-once/$i" GITHUB_EVENT_PATH="$FIXTURE/event.json" \
				GITHUB_OUTPUT=/dev/null GITHUB_STEP_SUMMARY=/dev/null \
				ACTIONS_ID_TOKEN_REQUEST_URL="$ACTIONS_ID_TOKEN_REQUEST_URL" ACTIONS_ID_TOKEN_REQUEST_TOKEN="${job[i]}" \
				INPUT_IMAGE="$ref" INPUT_PUSH-TO-REGISTRY=true INPUT_SIGSTORE=.sigstore/signing_config.json \
				INPUT_TRUSTED-ROOT=.sigstore/trusted_root.json INPUT_OIDC-ISSUER="$OIDC_ISSUER" INPUT_OUTPUT-DIR=. \
				"$BENCH_TMP/provenant" attest) >"$BENCH_TMP/at-once.$i.log" 2>&1 &
		else
			cosign attest --predicate "$BENCH_TMP/predicate.json" --type slsaprovenance1 \
				--signing-config "$SIGSTORE_SIGNING_CONFIG" --trusted-root "$SIGSTORE_TRUSTED_ROOT" \
				--identity-token "${tok[i]}" --allow-http-registry --yes "$ref" >"$BENCH_TMP/at-once.$i.log" 2>&1 &
		fi
		pids+=($!)
	done
	for ((i = 0; i < CONC; i++)); do
		wait "${pids[i]}" || { fails=$((fails + 1)) && tail -n 5 "$BENCH_TMP/at-once.$i.log" >&2; }
	done
	end=$(date +%s.%N)
	local digest=${ref#*@} repo=${ref%@*}
	repo=${repo#*/}
	# No fallback index at all (every run failed) is none kept.
	kept=$(curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json' \
		"http://$REGISTRY/v2/$repo/manifests/${digest/:/-}" 2>/dev/null | jq '[.manifests[].digest] | unique | length') || kept=0
	echo "$tool $round $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') $kept $fails" >>"$BENCH_TMP/concurrent.txt"
	log "$CONC × $tool at once, round $round: kept $kept, $fails failed"
}

# attest_image RUN attests the image and attaches the attestation to it.
attest_image() {
	attest "$BENCH_TMP/wsi" "$1" INPUT_IMAGE="$IMAGE_REF" INPUT_PUSH-TO-REGISTRY=true
}

# attest WS RUN [VAR=VALUE...] runs provenant attest as the runner runs the
# action, with the files of WS/dist or the inputs given.
attest() {
	local ws=$1 run=$2 label=p1
	shift 2
	local inputs=("$@")
	((${#inputs[@]} > 0)) || inputs=(INPUT_SUBJECT-PATH='dist/*')
	case $ws in
	*/wsn) label=pn ;;
	*/wsi) label=pi ;;
	esac
	label=$(mode_label "$label")
	rm -f "$ws"/*.intoto.jsonl "$ws"/*.sigstore.json
	# Action inputs may name only files inside the workspace.
	mkdir -p "$ws/.sigstore"
	cp "$SIGSTORE_SIGNING_CONFIG" "$ws/.sigstore/signing_config.json"
	cp "$SIGSTORE_TRUSTED_ROOT" "$ws/.sigstore/trusted_root.json"
	: >"$BENCH_TMP/fc/output"
	local out=$RUNS_FILE
	((run > 0)) || out=$BENCH_TMP/warmup.txt
	(cd "$ws" && timed "$out" "$label" "$run" env -i PATH="$PATH" HOME="$BENCH_TMP/home" RUNNER_TEMP="$BENCH_TMP" "${RUNNER_ENV[@]}" \
		GITHUB_WORKSPACE="$ws" GITHUB_EVENT_PATH="$FIXTURE/event.json" \
		GITHUB_OUTPUT="$BENCH_TMP/fc/output" GITHUB_STEP_SUMMARY=/dev/null \
		ACTIONS_ID_TOKEN_REQUEST_URL="$ACTIONS_ID_TOKEN_REQUEST_URL" \
		ACTIONS_ID_TOKEN_REQUEST_TOKEN="$ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
		"${inputs[@]}" INPUT_SIGSTORE=.sigstore/signing_config.json \
		INPUT_TRUSTED-ROOT=.sigstore/trusted_root.json INPUT_OIDC-ISSUER="$OIDC_ISSUER" \
		INPUT_PREDICATE-VERSION=v1 INPUT_OUTPUT-DIR=. INPUT_TIMINGS=true "$BENCH_TMP/provenant" attest)
	if ((run == 0)); then
		cp "$BENCH_TMP/fc/output" "$ws/.outputs"
	else
		local js
		js=$(sed -n 's/^provenant timings: //p' "$BENCH_TMP/out.$label")
		[[ -n $js ]] || die "provenant attest printed no timings"
		echo "$label $run $js" >>"$BENCH_TMP/timings.txt"
	fi
}

# mode_label LABEL adds "-r1" to LABEL inside the Rekor v1 stack.
mode_label() {
	if [[ ${BENCH_E2E_LOG:-v2} == v1 ]]; then echo "$1-r1"; else echo "$1"; fi
}

output() { grep -A1 "^$2<<" "$1/.outputs" | tail -1; }

statement_of() { jq -r .dsseEnvelope.payload "$1/$(output "$1" bundle-path)" | base64 -d; }

token() {
	curl -fsS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=sigstore" | jq -r .value
}

one() {
	local c=$1 run=$2 ws1=$BENCH_TMP/ws1 wsn=$BENCH_TMP/wsn id
	# The log answers once a checkpoint holds the entry. A job that always
	# follows the same other job (the rotation keeps the cyclic order)
	# would start at the same phase of the log's checkpoint and batch
	# timers each run; an untimed pause of 0-1 s gives every signing job
	# a random phase, so neither tool's median rides on its neighbour.
	case $c in p? | c?) sleep "$(printf '0.%03d' $((RANDOM % 1000)))" ;; esac
	case $c in
	p1) attest "$ws1" "$run" ;;
	pn) attest "$wsn" "$run" ;;
	pi) attest_image "$run" ;;
	ci)
		timed "$RUNS_FILE" ci "$run" cosign attest --predicate "$BENCH_TMP/predicate.json" --type slsaprovenance1 \
			--signing-config "$SIGSTORE_SIGNING_CONFIG" --trusted-root "$SIGSTORE_TRUSTED_ROOT" \
			--identity-token "$(token)" --allow-http-registry --yes "$IMAGE_REF"
		;;
	c1 | cn)
		local stmt=$BENCH_TMP/stmt1.json
		[[ $c == c1 ]] || stmt=$BENCH_TMP/stmtn.json
		rm -f "$BENCH_TMP/cosign.bundle"
		timed "$RUNS_FILE" "$(mode_label "$c")" "$run" cosign attest-blob --statement "$stmt" --bundle "$BENCH_TMP/cosign.bundle" \
			--signing-config "$SIGSTORE_SIGNING_CONFIG" --trusted-root "$SIGSTORE_TRUSTED_ROOT" \
			--identity-token "$(token)" --yes
		;;
	v1)
		timed "$RUNS_FILE" v1 "$run" "$BENCH_TMP/provenant" verify "$ws1/dist/app.bin" \
			--provenance-path "$ws1/$(output "$ws1" provenance-name)" --trusted-root "$SIGSTORE_TRUSTED_ROOT" \
			--cert-oidc-issuer "$OIDC_ISSUER" --source-uri github.com/octo-org/octo-repo --source-tag v1.2.3 \
			--signer-workflow octo-org/octo-repo/.github/workflows/release.yml
		;;
	vn)
		timed "$RUNS_FILE" vn "$run" "$BENCH_TMP/provenant" verify "$wsn"/dist/*.bin \
			--provenance-path "$wsn/$(output "$wsn" provenance-name)" --trusted-root "$SIGSTORE_TRUSTED_ROOT" \
			--cert-oidc-issuer "$OIDC_ISSUER" --source-uri github.com/octo-org/octo-repo --source-tag v1.2.3 \
			--signer-workflow octo-org/octo-repo/.github/workflows/release.yml
		;;
	vc1)
		id=$(output "$ws1" certificate-identity)
		timed "$RUNS_FILE" vc1 "$run" cosign verify-blob-attestation --bundle "$ws1/$(output "$ws1" bundle-path)" \
			--trusted-root "$SIGSTORE_TRUSTED_ROOT" --certificate-identity "$id" --certificate-oidc-issuer "$OIDC_ISSUER" \
			--type slsaprovenance1 --use-signed-timestamps "$ws1/dist/app.bin"
		;;
	vg1)
		timed "$RUNS_FILE" vg1 "$run" env GH_CONFIG_DIR="$BENCH_TMP/home/gh" gh attestation verify "$ws1/dist/app.bin" \
			--bundle "$ws1/$(output "$ws1" provenance-name)" --custom-trusted-root "$SIGSTORE_TRUSTED_ROOT_JSONL" \
			--owner octo-org --cert-oidc-issuer "$OIDC_ISSUER" \
			--signer-workflow octo-org/octo-repo/.github/workflows/release.yml
		;;
	esac
}

# --- report -----------------------------------------------------------------

table() {
	local r=$BENCH_TMP/runs.txt label what wall lo hi cpu rss peer pw labels=(p1 c1 pn cn)
	grep -q '^p1-r1 ' "$r" && labels+=(p1-r1 c1-r1 pn-r1 cn-r1)
	labels+=(pi ci v1 vc1 vg1 vn)
	echo "Run of $(date -u +%Y-%m-%d): $RUNS runs per command, rotated; Fulcio + CT + TSA on loopback with Rekor v2 (and Rekor v1 where marked);" \
		"$(machine); load average $LOAD_BEFORE before, $(loadavg) after."
	echo
	echo "| Job | Command | Median wall (s) | Wall range (s) | Median CPU (s) | Peak RSS (MiB) | Ratio to peer (wall) |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	for label in "${labels[@]}"; do
		read -r wall lo hi cpu rss < <(stat_of "$r" "$label")
		local log="Rekor v2" base=${label%-r1}
		[[ $label != *-r1 ]] || log="Rekor v1"
		case $base in
		p1) what="attest, 1 file, $log|provenant attest" peer=c1 ;;
		c1) what="attest, 1 file, $log|cosign attest-blob --statement" peer= ;;
		pn) what="attest, $FILES files, $log|provenant attest" peer=cn ;;
		cn) what="attest, $FILES files, $log|cosign attest-blob --statement" peer= ;;
		pi) what="attest an image, push to the registry, $log|provenant attest --image --push-to-registry" peer=ci ;;
		ci) what="attest an image, push to the registry, $log|cosign attest --predicate" peer= ;;
		v1) what="verify, 1 bundle|provenant verify" peer=faster ;;
		vc1) what="verify, 1 bundle|cosign verify-blob-attestation" peer= ;;
		vg1) what="verify, 1 bundle|gh attestation verify" peer= ;;
		vn) what="verify, $FILES files, one .intoto.jsonl|provenant verify" peer=v1 ;;
		esac
		[[ $label != *-r1 || -z $peer ]] || peer=$peer-r1
		case $peer in
		'') pw=1 ;;
		faster) pw=$(ratio "$wall" "$(min "$(stat_of "$r" vc1 | cut -d' ' -f1)" "$(stat_of "$r" vg1 | cut -d' ' -f1)")") ;;
		*) pw=$(ratio "$wall" "$(stat_of "$r" "$peer" | cut -d' ' -f1)") ;;
		esac
		[[ $label != vn ]] || pw="$pw (vs 1 bundle)"
		echo "| ${what%%|*} | ${what#*|} | $wall | $lo–$hi | $cpu | $rss | $pw |"
	done
	echo
	breakdown
	at_once_table
}

# at_once_table summarises concurrent.txt per tool.
at_once_table() {
	local c=$BENCH_TMP/concurrent.txt tool
	[[ -s $c ]] || return 0
	echo
	echo "$CONC attestations of one image at once, each the job of its own workflow run, onto docker-registry (no referrers API, so both tools keep the referrers tag schema's fallback index); a fresh image per round. *Kept* is how many of the $CONC referrers the fallback index lists afterwards, per round."
	echo
	echo "| Tool | Rounds | Kept per round | Exited non-zero | Median batch wall (s) |"
	echo "|---|---:|---|---:|---:|"
	for tool in provenant cosign; do
		awk -v t="$tool" -v n="$CONC" '
			$1 == t { r++; kept = kept (kept == "" ? "" : ", ") $4 "/" n; f += $5; w[r] = $3 }
			END {
				if (r == 0) exit
				for (i = 2; i <= r; i++) { x = w[i]; for (j = i - 1; j >= 1 && w[j] > x; j--) w[j + 1] = w[j]; w[j + 1] = x }
				m = r % 2 ? w[(r + 1) / 2] : (w[r / 2] + w[r / 2 + 1]) / 2
				printf "| %s | %d | %s | %d | %.2f |\n", t, r, kept, f, m
			}' "$c"
	done
}

# SPANS are the columns of the breakdown: span names of provenant's
# timings, "log" standing for "log rekor v1" or "log rekor v2".
SPANS=(subjects token statements instance fulcio tsa log self-verify write deliver)

# breakdown prints the median of each span (the sum over a run's spans of
# that name) over the runs of each provenant attest job, in milliseconds.
breakdown() {
	local t=$BENCH_TMP/timings.txt label s head="| Job | Total |" rule="|---|---:|"
	for s in "${SPANS[@]}"; do head+=" $s |" rule+="---:|"; done
	echo "provenant attest's own spans (\`--timings\`), median over the runs in ms. Total is from option parsing to exit; the TSA and the log are asked at the same time; *log* is the upload, which with Rekor v2 includes the wait for a checkpoint holding the entry; *without log* is total minus log."
	echo
	echo "$head without log |"
	echo "$rule---:|"
	for label in p1 pn pi p1-r1 pn-r1; do
		grep -q "^$label " "$t" || continue
		local row="| $(job_name "$label") | $(span_median "$label" total)"
		for s in "${SPANS[@]}"; do row+=" | $(span_median "$label" "$s")"; done
		echo "$row | $(span_median "$label" own) |"
	done
}

job_name() {
	local files="1 file" log="Rekor v2"
	case ${1%-r1} in
	pn) files="$FILES files" ;;
	pi) files="an image" ;;
	esac
	[[ $1 != *-r1 ]] || log="Rekor v1"
	echo "attest, $files, $log"
}

# span_median LABEL SPAN prints the median over LABEL's runs of SPAN in ms
# ("total", "own" = total minus log, or a span name).
span_median() {
	awk -v t="$1" '$1 == t { $1 = ""; $2 = ""; print }' "$BENCH_TMP/timings.txt" |
		jq -s -r --arg s "$2" '
			map(((.sum_ms["log rekor v1"] // 0) + (.sum_ms["log rekor v2"] // 0)) as $log |
				if $s == "total" then .total_ms elif $s == "own" then .total_ms - $log
				elif $s == "log" then $log
				elif $s == "deliver" then ([.sum_ms | to_entries[] | select(.key | startswith("deliver ")) | .value] | add // 0)
				else (.sum_ms[$s] // 0) end) | sort |
			if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end |
			. * 10 | round / 10'
}

min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }

check_targets() {
	local r=$BENCH_TMP/runs.txt fail=0 a b
	local pairs=("p1 c1 0.5" "pn cn 0.5" "pi ci 0.5")
	grep -q '^p1-r1 ' "$r" && pairs+=("p1-r1 c1-r1 0.5" "pn-r1 cn-r1 0.5")
	for pair in "${pairs[@]}"; do
		read -r a b t <<<"$pair"
		x=$(ratio "$(stat_of "$r" "$a" | cut -d' ' -f1)" "$(stat_of "$r" "$b" | cut -d' ' -f1)")
		verdict e2e "$(job_name "$a") against cosign, wall" "${x}×" "≤ ${t}×" "$(holds 'x <= t' x="$x" t="$t")" || fail=1
	done
	x=$(ratio "$(stat_of "$r" v1 | cut -d' ' -f1)" "$(min "$(stat_of "$r" vc1 | cut -d' ' -f1)" "$(stat_of "$r" vg1 | cut -d' ' -f1)")")
	verdict e2e "verify, 1 bundle, against the faster of cosign and gh, wall" "${x}×" "≤ 0.25×" "$(holds 'x <= 0.25' x="$x")" || fail=1
	return "$fail"
}

if [[ ${BENCH_E2E_INNER:-} == 1 ]]; then
	inner
else
	outer "$@"
fi
