#!/usr/bin/env bash
# Fuzzes the admin API against its own OpenAPI document with schemathesis.
#
# Builds and starts the Autotask simulator and `psa-hub serve` on free loopback ports (a fresh
# SQLite file, a generated admin token and master key, all through PSA_HUB__* variables), installs
# schemathesis into a virtualenv if it is missing, waits for /readyz, then runs every schemathesis
# check against GET /api/v1/openapi.json. Exits non-zero unless the run has no failure, no server
# error and no schema problem. Not part of CI: it takes a minute or two and needs PyPI.
#
#   scripts/schemathesis.sh                      # default: 100 examples per operation
#   MAX_EXAMPLES=500 scripts/schemathesis.sh     # longer run
#   SEED=42 scripts/schemathesis.sh              # reproduce a run
#
# Environment: SCHEMATHESIS_VENV (default target/schemathesis-venv), SCHEMATHESIS_SPEC (the pip
# requirement, default schemathesis==4.32.5), MAX_EXAMPLES, SEED, KEEP_LOGS=1 (keep the work dir).
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXAMPLES=${MAX_EXAMPLES:-100}
VENV=${SCHEMATHESIS_VENV:-target/schemathesis-venv}
SPEC=${SCHEMATHESIS_SPEC:-schemathesis==4.32.5}
# The simulator's API user is the document's example credentials, so the examples phase and
# the stateful runs built on it reach a real webhook (the fuzzed ones get credentials_rejected).
SIM_USER="api-user@msp.example"
SIM_SECRET="example-secret-1"
SIM_CODE="EXAMPLEINTEGRATIONCODE1"
# The ConnectWise member is the document's example too; its site is the simulator's own URL,
# which no example can know, so the script connects one tenant itself (see below).
CW_COMPANY="training"
CW_PUBLIC="5QBrF9Eobsojjl19"
CW_PRIVATE="gNfvfMdPxIAPOIvB"
CW_TENANT="demo-msp"

log() { printf 'schemathesis.sh: %s\n' "$*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

install_schemathesis() {
  if [[ -x "$VENV/bin/schemathesis" ]]; then
    return
  fi
  log "installing $SPEC into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "$SPEC"
}

# Polls until URL answers 200 (a start-up wait, not test synchronization); gives up after 60 s.
wait_ready() {
  local url=$1
  for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  log "$url did not become ready; logs in $WORK"
  return 1
}

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -z "${KEEP_LOGS:-}" ]]; then rm -rf "$WORK"; else log "logs kept in $WORK"; fi
}
trap cleanup EXIT

install_schemathesis
log "building the simulators and psa-hub"
cargo build --quiet -p autotask-sim -p connectwise-sim -p psa-hub
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')

SIM_PORT=$(free_port)
"$TARGET_DIR/debug/autotask-sim" --listen "127.0.0.1:$SIM_PORT" --time-scale 0.001 \
  --user "$SIM_USER:$SIM_SECRET:$SIM_CODE" >"$WORK/sim.log" 2>&1 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$SIM_PORT/atservicesrest/V1.0/zoneInformation?user=$SIM_USER"

CW_PORT=$(free_port)
"$TARGET_DIR/debug/connectwise-sim" --listen "127.0.0.1:$CW_PORT" --time-scale 0.001 \
  --member "$CW_COMPANY:$CW_PUBLIC:$CW_PRIVATE" >"$WORK/cwsim.log" 2>&1 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$CW_PORT/login/companyinfo/$CW_COMPANY"

ADMIN="127.0.0.1:$(free_port)"
TOKEN=$(openssl rand -hex 32)
PSA_HUB__ADMIN__LISTEN="$ADMIN" \
  PSA_HUB__ADMIN__TOKENS="$TOKEN" \
  PSA_HUB__ADMIN__SETUP_WAIT_SECONDS=5 \
  PSA_HUB__PUBLIC__LISTEN="127.0.0.1:$(free_port)" \
  PSA_HUB__DATABASE__URL="sqlite://$WORK/hub.db" \
  PSA_HUB__SECRETS__MASTER_KEY="$(openssl rand -base64 32)" \
  PSA_HUB__AUTOTASK__ZONE_LOOKUP_URL="http://127.0.0.1:$SIM_PORT/atservicesrest/V1.0/zoneInformation" \
  PSA_HUB__CONNECTWISE__CLIENT_ID="schemathesis-client" \
  PSA_HUB__CONNECTWISE__ALLOW_HTTP_SITES=true \
  "$TARGET_DIR/debug/psa-hub" serve >"$WORK/hub.log" 2>&1 &
PIDS+=($!)
wait_ready "http://$ADMIN/readyz"

# One ConnectWise connection on the simulator, so Retry Webhook Setup has a real one to work on.
curl -fsS -o /dev/null -X PUT "http://$ADMIN/api/v1/tenants/$CW_TENANT/connectwise" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"site\": \"http://127.0.0.1:$CW_PORT\", \"company_id\": \"$CW_COMPANY\", \"public_key\": \"$CW_PUBLIC\", \"private_key\": \"$CW_PRIVATE\"}"
log "hub ready at http://$ADMIN; running schemathesis ($MAX_EXAMPLES examples per operation)"

# Every warning fails the run too: they report parts of the document schemathesis could not use
# (unresolvable references, operations it could not generate valid data for).
cat >"$WORK/schemathesis.toml" <<TOML
# A DELETE waits for the PSA; under the fuzzer's load, a connection whose (fuzzed) site cannot
# be reached queues its removal behind its retries for longer than the default 10 s.
request-timeout = 60.0

[warnings]
fail-on = true

# Fuzzed sites are unreachable, so fuzzed ConnectWise connections never exist for long; Retry
# works on the one connected above (its tenant id is fuzzed on every other operation).
[[operations]]
include-operation-id = "retry_connectwise_connection"
parameters = { tenant_id = "$CW_TENANT" }
TOML
ARGS=(--config-file "$WORK/schemathesis.toml" run "http://$ADMIN/api/v1/openapi.json"
  --header "Authorization: Bearer $TOKEN"
  --checks all
  --max-examples "$MAX_EXAMPLES"
  --workers 1)
if [[ -n "${SEED:-}" ]]; then ARGS+=(--seed "$SEED"); fi

status=0
"$VENV/bin/schemathesis" "${ARGS[@]}" || status=$?
# A 500 is logged by psa-hub with its cause; actix's own request-parse errors are not the hub's.
if grep -qE 'panicked| ERROR psa_hub' "$WORK/hub.log"; then
  log "the hub logged errors:"
  grep -E 'panicked| ERROR psa_hub' "$WORK/hub.log" | head -20 >&2
  status=1
fi
if [[ $status -ne 0 ]]; then
  KEEP_LOGS=1
  log "FAILED (exit $status)"
fi
exit "$status"
