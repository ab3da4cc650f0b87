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

log=$(mktemp)
integration_log=$(mktemp)
ctest_failures=$(mktemp)
trap 'rm -f "$log" "$integration_log" "$ctest_failures"' EXIT
passed_total=0
failed_total=0

step "unit tests (ctest)"
(cd "$build" && ctest --output-on-failure -j "$(nproc)") 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("unit tests")
sed -n '/^The following tests FAILED:/,$p' "$log" > "$ctest_failures"
if line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log"); then
  n=$(echo "$line" | sed -E 's/.*out of ([0-9]+).*/\1/')
  f=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/')
  passed_total=$((passed_total + n - f)); failed_total=$((failed_total + f))
fi

step "integration tests (node --test, real binary)"
# The test peers (jose, jsonwebtoken, AWS's aws-lambda-ric): installed again whenever the lockfile
# changed since the last install.
if ! cmp -s tests/integration/package-lock.json tests/integration/node_modules/.installed-lock.json; then
  (cd tests/integration && npm ci --no-audit --no-fund --loglevel=error &&
    cp package-lock.json node_modules/.installed-lock.json) || failed+=("npm ci")
fi
(cd tests/integration && GATEHOUSE_BIN="$build/gatehouse" node --test --test-concurrency=1 \
  --test-reporter=spec ./*.test.mjs) 2>&1 | tee "$integration_log"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("integration tests")
p=$(grep -E '^ℹ pass [0-9]+' "$integration_log" | awk '{print $3}')
f=$(grep -E '^ℹ fail [0-9]+' "$integration_log" | awk '{print $3}')
passed_total=$((passed_total + ${p:-0})); failed_total=$((failed_total + ${f:-0}))

if [ "${GH_SKIP_FUZZ:-0}" != 1 ] && [ -x scripts/run-fuzz.sh ]; then
  step "fuzz targets (short run)"
  scripts/run-fuzz.sh "$root/build-fuzz" "${GH_FUZZ_SECONDS:-10}" || failed+=("fuzzing")
fi

echo
if [ ${#failed[@]} -gt 0 ]; then
  # The failures again, last, where a truncated CI log still shows them.
  if [ -s "$ctest_failures" ]; then
    echo "== failed unit tests"
    cat "$ctest_failures"
  fi
  if grep -q '^✖ failing tests:' "$integration_log"; then
    echo "== failed integration tests"
    sed -n '/^✖ failing tests:/,$p' "$integration_log" | cut -c1-400 | head -80
  fi
  echo "FAILED: ${failed[*]}"
  [ "$failed_total" -eq 0 ] && failed_total=1
  echo "tests: $passed_total passed, $failed_total failed"
  exit 1
fi
echo "tests: $passed_total passed, $failed_total failed"
