#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Authenticated API requests per second, with and without TLS, against the unauthenticated
# health endpoint: what the checks and the encryption cost. Keep-alive, loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release
work=$(mktemp -d /tmp/meterd-http-bench.XXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
"$bin/src/apps/meterctl" tls-cert --cert "$work/tls.crt" --key "$work/tls.key" --name 127.0.0.1 >/dev/null
# start <name> [tls args]: sets $base to the server's URL. (Not in a $(...) subshell, so the
# pid reaches the cleanup trap.)
start() {
  local name=$1; shift
  METERD_ADMIN_PASSWORD=bench "$bin/src/apps/meterd" --listen 127.0.0.1:0 --data-dir "$work/$name" --static-dir none "$@" \
    >"$work/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 300); do grep -q 'listening on' "$work/$name.log" && break; sleep 0.1; done
  base=$(grep -o 'https\?://[0-9.:]*' "$work/$name.log" | head -1)
}
start plain
plain=$base
start tls --tls-cert "$work/tls.crt" --tls-key "$work/tls.key"
tls=$base
for url in "$plain" "$tls"; do
  token=$(METERD_CA_FILE="$work/tls.crt" "$bin/src/apps/meterctl" --url "$url" -p bench login)
  # One device so the authenticated request reads a real record.
  dtoken=$("$bin/src/apps/meterctl" device-token D1 --enrolment-key-file "$work/$( [ "$url" = "$plain" ] && echo plain || echo tls)/enrolment.key")
  curl -s --cacert "$work/tls.crt" -H "Authorization: Bearer $dtoken" -d '{"v":1,"device":"D1","meter":"W1","medium":"water","pulse_weight":"1 L","counter_bits":32,"messages":[]}' \
    "$url/api/v1/devices/D1/uplink" >/dev/null
  "$bin/bench/http_bench" "$url" /api/v1/health - 8 5 "$work/tls.crt"
  "$bin/bench/http_bench" "$url" /api/v1/devices/D1 "$token" 8 5 "$work/tls.crt"
done
