#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Billing end to end through meterctl and the API against a real meterd holding simulated water
# data, with e-mail to a real SMTP server (Debian's python3-aiosmtpd) on loopback:
# tariff put (and a bad tariff refused with file:line), zones, accounts import (a bad CSV refused
# with its line and nothing imported), bill run with progress, a held account (no data) with its
# reason, the review queue, approve / reject with a note, release by zone, the e-mail delivered,
# a released bill refused a second review, CSV export, and the run repeated without double bills.
# Usage: billing_cli_test.sh <dir with meterd, metersim and meterctl>
set -euo pipefail
bin=$1
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
py=/usr/bin/python3

# A free loopback port for the SMTP server.
smtp_port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/mail/tmp" "$work/mail/new" "$work/mail/cur"
$py -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$work/mail" >"$work/smtp.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  $py -c "import socket; socket.create_connection(('127.0.0.1',$smtp_port),0.2)" 2>/dev/null && break
  sleep 0.1
done

password=billing-secret
METERD_ADMIN_PASSWORD=$password METERD_SMTP=127.0.0.1:$smtp_port METERD_MAIL_FROM=bills@utility.test \
  "$bin/meterd" --listen 127.0.0.1:0 --data-dir "$work/data" --static-dir "$work/none" >"$work/meterd.log" 2>&1 &
pids+=($!)
url=""
for _ in $(seq 1 600); do
  url=$(grep -o 'listening on http://[0-9.:]*' "$work/meterd.log" | head -1 | sed 's/listening on //') || true
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/meterd.log"; fail "meterd did not start"; }
"$bin/metersim" --url "$url" --devices 6 --days 4 --state-dir "$work/sim" \
  --enrolment-key-file "$work/data/enrolment.key" >"$work/metersim.log" 2>&1 || { cat "$work/metersim.log"; fail metersim; }

export METERD_URL=$url METERD_USER=admin METERD_PASSWORD=$password
ctl() { "$bin/meterctl" "$@"; }

# The last two whole days of data (meters keep local days in Europe/London).
to=$(TZ=Europe/London date +%F)
from=$(TZ=Europe/London date -d "$to - 2 days" +%F)

cat >"$work/water.toml" <<EOF
id = "water"
name = "Household water"
currency = "GBP"
unit = "m3"
time_zone = "Europe/London"
[[version]]
effective = "2020-01-01"
fixed = [{ name = "Standing charge", amount = "0.20", per = "day" }]
taxes = [{ name = "VAT", rate = "0.05" }]
[[version.rate]]
name = "all"
from = "00:00"
to = "24:00"
tiers = [{ up_to = "1", price = "1.50" }, { price = "2.10" }]
EOF
ctl tariff put "$work/water.toml" >/dev/null
cat >"$work/power.toml" <<EOF
id = "power"
name = "Household electricity, day and night"
currency = "GBP"
unit = "kWh"
time_zone = "Europe/London"
[[version]]
effective = "2020-01-01"
fixed = [{ name = "Standing charge", amount = "0.45", per = "day" }]
taxes = [{ name = "VAT", rate = "0.05" }]
[[version.rate]]
name = "night"
from = "00:00"
to = "07:00"
price = "0.12"
[[version.rate]]
name = "day"
from = "07:00"
to = "24:00"
price = "0.28"
EOF
ctl tariff put "$work/power.toml" >/dev/null
# A broken tariff is refused with its line; the stored one is unchanged.
sed 's/to = "24:00"/to = "23:00"/' "$work/water.toml" >"$work/bad.toml"
set +e
err=$(ctl tariff put "$work/bad.toml" 2>&1)
rc=$?
set -e
[ $rc -ne 0 ] || fail "a tariff with a gap was accepted"
grep -Eq 'tariff water:[0-9]+: no rate on weekdays in month 1 from 23:00' <<<"$err" || fail "gap not reported with its line: $err"
ctl tariff show water | grep -q 'to = "24:00"' || fail "the stored tariff changed"

ctl zone put centre --key >/dev/null
ctl zone put suburb --sample 1 >/dev/null

