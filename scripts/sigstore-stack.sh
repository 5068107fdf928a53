#!/usr/bin/env bash
# sigstore-stack.sh — run a command against the real Sigstore services on
# loopback, inside a private network namespace.
#
# Usage: scripts/sigstore-stack.sh [OPTIONS] -- CMD [ARGS...]
#
# Options:
#   --rekor v1|v2|both|none  transparency log(s) to run (default v2)
#   --ct | --no-ct           run a TesseraCT log and embed SCTs (default --ct)
#   --tsa | --no-tsa         run a timestamp authority (default --tsa)
#   --registry               also run docker-registry on 127.0.0.1:15000 and
#                            go-containerregistry's registry with the
#                            referrers API on 127.0.0.1:15001
#   -h, --help               show this help
#
# Always running: the fake GitHub OIDC issuer and Fulcio.
#
# Exported to CMD:
#   STACK_DIR                   work dir (keys, logs in logs/, HOME=home/)
#   SIGSTORE_TRUSTED_ROOT       trusted_root.json (every running log/CA/CT/TSA)
#   SIGSTORE_TRUSTED_ROOT_JSONL the same as JSON Lines, for gh
#   SIGSTORE_TRUSTED_ROOT_NOTLOG_JSONL  the same without tlogs (gh, TSA-only bundles)
#   SIGSTORE_SIGNING_CONFIG     signing_config.json (signing config v0.2)
#   OIDC_ISSUER, ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN
#   FULCIO_URL, CT_URL, TSA_URL, REKOR_V1_URL, REKOR_V2_URL (for running services)
#   STACK_REKOR, STACK_CT, STACK_TSA, STACK_REGISTRY (what runs: v1|v2|both|none, 1|0)
#   REGISTRY, REGISTRY_REFERRERS  (with --registry)
#
# Environment:
#   PROVENANT_TOOLS        tools dir (default <repo>/.tools; see install-tools.sh)
#   FAKEOIDC_CLAIMS        JSON file of claim overrides for the fake issuer
#   KEEP_STACK=1           keep STACK_DIR after exit
#   STACK_READY_TIMEOUT    seconds to wait for each service (default 30)
#   STACK_VERBOSE=1        report when each service became ready
#
# The script exits with CMD's status. On any exit it stops every process it
# started, by PID, and removes STACK_DIR unless KEEP_STACK=1.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF=$REPO_ROOT/scripts/sigstore-stack.sh
TOOLS=${PROVENANT_TOOLS:-$REPO_ROOT/.tools}
READY_TIMEOUT=${STACK_READY_TIMEOUT:-30}

# Fixed loopback ports (shared/docs/sigstore-stack.md, "Port plan").
H=127.0.0.1
P_OIDC=18080
P_FULCIO_HTTP=18081 P_FULCIO_METRICS=18082 P_FULCIO_GRPC=18083
P_TSA=18096
P_REKOR2_HTTP=18097 P_REKOR2_GRPC=18099 P_REKOR2_METRICS=18100
P_CT=18098
P_REKOR1=18095
P_TRILLIAN_SERVER_RPC=18090 P_TRILLIAN_SERVER_HTTP=18091
P_TRILLIAN_SIGNER_RPC=18092 P_TRILLIAN_SIGNER_HTTP=18093
P_MARIADB=13306
P_REGISTRY=15000 P_REGISTRY_REFERRERS=15001

OIDC_URL=http://$H:$P_OIDC
FULCIO=http://$H:$P_FULCIO_HTTP
TSA=http://$H:$P_TSA/api/v1/timestamp
CT=http://$H:$P_CT
REKOR1=http://$H:$P_REKOR1
REKOR2=http://$H:$P_REKOR2_HTTP

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

say() { echo "sigstore-stack: $*" >&2; }
die() {
	say "$*"
	exit 1
}

now_us() { echo "${EPOCHREALTIME/./}"; }
elapsed() {
	local d=$(($(now_us) - $1))
	printf '%d.%02ds' $((d / 1000000)) $((d / 10000 % 100))
}

# ---------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------
OPT_REKOR=v2 OPT_CT=1 OPT_TSA=1 OPT_REGISTRY=0
CMD=()

