#!/usr/bin/env bash
# `npm test`: install test dependencies, build (tsc + the native addon must already be built by
# `npm install`/`npm ci`), type-check the tests, run tap, and finish with one plain summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-deps.sh || exit 1
npm run --silent build || exit 1
npx tsc -p test/tsconfig.json || { echo "test type-check failed" >&2; exit 1; }
out=$(mktemp /tmp/unitd-tap.XXXXXX)
npx tap "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
node scripts/tap-summary.mjs < "$out"
rm -f "$out"
exit "$rc"
