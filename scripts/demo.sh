#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make demo`: meterd with its embedded store under ./var and metersim with a fleet of
# simulated pulse acquisition devices. Ctrl-C stops both cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release/src/apps
devices=${DEMO_DEVICES:-1000}
days=${DEMO_DAYS:-7}
listen=${DEMO_LISTEN:-127.0.0.1:8080}
mkdir -p var
meterd_pid=""
sim_pid=""
stop() {
  trap - INT TERM
  echo
  echo "demo: stopping"
  [ -n "$sim_pid" ] && kill -TERM "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
  [ -n "$meterd_pid" ] && kill -TERM "$meterd_pid" 2>/dev/null && wait "$meterd_pid" 2>/dev/null || true
  echo "demo: stopped; data kept in ./var (delete it to start afresh)"
  exit 0
}
trap stop INT TERM

# meterd also reads the bus meters metersim serves (M-Bus behind a converter, Modbus TCP) and its
# C12.22 meters (ANSI C12.19 tables on TCP/UDP port 1153), listed in var/poll-targets.toml once
# metersim has started them, every minute.
METERD_BILLING_RULES_FILE=${METERD_BILLING_RULES_FILE:-examples/billing/rules.toml} \
"$bin/meterd" --listen "$listen" --data-dir var --static-dir web/dist \
  --poll-targets var/poll-targets.toml --poll-interval 60 >var/meterd.out 2>var/meterd.log &
meterd_pid=$!
for _ in $(seq 1 300); do
  grep -q 'listening on' var/meterd.out 2>/dev/null && break
  kill -0 "$meterd_pid" 2>/dev/null || { echo "demo: meterd failed to start:"; cat var/meterd.log; exit 1; }
  sleep 0.1
done
cat var/meterd.out
url=http://$listen
echo "demo: $devices simulated devices are catching up on $days days of history, then report live..."
"$bin/metersim" --url "$url" --devices "$devices" --days "$days" --interval 900 --upload-every 16 \
  --state-dir var/metersim --enrolment-key-file var/enrolment.key --live --poll 5 \
  --mbus-meters 40 --modbus-meters 30 --c12-meters "${DEMO_C12_METERS:-20}" --c12-port "${DEMO_C12_PORT:-1153}" \
  --targets-file var/poll-targets.toml >var/metersim.log 2>&1 &
sim_pid=$!
for _ in $(seq 1 3000); do
  grep -q 'metersim: live' var/metersim.log 2>/dev/null && break
  kill -0 "$sim_pid" 2>/dev/null || { echo "demo: metersim stopped:"; tail -5 var/metersim.log; stop; }
  sleep 0.2
done
grep 'caught up' var/metersim.log || true
# On the first start (the only time the admin password is printed) seed billing and run a week.
password=$(sed -n 's/^admin password: \([^ ]*\).*/\1/p' var/meterd.out | head -1)
if [ -n "$password" ] && [ ! -f var/billing-seeded ]; then
  echo "demo: billing: example tariffs, an account per meter, and a bill run over the last $days days..."
  if scripts/demo-billing.sh "$bin/meterctl" "$url" "$password" "$days" >var/demo-billing.log 2>&1; then
    touch var/billing-seeded
    tail -12 var/demo-billing.log
  else
    echo "demo: billing seed failed (see var/demo-billing.log)"
  fi
fi
cat <<MSG

  meterd console:  $url/
  user:            admin   (the password was printed above on the first start; it is stored only
                            as a hash: delete ./var to start afresh with a new one)
  API:             $url/api/v1/openapi.json and $url/metrics (both need a token:
                   meterctl login, or an API token from the console's Account page)
  Bus meters:      40 M-Bus meters behind a converter and 30 Modbus TCP meters (var/poll-targets.toml),
                   read every minute: meterctl meters --search MB-   /   meterctl mbus scan <host:port>
  C12.22 meters:   ${DEMO_C12_METERS:-20} simulated C12.19 electricity meters on 127.0.0.1:${DEMO_C12_PORT:-1153} (TCP and UDP),
                   ApTitles .1153.100001.., user 2 "operator" / password "operator" (var/poll-targets.toml)
  Billing:         console → Billing (runs, review queue, bills); meterctl bill runs / bill list --review
  CLI:             build/release/src/apps/meterctl --url $url -p <password> devices
                   build/release/src/apps/meterctl --url $url -p <password> users add ann --role viewer

  Ctrl-C stops meterd and metersim.
MSG
wait "$meterd_pid"