parse_args() {
	while (($#)); do
		case $1 in
		--rekor)
			(($# >= 2)) || die "--rekor needs a value: v1, v2, both or none"
			OPT_REKOR=$2
			shift
			;;
		--rekor=*) OPT_REKOR=${1#--rekor=} ;;
		--ct) OPT_CT=1 ;;
		--no-ct) OPT_CT=0 ;;
		--tsa) OPT_TSA=1 ;;
		--no-tsa) OPT_TSA=0 ;;
		--registry) OPT_REGISTRY=1 ;;
		-h | --help)
			usage
			exit 0
			;;
		--)
			shift
			CMD=("$@")
			break
			;;
		*)
			usage >&2
			die "unknown option: $1 (the command goes after --)"
			;;
		esac
		shift
	done
	case $OPT_REKOR in v1 | v2 | both | none) ;; *) die "--rekor must be v1, v2, both or none, not '$OPT_REKOR'" ;; esac
	((${#CMD[@]} > 0)) || {
		usage >&2
		die "no command given after --"
	}
	if [[ $OPT_REKOR == none && $OPT_TSA == 0 ]]; then
		die "--rekor none --no-tsa leaves nothing to timestamp a signature; keep the TSA"
	fi
	# Warn once: the re-run inside the namespace parses the same arguments.
	if [[ $OPT_REKOR == v2 && $OPT_TSA == 0 && -z ${_SIGSTORE_STACK_DIR:-} ]]; then
		say "warning: Rekor v2 gives no integrated time; verifiers will want a TSA (--tsa)"
	fi
}

want_v1() { [[ $OPT_REKOR == v1 || $OPT_REKOR == both ]]; }
want_v2() { [[ $OPT_REKOR == v2 || $OPT_REKOR == both ]]; }

# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------
setup_path() {
	# mariadbd lives in /usr/sbin, which a non-login PATH may lack.
	PATH=$TOOLS/bin:$PATH:/usr/sbin:/sbin
	export PATH
}

# check_tools lists every missing tool at once, with the install group.
check_tools() {
	local missing=() t
	local -A groups=()
	need() { # need GROUP TOOL...
		local group=$1
		shift
		for t in "$@"; do
			if ! command -v "$t" >/dev/null 2>&1; then
				missing+=("$t (group $group)")
				groups[$group]=1
			fi
		done
	}
	need stack jq openssl curl ip unshare setpriv go fulcio
	((OPT_TSA == 0)) || need stack timestamp-server
	((OPT_CT == 0)) || need stack tesseract-posix
	! want_v2 || need stack rekor-tiles-posix
	! want_v1 || need rekor-v1 trillian_log_server trillian_log_signer createtree rekor-server \
		mariadbd mariadb-install-db mariadb mariadb-admin
	((OPT_REGISTRY == 0)) || need stack docker-registry
	if ((${#missing[@]})); then
		say "missing tools:"
		printf '  %s\n' "${missing[@]}" >&2
		die "scripts/install-tools.sh installs them: scripts/install-tools.sh ${!groups[*]}"
	fi
	[[ -d $REPO_ROOT/internal/testing/fakeoidc/cmd/fakeoidc ]] ||
		die "internal/testing/fakeoidc/cmd/fakeoidc is missing from the repository"
}

# pin_go_env keeps Go's caches where they are. HOME moves into STACK_DIR
# below, and Go derives GOPATH, GOMODCACHE and GOCACHE from HOME when they
# are unset: a `go test` run under the stack would then start from an empty
# module cache, which fails with no network.
pin_go_env() {
	local names=(GOPATH GOMODCACHE GOCACHE GOENV) values i
	mapfile -t values < <(go env "${names[@]}")
	for i in "${!names[@]}"; do
		if [[ -n ${values[i]:-} ]]; then export "${names[i]}=${values[i]}"; fi
	done
}

# build_helpers DIR builds the project's fake OIDC issuer (and the OCI
# registry with referrers, if asked) into DIR. It builds against a copy of
# go.mod/go.sum (-modfile) so the project's own files are never rewritten,
# even when -mod=mod has to add a go.sum line.
build_helpers() {
	local dir=$1 t0 mod=$1/gomod
	t0=$(now_us)
	mkdir -p "$mod"
	cp "$REPO_ROOT/go.mod" "$mod/go.mod"
	if [[ -f $REPO_ROOT/go.sum ]]; then cp "$REPO_ROOT/go.sum" "$mod/go.sum"; fi
	local pkgs=(./internal/testing/fakeoidc/cmd/fakeoidc)
	((OPT_REGISTRY == 0)) || pkgs+=(./internal/testing/cmd/ociregistry)
	local p
	for p in "${pkgs[@]}"; do
		if ! (cd "$REPO_ROOT" && GOTOOLCHAIN=local GOWORK=off GOFLAGS="-mod=mod -buildvcs=false" \
			go build -modfile="$mod/go.mod" -o "$dir/${p##*/}" "$p") >"$dir/build.log" 2>&1; then
			cat "$dir/build.log" >&2
			die "building $p failed"
		fi
	done
	rm -rf "$mod" "$dir/build.log"
	say "built ${pkgs[*]##*/} in $(elapsed "$t0")"
}

# ---------------------------------------------------------------------------
# Network namespace
# ---------------------------------------------------------------------------

# in_private_netns: a namespace of our own has nothing but loopback.
in_private_netns() {
	local links
	links=$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//')
	[[ $links == lo ]]
}

# enter_netns re-runs this script under `unshare -n`. The helpers are built
# out here first, where the module proxy is reachable. setpriv --pdeathsig
# makes the inner script get SIGTERM (and so clean up) if we are killed.
OUTER_DIR=
enter_netns() {
	local rc=0 unshare_args=(-n)
	OUTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sigstore-stack.XXXXXX")
	# This trap only covers a failed build; then the inner script owns the dir.
	trap 'rm -rf "$OUTER_DIR"' EXIT
	build_helpers "$OUTER_DIR"
	trap - EXIT
	# As root, -n is enough; elsewhere a user namespace maps us to root.
	[[ $(id -u) == 0 ]] || unshare_args=(-r -n)
	_SIGSTORE_STACK_DIR=$OUTER_DIR setpriv --pdeathsig TERM -- \
		unshare "${unshare_args[@]}" -- "$BASH" "$SELF" "${ORIG_ARGS[@]}" || rc=$?
	# The inner script removes the dir itself; this catches its crash.
	if [[ ${KEEP_STACK:-0} != 1 && -d $OUTER_DIR ]]; then rm -rf "$OUTER_DIR"; fi
	exit "$rc"
}

# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------
PIDS=()
declare -A PID_OF=() STOP_SIGNAL_OF=()
CMD_PID=
STACK_DIR=
LOGS=
T_START=

# start_bg NAME CMD... starts a service in STACK_DIR with its output in
# logs/NAME.log. --pdeathsig stops it even if this script is SIGKILLed.
# STOP_WITH=KILL start_bg … marks a service whose graceful stop is only a
# wait we do not need.
start_bg() {
	local name=$1 sig=${STOP_WITH:-TERM}
	shift
	(cd "$STACK_DIR" && exec setpriv --pdeathsig "$sig" -- "$@") >"$LOGS/$name.log" 2>&1 </dev/null &
	PIDS+=("$!")
	PID_OF[$name]=$!
	STOP_SIGNAL_OF[$!]=$sig
}

# fail_service NAME WHY prints the tail of the service's log and exits.
fail_service() {
	say "$1 $2; last lines of logs/$1.log:"
	tail -n 30 "$LOGS/$1.log" | sed 's/^/    /' >&2
	exit 1
}

# wait_until NAME CMD... polls CMD until it succeeds, failing fast if the
# service exits and with its log after READY_TIMEOUT seconds.
wait_until() {
	local name=$1 deadline
	shift
	deadline=$((SECONDS + READY_TIMEOUT))
	until "$@" >/dev/null 2>&1; do
		if [[ -n ${PID_OF[$name]:-} ]] && ! kill -0 "${PID_OF[$name]}" 2>/dev/null; then
			fail_service "$name" "exited during start-up"
		fi
		((SECONDS < deadline)) || fail_service "$name" "not ready after ${READY_TIMEOUT}s"
		sleep 0.05
	done
	[[ ${STACK_VERBOSE:-0} != 1 ]] || say "$name ready at +$(elapsed "$T_START")"
}

# shellcheck disable=SC2317 # called through wait_until "$@"
http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }
wait_http() { wait_until "$1" http_ok "$2"; }

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local rc=$? pid deadline
	trap - EXIT INT TERM HUP
	# stderr is closed over this block: bash would report every job that a
	# signal ends ("Killed …"), which is what we asked for.
	{
		if [[ -n $CMD_PID ]]; then kill -TERM "$CMD_PID" || true; fi
		for pid in "${PIDS[@]}"; do kill -"${STOP_SIGNAL_OF[$pid]:-TERM}" "$pid" || true; done
		# Give clean shutdowns (mariadbd's in particular) a few seconds.
		deadline=$((SECONDS + 5))
		for pid in ${CMD_PID:+"$CMD_PID"} "${PIDS[@]}"; do
			while kill -0 "$pid" && ((SECONDS < deadline)); do sleep 0.05; done
			kill -KILL "$pid" || true
		done
		wait || true
	} 2>/dev/null
	if [[ -n $STACK_DIR && -d $STACK_DIR ]]; then
		if [[ ${KEEP_STACK:-0} == 1 ]]; then
			say "kept $STACK_DIR"
		else
			rm -rf "$STACK_DIR"
		fi
	fi
	exit "$rc"
}

# ---------------------------------------------------------------------------
# Services, in the order the doc requires
# ---------------------------------------------------------------------------
start_oidc() {
	local args=(--listen "$H:$P_OIDC" --issuer "$OIDC_URL" --request-token "$REQUEST_TOKEN")
	if [[ -n ${FAKEOIDC_CLAIMS:-} ]]; then args+=(--claims "$FAKEOIDC_CLAIMS"); fi
	start_bg fakeoidc "$STACK_DIR/fakeoidc" "${args[@]}"
}

# The TSA must own :2112 (hard-coded metrics port; it dies if the port is
# taken) before rekor-server v1 starts, which silently ignores the clash.
start_tsa() {
	start_bg timestamp-server timestamp-server serve --host "$H" --port "$P_TSA" --scheme http \
		--timestamp-signer memory --disable-ntp-monitoring
}

# Fulcio: two ports (duplex mode panics in v1.8.8) and its own metrics port
# (the default 2112 clashes with the TSA). CT is on by default in Fulcio,
# so "off" must be an explicit empty URL.
start_fulcio() {
	jq -n --arg i "$OIDC_URL" \
		'{OIDCIssuers: {($i): {IssuerURL: $i, ClientID: "sigstore", Type: "github-workflow"}}}' \
		>"$STACK_DIR/fulcio.json"
	local ct=(--ct-log-url "")
	if ((OPT_CT)); then
		# TesseraCT needs a SEC1 key ("BEGIN EC PRIVATE KEY"): ecparam, not genpkey.
		openssl ecparam -name prime256v1 -genkey -noout -out "$STACK_DIR/ct.key" 2>/dev/null
		openssl ec -in "$STACK_DIR/ct.key" -pubout -out "$STACK_DIR/ct.pub" 2>/dev/null
		ct=(--ct-log-url "$CT" --ct-log-public-key-path "$STACK_DIR/ct.pub")
	fi
	start_bg fulcio fulcio serve --ca ephemeralca --config-path "$STACK_DIR/fulcio.json" "${ct[@]}" \
		--http-host "$H" --http-port "$P_FULCIO_HTTP" --grpc-host "$H" --grpc-port "$P_FULCIO_GRPC" \
		--metrics-port "$P_FULCIO_METRICS"
}

# TesseraCT trusts Fulcio's root, which exists only once Fulcio is up. Its
# origin must be a host without a port. It always pushes OTel metrics to
# localhost:4318, where nothing listens; a long export interval keeps its log
# free of a "connection refused" every minute.
start_ct() {
	curl -fsS "$FULCIO/api/v1/rootCert" >"$STACK_DIR/fulcio_root.pem"
	start_bg tesseract env OTEL_METRIC_EXPORT_INTERVAL=86400000 \
		tesseract-posix --http_endpoint="$H:$P_CT" --origin=ct.local --storage_dir="$STACK_DIR/ct" --roots_pem_file="$STACK_DIR/fulcio_root.pem" \
		--private_key="$STACK_DIR/ct.key" --checkpoint_interval=200ms --batch_max_age=50ms
}

# rekor-tiles: --hostname is the checkpoint origin and must be the host of
# the trusted root's baseUrl; the default checkpoint interval (10 s) would
# make every signature wait that long.
start_rekor_v2() {
	openssl genpkey -algorithm ed25519 -out "$STACK_DIR/rekor.key" 2>/dev/null
	openssl pkey -in "$STACK_DIR/rekor.key" -pubout -out "$STACK_DIR/rekor.pub"
	start_bg rekor-tiles rekor-tiles-posix serve --storage-dir="$STACK_DIR/rekor" \
		--signer-filepath="$STACK_DIR/rekor.key" --hostname="$H" \
		--http-address="$H" --http-port="$P_REKOR2_HTTP" --grpc-address="$H" --grpc-port="$P_REKOR2_GRPC" \
		--http-metrics-port="$P_REKOR2_METRICS" --checkpoint-interval=200ms --batch-max-age=50ms
}

# MariaDB's data dir takes about a second to create, so that starts first,
# in the background, and start_rekor_v1 waits for it.
INSTALL_DB_PID=
init_mariadb() {
	mariadb-install-db --no-defaults --datadir="$STACK_DIR/db" --user=root \
		--auth-root-authentication-method=normal --skip-test-db >"$LOGS/mariadb-install-db.log" 2>&1 &
	INSTALL_DB_PID=$!
	PIDS+=("$INSTALL_DB_PID")
}

mysql_root() { mariadb --no-defaults --socket="$STACK_DIR/my.sock" -uroot "$@"; }

start_rekor_v1() {
	local schema=$TOOLS/share/trillian-storage.sql
	[[ -f $schema ]] || schema=$(go env GOMODCACHE)/github.com/google/trillian@v1.8.0/storage/mysql/schema/storage.sql
	[[ -f $schema ]] || die "Trillian's MySQL schema is missing; scripts/install-tools.sh rekor-v1 installs it"
	wait "$INSTALL_DB_PID" || fail_service mariadb-install-db "failed"
	# As root, mariadbd refuses to start without --user=root.
	start_bg mariadb mariadbd --no-defaults --datadir="$STACK_DIR/db" --socket="$STACK_DIR/my.sock" \
		--bind-address="$H" --port="$P_MARIADB" --user=root --skip-log-bin --innodb-buffer-pool-size=64M \
		--pid-file="$STACK_DIR/mariadb.pid"
	wait_until mariadb mariadb-admin --no-defaults --socket="$STACK_DIR/my.sock" -uroot ping
	mysql_root -e "CREATE DATABASE trillian; CREATE DATABASE rekor_index;
		CREATE USER 'trillian'@'$H' IDENTIFIED BY 'trillian';
		GRANT ALL ON trillian.* TO 'trillian'@'$H'; GRANT ALL ON rekor_index.* TO 'trillian'@'$H';" ||
		fail_service mariadb "refused to create the databases"
	mysql_root trillian <"$schema" || fail_service mariadb "refused Trillian's schema ($schema)"

	# Trillian sleeps a hard-coded 5 s on SIGTERM (the signer 10 s) before it
	# exits; its state is in MariaDB, which we throw away, so KILL it.
	local dsn="trillian:trillian@tcp($H:$P_MARIADB)/trillian"
	STOP_WITH=KILL start_bg trillian_log_server trillian_log_server --storage_system=mysql --quota_system=noop \
		--mysql_uri="$dsn" --rpc_endpoint="$H:$P_TRILLIAN_SERVER_RPC" --http_endpoint="$H:$P_TRILLIAN_SERVER_HTTP"
	STOP_WITH=KILL start_bg trillian_log_signer trillian_log_signer --storage_system=mysql --quota_system=noop \
		--mysql_uri="$dsn" --rpc_endpoint="$H:$P_TRILLIAN_SIGNER_RPC" --http_endpoint="$H:$P_TRILLIAN_SIGNER_HTTP" \
		--force_master --sequencer_interval=100ms --batch_size=100
	wait_http trillian_log_server "http://$H:$P_TRILLIAN_SERVER_HTTP/healthz"
	wait_http trillian_log_signer "http://$H:$P_TRILLIAN_SIGNER_HTTP/healthz"

	local tree
	tree=$(createtree --admin_server="$H:$P_TRILLIAN_SERVER_RPC" 2>"$LOGS/createtree.log") ||
		fail_service createtree "failed"
	echo "$tree" >"$STACK_DIR/rekor_v1_tree_id"
	# The hostname is the checkpoint origin; verifiers look for it in baseUrl.
	start_bg rekor-server rekor-server serve --rekor_server.address="$H" --port="$P_REKOR1" \
		--rekor_server.hostname="$H:$P_REKOR1" \
		--trillian_log_server.address="$H" --trillian_log_server.port="$P_TRILLIAN_SERVER_RPC" \
		--trillian_log_server.tlog_id="$tree" --rekor_server.signer=memory \
		--search_index.storage_provider=mysql \
		--search_index.mysql.dsn="trillian:trillian@tcp($H:$P_MARIADB)/rekor_index"
	wait_http rekor-server "$REKOR1/api/v1/log"
}

start_registries() {
	cat >"$STACK_DIR/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STACK_DIR/registry
  delete:
    enabled: true
http:
  addr: $H:$P_REGISTRY
EOF
	start_bg docker-registry docker-registry serve "$STACK_DIR/registry.yml"
	start_bg ociregistry "$STACK_DIR/ociregistry" --listen "$H:$P_REGISTRY_REFERRERS" --referrers
	wait_http docker-registry "http://$H:$P_REGISTRY/v2/"
	wait_http ociregistry "http://$H:$P_REGISTRY_REFERRERS/v2/"
}

start_services() {
	start_oidc
	! want_v1 || init_mariadb
	((OPT_TSA == 0)) || start_tsa
	start_fulcio
	! want_v2 || start_rekor_v2
	wait_http fakeoidc "$OIDC_URL/.well-known/openid-configuration"
	((OPT_TSA == 0)) || wait_http timestamp-server "http://$H:$P_TSA/api/v1/timestamp/certchain"
	wait_http fulcio "$FULCIO/api/v1/rootCert"
	! want_v2 || wait_http rekor-tiles "$REKOR2/healthz"
	if ((OPT_CT)); then
		start_ct
		wait_http tesseract "$CT/ct/v1/get-roots"
	fi
	! want_v1 || start_rekor_v1
	((OPT_REGISTRY == 0)) || start_registries
}

# ---------------------------------------------------------------------------
# Trusted root and signing config (shared/docs/sigstore-stack.md, sections 5 and 6)
# ---------------------------------------------------------------------------
der64_cert() { openssl x509 -outform DER | base64 -w0; }
spki_der64() { openssl pkey -pubin -outform DER | base64 -w0; }
spki_sha256() { openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64 -w0; }

# tlog_entry URL KEYDETAILS DER64 KEYID
tlog_entry() {
	jq -n --arg u "$1" --arg kd "$2" --arg raw "$3" --arg id "$4" --arg s "$VALID_FROM" \
		'{baseUrl: $u, hashAlgorithm: "SHA2_256",
		  publicKey: {rawBytes: $raw, keyDetails: $kd, validFor: {start: $s}},
		  logId: {keyId: $id}}'
}

write_trusted_root() {
	local d=$STACK_DIR tlogs=() ctlogs=() cas tsas='[]'
	VALID_FROM=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)

	if want_v1; then
		curl -fsS "$REKOR1/api/v1/log/publicKey" >"$d/rekor_v1.pub"
		tlogs+=("$(tlog_entry "$REKOR1" PKIX_ECDSA_P256_SHA_256 \
			"$(spki_der64 <"$d/rekor_v1.pub")" "$(spki_sha256 <"$d/rekor_v1.pub")")")
	fi
	if want_v2; then
		# A v2 log id is the signed-note key id: sha256(origin "\n" 0x01 raw-key);
		# the raw Ed25519 key is the last 32 bytes of the 44-byte DER SPKI.
		local id
		id=$({
			printf '%s\n\001' "$H"
			openssl pkey -pubin -in "$d/rekor.pub" -outform DER | tail -c 32
		} | openssl dgst -sha256 -binary | base64 -w0)
		tlogs+=("$(tlog_entry "$REKOR2" PKIX_ED25519 "$(spki_der64 <"$d/rekor.pub")" "$id")")
	fi
	if ((OPT_CT)); then
		ctlogs+=("$(tlog_entry "$CT" PKIX_ECDSA_P256_SHA_256 \
			"$(spki_der64 <"$d/ct.pub")" "$(spki_sha256 <"$d/ct.pub")")")
	fi

	# Fulcio's ephemeral CA has no intermediate: the chain is the root alone.
	curl -fsS "$FULCIO/api/v1/rootCert" >"$d/fulcio_root.pem"
	cas=$(jq -n --arg u "$FULCIO" --arg raw "$(der64_cert <"$d/fulcio_root.pem")" --arg s "$VALID_FROM" \
		'[{subject: {organization: "sigstore", commonName: "sigstore"}, uri: $u,
		   certChain: {certificates: [{rawBytes: $raw}]}, validFor: {start: $s}}]')

	if ((OPT_TSA)); then
		# The memory signer makes a new leaf/intermediate/root chain on every
		# start; keep the order served.
		curl -fsS "http://$H:$P_TSA/api/v1/timestamp/certchain" >"$d/tsa_chain.pem"
		local certs f
		certs=$(awk -v dir="$d" '/-----BEGIN CERTIFICATE-----/ {n++; f = sprintf("%s/tsa_%02d.pem", dir, n)}
			f {print > f}' "$d/tsa_chain.pem"
		for f in "$d"/tsa_[0-9]*.pem; do der64_cert <"$f" | jq -R '{rawBytes: .}'; done | jq -s -c .)
		tsas=$(jq -n --arg u "$TSA" --argjson c "$certs" --arg s "$VALID_FROM" \
			'[{subject: {organization: "local", commonName: "tsa"}, uri: $u,
			   certChain: {certificates: $c}, validFor: {start: $s}}]')
	fi

	jq -n --argjson tlogs "$(printf '%s\n' "${tlogs[@]}" | jq -s -c .)" \
		--argjson ctlogs "$(printf '%s\n' "${ctlogs[@]}" | jq -s -c .)" \
		--argjson cas "$cas" --argjson tsas "$tsas" \
		'{mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
		  tlogs: $tlogs, certificateAuthorities: $cas, ctlogs: $ctlogs, timestampAuthorities: $tsas}' \
		>"$d/trusted_root.json"
	# gh reads JSON Lines and drops a last line with no newline; jq -c ends
	# every line with one.
	jq -c . "$d/trusted_root.json" >"$d/trusted_root.jsonl"
	# gh's policy for a CA that is neither public-good nor GitHub's demands a
	# tlog entry whenever the root lists a log, so TSA-only bundles need this.
	jq -c '.tlogs = []' "$d/trusted_root.json" >"$d/trusted_root_notlog.jsonl"
}

