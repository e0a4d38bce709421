#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the console into web/dist, installing its npm packages from the lock file when they
# are missing or the lock changed.
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=node_modules/.meterd-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "build-web: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
if [ -f dist/index.html ] && [ -z "$(find src index.html package.json vite.config.ts -newer dist/index.html -print -quit)" ]; then
  echo "build-web: web/dist is up to date"
  exit 0
fi
npm run build --silent
