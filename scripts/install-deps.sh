#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages meterd needs to build, test and run, and only those missing.
# Idempotent: a second run installs nothing. Prints what it installs.
# Usage: scripts/install-deps.sh [build|test|fuzz|all]   (default: test = build + test servers)
set -euo pipefail

want=${1:-test}
build_pkgs=(g++ cmake ninja-build ccache pkg-config make git ca-certificates tzdata
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libmodbus-dev
  libsqlite3-dev libfmt-dev libspdlog-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libtomlplusplus-dev
  libhowardhinnant-date-dev libpugixml-dev)
test_pkgs=(chromium curl sqlite3 python3-aiosmtpd tshark)
fuzz_pkgs=(clang-19 libclang-rt-19-dev)

pkgs=("${build_pkgs[@]}")
case "$want" in
  build) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  fuzz) pkgs+=("${fuzz_pkgs[@]}") ;;
  all) pkgs+=("${test_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  *) echo "install-deps: unknown group '$want' (build|test|fuzz|all)" >&2; exit 2 ;;
esac
# The console is built with Node; Debian's nodejs/npm (Node 18, npm 9) are enough. Only install
# them where no node is present, so a newer Node from elsewhere is left alone.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  pkgs+=(nodejs npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages for '$want' are present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Update the package lists once a day at most: a fresh machine has none.
stamp=/var/lib/apt/periodic/meterd-update-stamp
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ] || ! apt-cache policy "${missing[0]}" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  $sudo apt-get update -q
  $sudo mkdir -p "$(dirname "$stamp")" && $sudo touch "$stamp"
fi
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
