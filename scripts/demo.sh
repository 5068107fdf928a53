#!/usr/bin/env bash
# make demo: the whole keyless flow on loopback. It installs the pinned
# Sigstore services and verifiers (first run only), starts them in a private
# network namespace with the project's fake GitHub OIDC issuer, runs
# `provenant attest` on testdata artifacts exactly as the GitHub Actions
# runner runs the action — INPUT_* variables, a GITHUB_* environment from a
# fixture, the event file, the token endpoint, GITHUB_OUTPUT and
# GITHUB_STEP_SUMMARY — then verifies the result with cosign, gh and
# provenant verify, prints
# where everything is, and stops every service it started.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export GOTOOLCHAIN=local
out=${DEMO_OUT:-$root/demo-out}
tools=${PROVENANT_TOOLS:-$root/.tools}

if [[ "${PROVENANT_DEMO_INNER:-}" != 1 ]]; then
	bash scripts/install-tools.sh stack verifiers
	echo "demo: building provenant"
	mkdir -p bin
	go build -trimpath -o bin/provenant ./cmd/provenant
	go build -o bin/sigstore-stack ./internal/testing/stack/cmd/sigstore-stack
	rm -rf "$out"
	mkdir -p "$out"
	PATH="$tools/bin:$PATH" PROVENANT_TOOLS="$tools" PROVENANT_DEMO_INNER=1 DEMO_OUT="$out" \
		bin/sigstore-stack --rekor v2 --ct --tsa -- bash "$0"
	echo
	echo "demo: everything is in $out:"
	(cd "$out" && find . -type f | sort | sed 's/^\.\//  /')
	exit
fi

fixture=testdata/github/tag_push
ws="$out/workspace"
fc="$out/file_commands"
mkdir -p "$ws/dist" "$fc" "$out/workflow" "$out/home" "$out/logs"
cp testdata/artifacts/* "$ws/dist/"
cp "$fixture/event.json" "$out/workflow/event.json"
: >"$fc/output"
: >"$fc/summary"
cp "$SIGSTORE_TRUSTED_ROOT" "$out/trusted_root.json"
cp "$SIGSTORE_TRUSTED_ROOT_JSONL" "$out/trusted_root.jsonl"
# Action inputs may name only files inside the workspace.
mkdir -p "$ws/.sigstore"
cp "$SIGSTORE_SIGNING_CONFIG" "$ws/.sigstore/signing_config.json"
cp "$SIGSTORE_TRUSTED_ROOT" "$ws/.sigstore/trusted_root.json"

runner_env=()
while IFS= read -r kv; do runner_env+=("$kv"); done < <(jq -r 'to_entries[] | "\(.key)=\(.value)"' "$fixture/env.json")

# run_action runs provenant with nothing but what the runner gives a
# container action; extra NAME=VALUE arguments override variables.
run_action() {
	env -i PATH="$PATH" HOME="$out/home" RUNNER_TEMP="$out/runner_temp" "${runner_env[@]}" \
		GITHUB_WORKSPACE="$ws" GITHUB_EVENT_PATH="$out/workflow/event.json" \
		GITHUB_OUTPUT="$fc/output" GITHUB_STEP_SUMMARY="$fc/summary" \
		ACTIONS_ID_TOKEN_REQUEST_URL="$ACTIONS_ID_TOKEN_REQUEST_URL" \
		ACTIONS_ID_TOKEN_REQUEST_TOKEN="$ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
		INPUT_SUBJECT-PATH='dist/*' INPUT_SIGSTORE=.sigstore/signing_config.json \
		INPUT_TRUSTED-ROOT=.sigstore/trusted_root.json INPUT_OIDC-ISSUER="$OIDC_ISSUER" \
		INPUT_PREDICATE-VERSION=v1 INPUT_OUTPUT-DIR=. INPUT_SHOW-SUMMARY=true \
		"$@" "$root/bin/provenant" attest
}

output() { grep -A1 "^$1<<" "$fc/output" | tail -1; }

echo "demo: running provenant attest as the runner runs the action"
(cd "$ws" && run_action) >"$out/logs/attest.stdout" 2>"$out/logs/attest.stderr" || {
	cat "$out/logs/attest.stderr"
	exit 1
}
grep -v '^::add-mask::' "$out/logs/attest.stdout" || true
cat "$out/logs/attest.stderr"

echo
echo "demo: step outputs"
sed -n 's/<<.*//p' "$fc/output" | while read -r name; do printf '  %-22s %s\n' "$name" "$(output "$name")"; done
jsonl=$(output provenance-name)
bundle=$(output bundle-path)
identity=$(output certificate-identity)

