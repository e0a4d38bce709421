#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# meterd's CPU and memory while metersim's devices report every minute, in real time.
# Usage: bench-fleet.sh [devices=10000] [minutes=3]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-10000}
minutes=${2:-3}
bin=build/release/src/apps
work=$(mktemp -d /tmp/meterd-fleet-bench.XXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
METERD_ADMIN_PASSWORD=bench "$bin/meterd" --listen 127.0.0.1:0 --data-dir "$work/data" --static-dir none \
  >"$work/meterd.log" 2>&1 &
meterd=$!
pids+=("$meterd")
for _ in $(seq 1 300); do grep -q 'listening on' "$work/meterd.log" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/meterd.log" | head -1)
"$bin/metersim" --url "$url" --devices "$devices" --days 0 --interval 60 --connections 16 --poll 3600 \
  --state-dir "$work/sim" --enrolment-key-file "$work/data/enrolment.key" --live >"$work/sim.log" 2>&1 &
pids+=("$!")
# Let every device enrol and settle for a minute, then measure whole minutes.
for _ in $(seq 1 600); do grep -q 'metersim: live' "$work/sim.log" && break; sleep 0.1; done
sleep 60
ticks=$(getconf CLK_TCK)
read -r u0 s0 < <(awk '{print $14, $15}' /proc/$meterd/stat)
t0=$(date +%s.%N)
peak=0
for _ in $(seq 1 $((minutes * 60))); do
  rss=$(awk '/VmRSS/ {print $2}' /proc/$meterd/status)
  [ "$rss" -gt "$peak" ] && peak=$rss
  sleep 1
done
read -r u1 s1 < <(awk '{print $14, $15}' /proc/$meterd/stat)
t1=$(date +%s.%N)
# /metrics needs metrics:read: log in as the admin and pass the session as a bearer token.
token=$(curl -s -d '{"username":"admin","password":"bench"}' "$url/api/v1/auth/login" | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
metrics=$(curl -s -H "Authorization: Bearer $token" "$url/metrics")
up=$(awk '/^meterd_ingest_uplinks_total/ {print $2}' <<<"$metrics")
rd=$(awk '/^meterd_ingest_readings_total/ {print $2}' <<<"$metrics")
awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$ticks" -v t0="$t0" -v t1="$t1" -v peak="$peak" -v d="$devices" -v up="$up" -v rd="$rd" 'BEGIN {
  wall = t1 - t0; cpu = (u + s) / hz;
  printf "bench-fleet: %d devices every 60 s: meterd used %.1f%% of one core (user %.1f s, system %.1f s over %.0f s), peak RSS %.1f MiB; %d uplinks, %d readings in total\n",
    d, 100 * cpu / wall, u / hz, s / hz, wall, peak / 1024, up, rd }'
