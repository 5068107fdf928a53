#!/usr/bin/env bash
# stack-smoke.sh — prove that the loopback Sigstore stack works, using only
# tools this project did not write: cosign signs, cosign and gh verify.
#
# Usage: scripts/stack-smoke.sh [MODE...]
#   MODE is one of (default: all three):
#     rekor-v1-ct   Fulcio + CT (TesseraCT) + Rekor v1, no TSA
#     rekor-v2-tsa  Fulcio + Rekor v2 + TSA, no CT; also starts the registries
#     tsa-only      Fulcio + TSA, no transparency log, no CT
#
# For each mode it starts scripts/sigstore-stack.sh, fetches a token from the
# fake issuer, runs `cosign attest-blob` with a small SLSA v1 predicate, and
# checks that cosign verify-blob-attestation and gh attestation verify accept
# the bundle, and refuse it for a tampered artifact and for another
# repository or owner. Prints PASS/FAIL per check and exits non-zero if any
# check failed.
#
# Needs: scripts/install-tools.sh stack verifiers rekor-v1
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF=$REPO_ROOT/scripts/stack-smoke.sh
ALL_MODES=(rekor-v1-ct rekor-v2-tsa tsa-only)

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

now_us() { echo "${EPOCHREALTIME/./}"; }
elapsed() {
	local d=$(($(now_us) - $1))
	printf '%d.%02ds' $((d / 1000000)) $((d / 10000 % 100))
}

# stack_flags MODE prints the sigstore-stack.sh options for a mode.
stack_flags() {
	case $1 in
	rekor-v1-ct) echo "--rekor v1 --ct --no-tsa" ;;
	rekor-v2-tsa) echo "--rekor v2 --no-ct --tsa --registry" ;;
	tsa-only) echo "--rekor none --no-ct --tsa" ;;
	*) return 1 ;;
	esac
}

# ---------------------------------------------------------------------------
# Inside the stack: one mode's checks
# ---------------------------------------------------------------------------
PASSED=0 FAILED=0
CHECK_LOG=

# check NAME CMD... runs CMD, which must succeed.
check() {
	local name=$1
	shift
	if "$@" >"$CHECK_LOG" 2>&1; then
		pass "$name"
	else
		fail "$name"
	fi
}

# refuse NAME CMD... runs CMD, which must fail.
refuse() {
	local name=$1
	shift
	if "$@" >"$CHECK_LOG" 2>&1; then
		fail "$name (was accepted)"
	else
		pass "$name"
	fi
}

pass() {
	PASSED=$((PASSED + 1))
	echo "PASS  $MODE: $1"
}

fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL  $MODE: $1"
	sed 's/^/        /' "$CHECK_LOG" | tail -n 15
}

# fetch_token AUDIENCE [BEARER]: the GitHub token-service shape — the request
# URL already ends in ?api-version=2.0, so the audience is appended.
fetch_token() {
	curl -fsS -H "Authorization: Bearer ${2:-$ACTIONS_ID_TOKEN_REQUEST_TOKEN}" \
		"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=$1" | jq -er .value
}

write_inputs() {
	printf 'provenant stack smoke test %s\n' "$MODE" >"$W/artifact.txt"
	cp "$W/artifact.txt" "$W/tampered.txt"
	printf 'x' >>"$W/tampered.txt"
	# A minimal SLSA v1 predicate; cosign wraps it in an in-toto statement
	# whose subject is the artifact's digest.
	jq -n '{
	  buildDefinition: {
	    buildType: "https://provenant.dev/smoke/v1",
	    externalParameters: {workflow: {ref: "refs/tags/v1.2.3", repository: "https://github.com/octo-org/octo-repo", path: ".github/workflows/release.yml"}},
	    resolvedDependencies: [{uri: "git+https://github.com/octo-org/octo-repo@refs/tags/v1.2.3", digest: {gitCommit: "c27d339ee6075c1f744c5d4b200f7901aad2c369"}}]
	  },
	  runDetails: {builder: {id: "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"}}
	}' >"$W/predicate.json"
}

sign() {
	cosign attest-blob --signing-config "$SIGSTORE_SIGNING_CONFIG" --trusted-root "$SIGSTORE_TRUSTED_ROOT" \
		--identity-token "$JWT" --predicate "$W/predicate.json" --type slsaprovenance1 \
		--bundle "$W/bundle.sigstore.json" --yes "$W/artifact.txt"
}