write_signing_config() {
	# shellcheck disable=SC2016 # $u and $v are jq variables
	local svc='{url: $u, majorApiVersion: $v, validFor: {start: "2020-01-01T00:00:00Z"}, operator: "local"}'
	local tlogs=() tsas=()
	! want_v2 || tlogs+=("$(jq -n --arg u "$REKOR2" --argjson v 2 "$svc")")
	! want_v1 || tlogs+=("$(jq -n --arg u "$REKOR1" --argjson v 1 "$svc")")
	((OPT_TSA == 0)) || tsas+=("$(jq -n --arg u "$TSA" --argjson v 1 "$svc")")
	jq -n --argjson ca "$(jq -n --arg u "$FULCIO" --argjson v 1 "$svc")" \
		--argjson tlogs "$(printf '%s\n' "${tlogs[@]}" | jq -s -c .)" \
		--argjson tsas "$(printf '%s\n' "${tsas[@]}" | jq -s -c .)" \
		'{mediaType: "application/vnd.dev.sigstore.signingconfig.v0.2+json",
		  caUrls: [$ca], oidcUrls: [],
		  rekorTlogUrls: $tlogs, rekorTlogConfig: {selector: "ANY"},
		  tsaUrls: $tsas, tsaConfig: {selector: "ANY"}}' >"$STACK_DIR/signing_config.json"
}

