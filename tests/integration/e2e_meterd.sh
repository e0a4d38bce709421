# SPDX-License-Identifier: Apache-2.0
# Sourced by the console's end-to-end scripts (console_e2e.sh, billing_e2e.sh): checks the console
# is built, starts a real meterd on a free loopback port with a fresh data directory and the
# console, waits until it listens, and fills it with `days` of simulated data from 10 devices.
# Needs: bin (meterd, metersim), root (the project), name (for messages), days. Sets: work (removed
# at exit), meterd_pid, url, password.
work=$(mktemp -d)
meterd_pid=""
e2e_cleanup() {
  [ -n "$meterd_pid" ] && kill "$meterd_pid" 2>/dev/null && wait "$meterd_pid" 2>/dev/null
  rm -rf "$work"
}
trap e2e_cleanup EXIT

if [ ! -f "$root/web/dist/index.html" ] || [ ! -d "$root/web/node_modules/playwright-core" ]; then
  echo "$name: the console is not built; run 'make test' (it builds web/ first)" >&2
  exit 1
fi
password=e2e-secret
METERD_ADMIN_PASSWORD=$password "$bin/meterd" --listen 127.0.0.1:0 --data-dir "$work/data" \
  --static-dir "$root/web/dist" >"$work/meterd.log" 2>&1 &
meterd_pid=$!
# meterd prints its address once it listens.
url=""
for _ in $(seq 1 600); do
  url=$(grep -so 'listening on http://[0-9.:]*' "$work/meterd.log" | head -1 | sed 's/listening on //') || true
  [ -n "$url" ] && break
  kill -0 "$meterd_pid" || { cat "$work/meterd.log"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "meterd did not start"; cat "$work/meterd.log"; exit 1; }

"$bin/metersim" --url "$url" --devices 10 --days "$days" --state-dir "$work/sim" \
  --enrolment-key-file "$work/data/enrolment.key" >"$work/metersim.log" 2>&1 || { cat "$work/metersim.log"; exit 1; }