echo
echo "demo: the signed statement"
jq -r .dsseEnvelope.payload "$ws/$bundle" | base64 -d | jq .

echo "demo: verifying with cosign and gh, tools nobody here wrote"
for artifact in dist/app_linux_amd64 dist/app_darwin_arm64; do
	cosign verify-blob-attestation --bundle "$ws/$bundle" --trusted-root "$SIGSTORE_TRUSTED_ROOT" \
		--certificate-identity "$identity" --certificate-oidc-issuer "$OIDC_ISSUER" \
		--certificate-github-workflow-repository octo-org/octo-repo --certificate-github-workflow-trigger push \
		--type slsaprovenance1 --use-signed-timestamps "$ws/$artifact" >"$out/logs/cosign.log" 2>&1 ||
		{ cat "$out/logs/cosign.log"; echo "demo: FAIL: cosign refused $artifact"; exit 1; }
	echo "  cosign: $artifact verified"
	GH_CONFIG_DIR="$out/home/gh" gh attestation verify "$ws/$artifact" --bundle "$ws/$jsonl" \
		--custom-trusted-root "$SIGSTORE_TRUSTED_ROOT_JSONL" --owner octo-org --cert-oidc-issuer "$OIDC_ISSUER" \
		--signer-workflow octo-org/octo-repo/.github/workflows/release.yml >"$out/logs/gh.log" 2>&1 ||
		{ cat "$out/logs/gh.log"; echo "demo: FAIL: gh refused $artifact"; exit 1; }
	echo "  gh:     $artifact verified"
done
echo "demo: and with provenant verify, which also checks the predicate against the certificate"
"$root/bin/provenant" verify "$ws/dist/app_linux_amd64" "$ws/dist/app_darwin_arm64" --provenance-path "$ws/$jsonl" \
	--trusted-root "$SIGSTORE_TRUSTED_ROOT" --cert-oidc-issuer "$OIDC_ISSUER" \
	--source-uri github.com/octo-org/octo-repo --source-tag v1.2.3 \
	--signer-workflow octo-org/octo-repo/.github/workflows/release.yml | sed 's/^/  /'

echo
echo "demo: job summary"
cat "$fc/summary"

echo "demo: a forged environment must be refused"
if (cd "$ws" && run_action GITHUB_SHA=0000000000000000000000000000000000000000 INPUT_PROVENANCE-NAME=forged.intoto.jsonl) \
	>"$out/logs/forged.log" 2>&1; then
	echo "demo: FAIL: a forged GITHUB_SHA was accepted"
	exit 1
fi
grep -o 'GITHUB_SHA: environment says[^;]*' "$out/logs/forged.log" | head -1 | sed 's/^/  /'
[[ ! -e "$ws/forged.intoto.jsonl" ]] || { echo "demo: FAIL: the refused run wrote a file"; exit 1; }

# The only place a secret may appear is the runner's own mask command.
if grep -v '^::add-mask::' "$out/logs/attest.stdout" | grep -qF "$ACTIONS_ID_TOKEN_REQUEST_TOKEN" ||
	grep -rqF "$ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$fc" "$ws" "$out/logs/attest.stderr"; then
	echo "demo: FAIL: the token-request credential leaked"
	exit 1
fi
echo "demo: OK — $ws/$jsonl is a verified attestation"