# cosign_verify FILE: the flags follow shared/docs/sigstore-stack.md 8.2 — without a
# CT log there are no SCTs to check; Rekor v2 and TSA-only bundles get their
# time from the TSA; TSA-only bundles have no tlog entry at all.
cosign_verify() {
	local extra=()
	[[ $STACK_CT == 1 ]] || extra+=(--insecure-ignore-sct)
	[[ $STACK_TSA == 0 ]] || extra+=(--use-signed-timestamps)
	[[ $STACK_REKOR != none ]] || extra+=(--insecure-ignore-tlog)
	cosign verify-blob-attestation --bundle "$W/bundle.sigstore.json" --trusted-root "$SIGSTORE_TRUSTED_ROOT" \
		--certificate-identity-regexp "${ID_REGEXP:-^https://github.com/octo-org/octo-repo/}" \
		--certificate-oidc-issuer "$OIDC_ISSUER" --type slsaprovenance1 \
		--certificate-github-workflow-repository octo-org/octo-repo --certificate-github-workflow-trigger push \
		"${extra[@]}" "$1"
}

# gh_verify FILE: gh derives its policy from the root; with the stack's
# O=sigstore CA it wants a tlog entry whenever the root lists a log, so a
# TSA-only bundle is checked against the root without tlogs (8.3).
gh_verify() {
	local root=$SIGSTORE_TRUSTED_ROOT_JSONL
	[[ $STACK_REKOR != none ]] || root=$SIGSTORE_TRUSTED_ROOT_NOTLOG_JSONL
	GH_CONFIG_DIR=$W/gh GH_NO_UPDATE_NOTIFIER=1 gh attestation verify "$1" \
		--bundle "$W/bundle.sigstore.json" --custom-trusted-root "$root" \
		--owner "${OWNER:-octo-org}" --cert-oidc-issuer "$OIDC_ISSUER" \
		--signer-workflow octo-org/octo-repo/.github/workflows/release.yml
}

# bundle_shape checks that the bundle is what the mode claims: which
# evidence of time and logging it carries.
bundle_shape() {
	local b=$W/bundle.sigstore.json
	case $MODE in
	rekor-v1-ct)
		jq -e '(.verificationMaterial.tlogEntries | length) == 1
			and .verificationMaterial.tlogEntries[0].integratedTime != null
			and .verificationMaterial.tlogEntries[0].inclusionPromise != null
			and (.verificationMaterial.timestampVerificationData.rfc3161Timestamps // [] | length) == 0' "$b"
		;;
	rekor-v2-tsa)
		jq -e '(.verificationMaterial.tlogEntries | length) == 1
			and .verificationMaterial.tlogEntries[0].kindVersion.kind == "hashedrekord"
			and .verificationMaterial.tlogEntries[0].kindVersion.version == "0.0.2"
			and (.verificationMaterial.timestampVerificationData.rfc3161Timestamps | length) == 1' "$b"
		;;
	tsa-only)
		jq -e '(.verificationMaterial.tlogEntries // [] | length) == 0
			and (.verificationMaterial.timestampVerificationData.rfc3161Timestamps | length) == 1' "$b"
		;;
	esac
}

# put_manifest REGISTRY REPO JSON pushes an image manifest by digest and
# prints the digest. ggcr's registry does not check that blobs exist.
put_manifest() {
	local d
	d=sha256:$(printf '%s' "$3" | sha256sum | cut -d' ' -f1)
	curl -fsS -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
		--data-binary "$3" -o /dev/null "http://$1/v2/$2/manifests/$d" && echo "$d"
}

# referrers_work pushes an image and a second manifest whose subject is that
# image, then asks the referrers API of ggcr's registry for it.
referrers_work() {
	local empty='{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}'
	local image subject referrer
	image=$(jq -nc --argjson c "$empty" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c, layers: []}')
	subject=$(put_manifest "$REGISTRY_REFERRERS" smoke "$image")
	referrer=$(jq -nc --argjson c "$empty" --arg d "$subject" --argjson n "${#image}" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json", config: $c, layers: [],
		  subject: {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $n}}')
	referrer=$(put_manifest "$REGISTRY_REFERRERS" smoke "$referrer")
	curl -fsS "http://$REGISTRY_REFERRERS/v2/smoke/referrers/$subject" |
		jq -e --arg d "$referrer" '[.manifests[].digest] == [$d]'
}

