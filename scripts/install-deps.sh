#!/usr/bin/env bash
# Installs the Debian 12 packages gatehouse needs, if missing: to build and run it (no option), to
# test it as well (--test), or to benchmark it too (--bench). Idempotent and quiet when everything
# is present. Needs root (or sudo) only when installing.
set -euo pipefail

# Building and running: the compiler and libraries; Node.js runs Node functions (runtime: node);
# dpkg-dev packages it (make package).
packages=(
  g++ cmake ninja-build ccache pkg-config dpkg-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libssl-dev libsqlite3-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  curl
)
command -v npm >/dev/null || packages+=(nodejs npm)
case "${1:-}" in
  --test | --bench)
    # The tests: GoogleTest, clang (the fuzz targets), clang-format, and the peers the integration
    # tests drive: openssl (test certificates), Debian's awscli and python3-boto3 (DynamoDB
    # clients), nginx-light (the scale-out test's load balancer). Node >= 20 with npm runs the
    # npm peers (jose, the AWS SDKs, dynalite).
    packages+=(libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev clang-format
      openssl awscli python3-boto3 nginx-light)
    ;;
  "") ;;
  *) echo "usage: install-deps.sh [--test | --bench]" >&2; exit 2 ;;
esac
if [ "${1:-}" = "--bench" ]; then
  # valgrind: bench/proxy.sh's instruction counts (BENCH_INSTRUCTIONS).
  packages+=(wrk haproxy valgrind)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "gatehouse: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "gatehouse: run as root or install sudo" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
