#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make fuzz`: runs every fuzz target with libFuzzer for N seconds each, from its seed corpus.
# New crashers land in fuzz/crashes/<target>/: commit each as fuzz/corpus/<target>/crash-* so
# the normal test build replays it forever.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
status=0
for bin in build/fuzz/fuzz/*_fuzz; do
  name=$(basename "$bin")
  work=$(mktemp -d)
  cp -r "fuzz/corpus/$name/." "$work/" 2>/dev/null || true
  mkdir -p "fuzz/crashes/$name"
  echo "== $name for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -artifact_prefix="fuzz/crashes/$name/" "$work" 2>&1 | tail -3; then
    status=1
  fi
  rm -rf "$work"
done
exit $status