export_env() {
	export STACK_DIR HOME=$STACK_DIR/home
	export SIGSTORE_TRUSTED_ROOT=$STACK_DIR/trusted_root.json
	export SIGSTORE_TRUSTED_ROOT_JSONL=$STACK_DIR/trusted_root.jsonl
	export SIGSTORE_TRUSTED_ROOT_NOTLOG_JSONL=$STACK_DIR/trusted_root_notlog.jsonl
	export SIGSTORE_SIGNING_CONFIG=$STACK_DIR/signing_config.json
	export OIDC_ISSUER=$OIDC_URL
	export ACTIONS_ID_TOKEN_REQUEST_URL="$OIDC_URL/token?api-version=2.0"
	export ACTIONS_ID_TOKEN_REQUEST_TOKEN=$REQUEST_TOKEN
	export FULCIO_URL=$FULCIO
	export STACK_REKOR=$OPT_REKOR STACK_CT=$OPT_CT STACK_TSA=$OPT_TSA STACK_REGISTRY=$OPT_REGISTRY
	unset CT_URL TSA_URL REKOR_V1_URL REKOR_V2_URL REGISTRY REGISTRY_REFERRERS
	((OPT_CT == 0)) || export CT_URL=$CT
	((OPT_TSA == 0)) || export TSA_URL=$TSA
	! want_v1 || export REKOR_V1_URL=$REKOR1
	! want_v2 || export REKOR_V2_URL=$REKOR2
	if ((OPT_REGISTRY)); then
		export REGISTRY=$H:$P_REGISTRY REGISTRY_REFERRERS=$H:$P_REGISTRY_REFERRERS
	fi
}

