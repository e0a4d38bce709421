#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The console's billing pages in real headless Chromium against a real meterd holding simulated
# water data: seed a tariff, zones, service points and accounts through the API, run a bill run,
# then see it in the console, refuse a bad tariff, work the review queue, release, view, print and
# download a bill, and rebill it (web/tests/e2e/billing.e2e.mjs).
# Usage: billing_e2e.sh <dir with meterd and metersim>
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
name=billing_e2e
days=8
# 10 devices: W000001, W000005, W000006 and W000010 are water meters (1 L pulses, m3).
source "$root/tests/integration/e2e_meterd.sh"

cd "$root/web"
status=0
METERD_URL=$url METERD_USER=admin METERD_PASSWORD=$password E2E_DAYS=$days \
  E2E_SCREENSHOT="${E2E_SCREENSHOT:-}" E2E_BILL_PDF="${E2E_BILL_PDF:-}" \
  E2E_PRINT_SHOT="${E2E_PRINT_SHOT:-}" node tests/e2e/billing.e2e.mjs || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- meterd log (last 40 lines)" >&2
  tail -n 40 "$work/meterd.log" >&2
fi
exit "$status"
