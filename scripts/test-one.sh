#!/usr/bin/env bash
# `npm run test:one FILE`: run one test file in seconds. Rebuilds dist/ only when a source
# file is newer than the last build (integration tests boot the built unitd), then runs the
# file in-process with ts-node in transpile-only mode, as tap's own runner does, without the
# runner's start-up. Type-checking stays with `npm test` / `npx tsc -p test/tsconfig.json`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ne 1 ]; then
  echo "usage: npm run test:one test/some/file.test.ts" >&2
  exit 2
fi
stamp=dist/.build-stamp
if [ ! -e "$stamp" ] || [ -n "$(find src tsconfig.json -newer "$stamp" -print -quit)" ]; then
  npm run --silent build
  touch "$stamp"
fi
export TS_NODE_TRANSPILE_ONLY=1 TS_NODE_PROJECT=test/tsconfig.json
exec node --no-warnings --loader @isaacs/ts-node-temp-fork-for-pr-2009/esm "$1"
