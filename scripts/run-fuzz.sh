#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cc) with clang and runs each one briefly over a
# temporary copy of its committed seed corpus (tests/fuzz/corpus/<target>/), so nothing new is
# written into git-tracked folders. Exits non-zero if any target crashes, leaks, hits undefined
# behaviour or times out; the reproducer lands in <build-dir>/fuzz-artifacts/. After fixing the
# bug, commit the reproducer into tests/fuzz/corpus/<target>/ so it stays fixed.
#
# Usage: scripts/run-fuzz.sh [build-dir] [seconds-per-target]     (defaults: build-fuzz 30)
# Rerun one crash:  <build-dir>/tests/fuzz/<target> <build-dir>/fuzz-artifacts/<file>
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-fuzz}
seconds=${2:-30}
case "$build" in
  /*) ;;
  *) build="$root/$build" ;;
esac

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGH_FUZZ=ON -DGH_TESTS=OFF
fi
if ! grep -q '^GH_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "run-fuzz: $build is not a -DGH_FUZZ=ON build directory" >&2
  exit 2
fi

targets=()
for src in "$root"/tests/fuzz/*_fuzz.cc; do
  targets+=("$(basename "$src" .cc)")
done
# Only the fuzz targets and what they link: other areas need not build for this to run.
ninja -C "$build" -j "${JOBS:-$(nproc)}" "${targets[@]}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
# UBSan reports must fail the run, not scroll past; leaks count as bugs too.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

status=0
for target in "${targets[@]}"; do
  corpus="$work/$target"
  mkdir -p "$corpus"
  if [ -d "$root/tests/fuzz/corpus/$target" ]; then
    cp -R "$root/tests/fuzz/corpus/$target/." "$corpus/"
  fi
  log="$work/$target.log"
  echo "run-fuzz: $target for ${seconds}s over $(find "$corpus" -type f | wc -l) seeds"
  if "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -max_len=20000 \
      -artifact_prefix="$artifacts/$target-" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' "$log" | tr '\n' ' '
    echo
  else
    tail -n 60 "$log"
    echo "run-fuzz: $target FAILED; reproducer in $artifacts/" >&2
    status=1
  fi
done
exit "$status"
