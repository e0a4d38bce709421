#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The console in real headless Chromium against a real meterd holding a week of simulated data:
# log in (cookie session), find a device, open it, see the chart drawn from stored data, switch its
# output; then create a viewer on the Users page, log in as it, check what it may not see or do,
# change its password and create an API token on the Account page (web/tests/e2e/console.e2e.mjs).
# Usage: console_e2e.sh <dir with meterd and metersim>
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
name=console_e2e
days=8
source "$root/tests/integration/e2e_meterd.sh"

cd "$root/web"
METERD_URL=$url METERD_USER=admin METERD_PASSWORD=$password METERD_DEVICE=D000004 \
  E2E_SCREENSHOT="${E2E_SCREENSHOT:-}" node tests/e2e/console.e2e.mjs
