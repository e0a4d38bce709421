#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# TLS with real clients: a certificate from `meterctl tls-cert`, meterd serving HTTPS only,
# curl and openssl s_client verifying it, plain HTTP redirected, a world-readable key refused,
# and meterctl itself over https.
# Usage: tls_test.sh <dir with meterd and meterctl>
set -euo pipefail
bin=$1
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$work/meterd.log" ] && cat "$work/meterd.log"; exit 1; }

"$bin/meterctl" tls-cert --cert "$work/tls.crt" --key "$work/tls.key" --name 127.0.0.1 --name localhost
[ "$(stat -c %a "$work/tls.key")" = 600 ] || fail "key file is not mode 600"
"$bin/meterctl" tls-cert --cert "$work/tls.crt" --key "$work/tls.key" --name 127.0.0.1 2>/dev/null \
  && fail "tls-cert overwrote an existing key"

METERD_ADMIN_PASSWORD=tls-secret "$bin/meterd" --listen 127.0.0.1:0 --data-dir "$work/data" --static-dir none \
  --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" >"$work/meterd.log" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 600); do
  url=$(grep -o 'listening on https://[0-9.:]*' "$work/meterd.log" | sed 's/listening on //') || true
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || fail "meterd exited"
  sleep 0.1
done
[ -n "$url" ] || fail "meterd did not start with TLS"
port=${url##*:}

# curl verifies the chain and the name.
health=$(curl -sS --cacert "$work/tls.crt" "$url/api/v1/health") || fail "curl over TLS"
echo "$health" | grep -q '"status":"ok"' || fail "health over TLS: $health"
curl -sS "$url/api/v1/health" >/dev/null 2>&1 && fail "curl accepted an unknown self-signed certificate"
# Plain HTTP on the TLS port is redirected, never served.
code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$port/api/v1/devices")
[ "$code" = "308 https://127.0.0.1:$port/api/v1/devices" ] || fail "plain HTTP answer: $code"
# openssl s_client sees TLS 1.2+ and a verified certificate for our name.
out=$(echo | openssl s_client -connect "127.0.0.1:$port" -CAfile "$work/tls.crt" -verify_ip 127.0.0.1 2>&1) || true
echo "$out" | grep -q 'Verify return code: 0 (ok)' || fail "s_client did not verify: $out"
echo "$out" | grep -Eq 'TLSv1\.[23]' || fail "s_client: no TLS 1.2/1.3"
echo | openssl s_client -connect "127.0.0.1:$port" -tls1_1 >/dev/null 2>&1 && fail "TLS 1.1 accepted"
# Over TLS the console cookie is Secure; /metrics needs a token with metrics:read.
headers=$(curl -sS --cacert "$work/tls.crt" -D - -o "$work/login.json" -d '{"username":"admin","password":"tls-secret"}' "$url/api/v1/auth/login")
echo "$headers" | grep -qi '^set-cookie: meterd_session=.*HttpOnly; SameSite=Strict;.*Secure' || fail "login cookie: $headers"
token=$(sed 's/.*"token":"\([0-9a-f]*\)".*/\1/' "$work/login.json")
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$work/tls.crt" "$url/metrics")
[ "$code" = 401 ] || fail "/metrics without a token: $code"
curl -sS --cacert "$work/tls.crt" -H "Authorization: Bearer $token" "$url/metrics" | grep -q '^meterd_ingest_uplinks_total' \
  || fail "/metrics with the admin's token"
# meterctl over https, with the certificate as its CA.
METERD_CA_FILE="$work/tls.crt" "$bin/meterctl" --url "$url" -p tls-secret health | grep -q ok || fail "meterctl over https"

kill "$pid"; wait "$pid" || true; pid=""
# A key readable by others is refused at start, naming the file and not its contents.
chmod 644 "$work/tls.key"
if "$bin/meterd" --listen 127.0.0.1:0 --data-dir "$work/data" --static-dir none --tls-cert "$work/tls.crt" \
    --tls-key "$work/tls.key" >"$work/refused.log" 2>&1; then
  fail "meterd started with a world-readable key"
fi
grep -q "readable by others" "$work/refused.log" || fail "no clear error: $(cat "$work/refused.log")"
grep -q "PRIVATE KEY" "$work/refused.log" && fail "the key leaked into the error"
# A config file that others may write (it names the key files) is refused too.
chmod 600 "$work/tls.key"
printf '[server]\nlisten = "127.0.0.1:0"\n' >"$work/meterd.toml"
chmod 666 "$work/meterd.toml"
if "$bin/meterd" --config "$work/meterd.toml" --data-dir "$work/data" --static-dir none >"$work/refused2.log" 2>&1; then
  fail "meterd started with a world-writable config file"
fi
grep -q "meterd.toml is writable by others" "$work/refused2.log" || fail "no clear error: $(cat "$work/refused2.log")"
echo "tls_test: OK"