# Each meter with the tariff of its medium: kWh for electricity (and heat), m3 for the others.
meters=$(ctl --json meters --limit 100 | $py -c '
import json,sys
for m in json.load(sys.stdin)["items"]:
    print(m["id"] + ":" + ("power" if m["medium"] in ("electricity", "heat") else "water"), end=" ")')
set -- $meters
[ $# -ge 6 ] || fail "expected 6 meters, got: $meters"
m() { echo "${1%%:*},${1##*:}"; }
{
  echo "id,name,cycle,zone,customer_class,service_point,meter,tariff,email,phone,move_in,move_out"
  echo "acc-1,\"Ada, Lovelace\",m1,centre,residential,sp-1,$(m $1),ada@customer.test,,2020-01-01,"
  echo "acc-2,Bob,m1,centre,residential,sp-2,$(m $2),,,2020-01-01,"
  echo "acc-3,Cy,m1,suburb,residential,sp-3,$(m $3),,,2020-01-01,"
  echo "acc-4,Di,m1,suburb,residential,sp-4,$(m $4),,,2020-01-01,"
  echo "acc-5,Ed,m1,suburb,residential,sp-5,$(m $5),,,2020-01-01,"
  echo "acc-6,Flo,m1,suburb,residential,sp-6,no-such-meter,power,,,2020-01-01,"
} >"$work/accounts.csv"
# A bad row refuses the whole file.
{ head -3 "$work/accounts.csv"; echo "acc-x,X,m1,suburb"; } >"$work/bad.csv"
set +e
err=$(ctl accounts import "$work/bad.csv" 2>&1)
rc=$?
set -e
[ $rc -ne 0 ] || fail "a short CSV row was accepted"
grep -q 'bad.csv:4: expected 12 fields, got 4' <<<"$err" || fail "bad CSV not named: $err"
ctl --json bill runs | grep -q '"items":\[\]' || fail "runs before any run"
ctl accounts import "$work/accounts.csv" | grep -q 'imported 6 accounts' || fail "import"

out=$(ctl bill run --cycle m1 --from "$from" --to "$to" 2>"$work/progress.txt")
grep -q 'chunks' "$work/progress.txt" || fail "no progress bar: $(cat "$work/progress.txt")"
grep -Eq "^billed +5$" <<<"$out" || fail "expected 5 billed: $out $(ctl bill holds 1)"
grep -Eq '^held +1$' <<<"$out" || fail "expected 1 held: $out"
run=$(awk '$1=="id"{print $2}' <<<"$out")
ctl bill holds "$run" | grep -q 'acc-6 .*no_data .*no interval data or register reads for meter no-such-meter' || fail "hold reason: $(ctl bill holds "$run")"

# Review: both centre bills and the one suburb sample wait for a person.
queue=$(ctl --json bill list --run "$run" --review)
n=$($py -c 'import json,sys; print(json.load(sys.stdin)["total"])' <<<"$queue")
[ "$n" = 3 ] || fail "review queue has $n bills: $queue"
ids=$($py -c 'import json,sys; print(" ".join(str(b["id"]) for b in json.load(sys.stdin)["items"]))' <<<"$queue")
acc1=$(ctl --json bill list --run "$run" | $py -c 'import json,sys; print([b["id"] for b in json.load(sys.stdin)["items"] if b["account"]=="acc-1"][0])')
set +e
err=$(ctl bill review "$acc1" --reject 2>&1)
set -e
grep -q 'a rejection needs a note' <<<"$err" || fail "rejection without a note: $err"
for id in $ids; do ctl bill review "$id" --approve --note "checked" >/dev/null; done
rel=$(ctl bill release --run "$run")
grep -Eq '^released +5$' <<<"$rel" || fail "release: $rel"

# acc-1's e-mail arrives at the SMTP server.
for _ in $(seq 1 100); do
  [ -n "$(ls "$work/mail/new" 2>/dev/null)" ] && break
  sleep 0.1
done
mail=$(cat "$work/mail/new/"* 2>/dev/null || true)
grep -q '^To: ada@customer.test' <<<"$mail" || fail "no mail to ada: $(ls -R "$work/mail"; cat "$work/smtp.log")"
grep -q "^Subject: Your bill $acc1 for $from to" <<<"$mail" || fail "subject: $mail"
for _ in $(seq 1 50); do
  ctl --json bill show "$acc1" | grep -q '"state":"delivered"' && break
  sleep 0.1
done
ctl --json bill show "$acc1" | grep -q '"channel":"email","address":"ada@customer.test","state":"delivered"' ||
  fail "delivery status: $(ctl --json bill show "$acc1")"

# Released bills are final.
set +e
err=$(ctl bill review "$acc1" --reject --note late 2>&1)
set -e
grep -q '409 (conflict).*released' <<<"$err" || fail "a released bill was reviewed again: $err"

# CSV: a header, lines for each bill, a total row each.
csv=$(ctl bill csv --run "$run")
head -1 <<<"$csv" | grep -q '^bill,account,period_from' || fail "csv header: $csv"
[ "$(grep -c ',Total,' <<<"$csv")" = 5 ] || fail "csv totals: $csv"
grep -q ",Standing charge,[0-9-]*,[0-9-]*,.*,0.200000," <<<"$csv" || fail "csv has no standing charge line at 0.20 a day: $csv"
grep -q '"Ada, Lovelace"' <<<"$csv" && fail "csv leaks the name column"

# Running the same cycle and period again bills nobody twice.
again=$(ctl bill run --cycle m1 --from "$from" --to "$to" 2>/dev/null)
grep -Eq "^id +$run$" <<<"$again" || fail "a re-run made a new run: $again"
grep -Eq '^billed +5$' <<<"$again" || fail "re-run billed again: $again"
echo "billing CLI test passed"
