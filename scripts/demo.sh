#!/usr/bin/env bash
# make demo: runs `provenant attest` on testdata artifacts exactly as the
# GitHub Actions runner runs the action — INPUT_* variables, a GITHUB_*
# environment from a fixture, the event file, the OIDC token endpoint,
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY — against the project's fake GitHub
# OIDC issuer on loopback, inside a private network namespace when possible.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export GOTOOLCHAIN=local

if [[ "${PROVENANT_DEMO_INNER:-}" != 1 ]]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	echo "demo: building provenant and the fake OIDC issuer"
	go build -trimpath -o "$work/provenant" ./cmd/provenant
	go build -o "$work/fakeoidc" ./internal/testing/fakeoidc/cmd/fakeoidc
	export PROVENANT_DEMO_INNER=1 DEMO_WORK="$work"
	# A private network namespace keeps the demo's listeners off every
	# network; fall back to plain loopback where namespaces are not allowed.
	if unshare -n true 2>/dev/null; then
		unshare -n bash -c 'ip link set lo up && exec bash "$0"' "$0"
	elif unshare -rn true 2>/dev/null; then
		unshare -rn bash -c 'ip link set lo up && exec bash "$0"' "$0"
	else
		echo "demo: no network namespace available; serving on loopback"
		bash "$0"
	fi
	exit
fi

work=$DEMO_WORK
fixture=testdata/github/tag_push
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

request_token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
"$work/fakeoidc" --listen 127.0.0.1:18080 --issuer http://127.0.0.1:18080 \
	--claims "$fixture/claims.json" --request-token "$request_token" 2>"$work/fakeoidc.log" &
pids+=($!)
for _ in $(seq 50); do
	curl -fsS http://127.0.0.1:18080/.well-known/openid-configuration >/dev/null 2>&1 && break
	sleep 0.1
done

# The runner's view: a workspace with the build's artifacts, the event file,
# and the file-command files.
ws="$work/workspace"
mkdir -p "$ws/dist" "$work/file_commands" "$work/workflow"
cp testdata/artifacts/* "$ws/dist/"
cp "$fixture/event.json" "$work/workflow/event.json"
: >"$work/file_commands/output"
: >"$work/file_commands/summary"

runner_env=()
while IFS= read -r kv; do runner_env+=("$kv"); done < <(jq -r 'to_entries[] | "\(.key)=\(.value)"' "$fixture/env.json")

run_action() {
	env -i PATH="$PATH" HOME="$work/home" "${runner_env[@]}" \
		GITHUB_WORKSPACE="$ws" GITHUB_EVENT_PATH="$work/workflow/event.json" \
		GITHUB_OUTPUT="$work/file_commands/output" GITHUB_STEP_SUMMARY="$work/file_commands/summary" \
		ACTIONS_ID_TOKEN_REQUEST_URL='http://127.0.0.1:18080/token?api-version=2.0' \
		ACTIONS_ID_TOKEN_REQUEST_TOKEN="$request_token" \
		INPUT_SUBJECT-PATH='dist/*' INPUT_OIDC-ISSUER=http://127.0.0.1:18080 \
		INPUT_SUBJECT-NAME-STYLE=relative INPUT_PREDICATE-VERSION=v1 INPUT_OUTPUT-DIR=. \
		"$@" "$work/provenant" attest
}

echo "demo: running provenant attest as the runner runs the action"
(cd "$ws" && run_action) | tee "$work/log"

echo
echo "demo: step outputs (GITHUB_OUTPUT)"
cat "$work/file_commands/output"
stmt=$(grep -A1 '^statement-path<<' "$work/file_commands/output" | tail -1)
echo
echo "demo: the statement at $stmt"
jq . "$ws/$stmt"
jq -e '.predicate.runDetails.builder.id == "https://github.com/octo-org/octo-repo/.github/workflows/release.yml@refs/tags/v1.2.3"' "$ws/$stmt" >/dev/null
jq -e '[.subject[].name] == ["dist/app_darwin_arm64","dist/app_linux_amd64"]' "$ws/$stmt" >/dev/null
(cd "$ws" && sha256sum dist/*)
echo
echo "demo: job summary"
cat "$work/file_commands/summary"

echo "demo: a forged environment must be refused"
if (cd "$ws" && run_action env GITHUB_SHA=0000000000000000000000000000000000000000) >"$work/forged.log" 2>&1; then
	echo "demo: FAIL: a forged GITHUB_SHA was accepted"; exit 1
fi
grep -o 'GITHUB_SHA: environment says[^;]*' "$work/forged.log" | head -1

# The only place a secret may appear is the runner's own mask command.
if grep -v '^::add-mask::' "$work/log" | grep -qF "$request_token" ||
	grep -rqF "$request_token" "$work/file_commands" "$ws"; then
	echo "demo: FAIL: the token-request credential leaked"; exit 1
fi
echo "demo: OK"