# ---------------------------------------------------------------------------
main() {
	ORIG_ARGS=("$@")
	parse_args "$@"
	setup_path
	check_tools
	if [[ -n ${FAKEOIDC_CLAIMS:-} ]]; then
		[[ -r $FAKEOIDC_CLAIMS ]] || die "FAKEOIDC_CLAIMS=$FAKEOIDC_CLAIMS is not readable"
		FAKEOIDC_CLAIMS=$(realpath "$FAKEOIDC_CLAIMS")
	fi
	pin_go_env

	if ! in_private_netns; then
		enter_netns # does not return
	fi
	ip link set lo up

	T_START=$(now_us)
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	if [[ -n ${_SIGSTORE_STACK_DIR:-} ]]; then
		STACK_DIR=$_SIGSTORE_STACK_DIR
		unset _SIGSTORE_STACK_DIR
	else
		# Already in a namespace of our own, so no network: build offline.
		STACK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sigstore-stack.XXXXXX")
		GOPROXY=off build_helpers "$STACK_DIR"
	fi
	LOGS=$STACK_DIR/logs
	mkdir -p "$LOGS" "$STACK_DIR/home"
	REQUEST_TOKEN=$(openssl rand -hex 16)

	start_services
	write_trusted_root
	write_signing_config
	export_env
	local up="fulcio rekor=$OPT_REKOR"
	((OPT_CT == 0)) || up+=" ct"
	((OPT_TSA == 0)) || up+=" tsa"
	((OPT_REGISTRY == 0)) || up+=" registry"
	say "up in $(elapsed "$T_START") ($up); STACK_DIR=$STACK_DIR"

	# The command runs in the background so that a signal reaches our trap
	# at once; <&0 keeps its stdin, which `&` would otherwise replace.
	local rc=0
	"${CMD[@]}" <&0 &
	CMD_PID=$!
	wait "$CMD_PID" || rc=$?
	CMD_PID=
	exit "$rc"
}

main "$@"
