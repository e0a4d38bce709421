#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `meterctl mbus decode` on real frames: a good one decodes with every byte explained, a broken
# one exits 1 naming the offset, bad hex exits 2.
# Usage: meterctl_mbus_test.sh <dir with meterctl> <vectors dir>
set -euo pipefail
bin=$1
vectors=$2
fail() { echo "FAIL: $*"; exit 1; }

out=$("$bin/meterctl" mbus decode "$(cat "$vectors/mbus/test-frames/EDC.hex")" --explain)
grep -q '^id  *11120895$' <<<"$out" || fail "no id: $out"
grep -q 'Energy  *465000 Wh' <<<"$out" || fail "no energy record: $out"
grep -q 'C field 0x28: RSP_UD' <<<"$out" || fail "no byte explanation: $out"
json=$("$bin/meterctl" --json mbus decode "$(cat "$vectors/mbus/test-frames/EDC.hex")")
grep -q '"manufacturer":"EDC"' <<<"$json" || fail "json: $json"

set +e
err=$("$bin/meterctl" mbus decode "$(cat "$vectors/mbus/error-frames/premature_end_of_record.hex")" 2>&1)
rc=$?
set -e
[ "$rc" = 1 ] || fail "broken frame exit $rc: $err"
grep -q 'offset' <<<"$err" || fail "error does not name the offset: $err"

set +e
"$bin/meterctl" mbus decode "68 AE ZZ" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "bad hex exit $rc"
echo "meterctl_mbus_test: OK"
