#!/usr/bin/env bash
# Runs every test against one build directory: unit tests (ctest), the include-graph check,
# integration tests (the real binary with real peers), and a short fuzzing pass.
# Usage: scripts/run-tests.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: run-tests.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=$(cd "$build" && pwd)

failed=()
step() { echo; echo "== $1"; }

step "dependency graph"
scripts/check-includes.sh || failed+=("include check")

step "unit tests (ctest)"
(cd "$build" && ctest --output-on-failure -j "$(nproc)") || failed+=("unit tests")

step "integration tests (node --test, real binary)"
if [ ! -d tests/integration/node_modules/jose ]; then
  (cd tests/integration && npm ci --no-audit --no-fund --loglevel=error) || failed+=("npm ci")
fi
(cd tests/integration && GATEHOUSE_BIN="$build/gatehouse" node --test --test-concurrency=1 \
  --test-reporter=spec ./*.test.mjs) || failed+=("integration tests")

if [ "${GH_SKIP_FUZZ:-0}" != 1 ] && [ -x scripts/run-fuzz.sh ]; then
  step "fuzz targets (short run)"
  scripts/run-fuzz.sh "$root/build-fuzz" "${GH_FUZZ_SECONDS:-10}" || failed+=("fuzzing")
fi

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "all test suites passed"