# registry_checks: docker-registry 2.8.2 has no referrers API (plain 404);
# ggcr's registry started with --referrers has one.
registry_checks() {
	local d=sha256:0000000000000000000000000000000000000000000000000000000000000000
	check "docker-registry answers /v2/" curl -fsS -o /dev/null "http://$REGISTRY/v2/"
	check "ociregistry lists a referrer through the referrers API" referrers_work
	refuse "docker-registry has no referrers API" curl -fsS -o /dev/null "http://$REGISTRY/v2/smoke/referrers/$d"
}

inside() {
	MODE=$1
	W=$STACK_DIR/smoke
	mkdir -p "$W/gh"
	CHECK_LOG=$W/check.log
	write_inputs

	refuse "fake issuer refuses a wrong bearer token" fetch_token sigstore wrong-token
	if JWT=$(fetch_token sigstore 2>"$CHECK_LOG") && [[ -n $JWT ]]; then
		pass "token from the fake issuer"
	else
		fail "token from the fake issuer"
		return 1
	fi
	local t0
	t0=$(now_us)
	if sign >"$CHECK_LOG" 2>&1; then
		pass "cosign attest-blob ($(elapsed "$t0"))"
	else
		fail "cosign attest-blob"
		return 1
	fi
	check "bundle carries the evidence this mode should give" bundle_shape
	check "cosign verify-blob-attestation accepts" cosign_verify "$W/artifact.txt"
	check "gh attestation verify accepts" gh_verify "$W/artifact.txt"
	refuse "cosign verify-blob-attestation refuses a tampered artifact" cosign_verify "$W/tampered.txt"
	refuse "gh attestation verify refuses a tampered artifact" gh_verify "$W/tampered.txt"
	ID_REGEXP='^https://github.com/other-org/' \
		refuse "cosign verify-blob-attestation refuses another repository's identity" cosign_verify "$W/artifact.txt"
	OWNER=other-org refuse "gh attestation verify refuses another owner" gh_verify "$W/artifact.txt"
	[[ $STACK_REGISTRY == 0 ]] || registry_checks
	((FAILED == 0))
}

# ---------------------------------------------------------------------------
# Outside: one stack per mode
# ---------------------------------------------------------------------------
main() {
	if [[ ${1:-} == --inside ]]; then
		# The counts go to a file the outer run adds up, whatever happens.
		trap 'echo "$PASSED $FAILED" >>"$SMOKE_RESULTS"' EXIT
		inside "$2"
		return
	fi
	local modes=() m
	for m in "$@"; do
		case $m in
		-h | --help)
			usage
			return 0
			;;
		*) stack_flags "$m" >/dev/null || {
			usage >&2
			echo "stack-smoke: unknown mode: $m" >&2
			return 2
		} ;;
		esac
		modes+=("$m")
	done
	((${#modes[@]})) || modes=("${ALL_MODES[@]}")

	# sigstore-stack.sh checks the services; the verifiers are ours to check.
	local tool missing=()
	for tool in cosign gh; do
		PATH=${PROVENANT_TOOLS:-$REPO_ROOT/.tools}/bin:$PATH command -v "$tool" >/dev/null || missing+=("$tool")
	done
	if ((${#missing[@]})); then
		echo "stack-smoke: missing ${missing[*]}; scripts/install-tools.sh verifiers installs them" >&2
		return 1
	fi

	local failed_modes=() t0 flags rc p f passed=0 failed=0
	SMOKE_RESULTS=$(mktemp "${TMPDIR:-/tmp}/stack-smoke.XXXXXX")
	export SMOKE_RESULTS
	trap 'rm -f "$SMOKE_RESULTS"' EXIT
	for m in "${modes[@]}"; do
		echo "== $m"
		t0=$(now_us)
		read -ra flags <<<"$(stack_flags "$m")"
		rc=0
		"$BASH" "$REPO_ROOT/scripts/sigstore-stack.sh" "${flags[@]}" -- "$BASH" "$SELF" --inside "$m" || rc=$?
		echo "== $m: $( ((rc == 0)) && echo ok || echo FAILED) in $(elapsed "$t0")"
		((rc == 0)) || failed_modes+=("$m")
	done
	while read -r p f; do
		passed=$((passed + p)) failed=$((failed + f))
	done <"$SMOKE_RESULTS"
	# A mode whose stack never came up ran no checks: count it as a failure.
	((${#failed_modes[@]} == 0 || failed > 0)) || failed=${#failed_modes[@]}
	echo "checks: $passed passed, $failed failed"
	if ((${#failed_modes[@]})); then
		echo "stack-smoke: FAILED: ${failed_modes[*]}"
		return 1
	fi
	echo "stack-smoke: all ${#modes[@]} modes passed"
}

main "$@"
