#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Seeds the demo's billing once: the example tariffs (examples/billing), a key review zone and a
# regular one, an account per simulated meter (electricity on the TOU tariff, water and hot water
# on the water tariff, gas on the gas tariff; heat meters are left out), and a bill run over the
# last whole days, so the console's Billing pages have runs, holds and a review queue to show.
# Usage: demo-billing.sh <meterctl> <url> <admin password> <days>
set -euo pipefail
ctl=$1
export METERD_URL=$2 METERD_USER=admin METERD_PASSWORD=$3
days=$4
cd "$(dirname "$0")/.."
for t in examples/billing/*.toml; do
  [ "$(basename "$t")" = rules.toml ] && continue
  "$ctl" tariff put "$t" >/dev/null
done
"$ctl" zone put centre --key >/dev/null
"$ctl" zone put suburbs --sample 5 >/dev/null
since=$(TZ=Europe/London date -d "-$((days + 30)) days" +%F)
mkdir -p var
csv=var/demo-accounts.csv
echo "id,name,cycle,zone,customer_class,service_point,meter,tariff,email,phone,move_in,move_out" >"$csv"
offset=0
n=0
while :; do
  page=$("$ctl" --json meters --limit 1000 --offset "$offset")
  rows=$(grep -o '"id":"[^"]*","medium":"[^"]*"' <<<"$page" || true)
  [ -z "$rows" ] && break
  while IFS= read -r row; do
    id=$(sed 's/"id":"\([^"]*\)".*/\1/' <<<"$row")
    medium=$(sed 's/.*"medium":"\([^"]*\)"/\1/' <<<"$row")
    case $medium in
      electricity) tariff=power ;;
      water | hot_water) tariff=water ;;
      gas) tariff=gas ;;
      *) continue ;;
    esac
    n=$((n + 1))
    zone=suburbs
    [ $((n % 10)) -eq 0 ] && zone=centre
    echo "ACC-$id,Customer $n,weekly,$zone,residential,SP-$id,$id,$tariff,,,${since},"
  done <<<"$rows" >>"$csv"
  offset=$((offset + 1000))
done
"$ctl" accounts import "$csv"
to=$(TZ=Europe/London date +%F)
from=$(TZ=Europe/London date -d "$to - $((days - 1)) days" +%F)
"$ctl" bill run --cycle weekly --from "$from" --to "$to"
