#!/usr/bin/env bash
# Installs the Debian 12 packages gatehouse needs to build, test and benchmark, if missing.
# Idempotent and quiet when everything is present. Needs root (or sudo) only when installing.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libssl-dev libsqlite3-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format
  curl openssl nginx-light
  awscli python3-boto3
)
# Node.js runs the integration tests' peers (npm jose, the AWS SDKs, dynalite); Node >= 20 with npm.
# Debian's awscli and python3-boto3 are DynamoDB clients the tests drive (/usr/bin/aws, /usr/bin/python3).
command -v npm >/dev/null || packages+=(nodejs npm)
if [ "${1:-}" = "--bench" ]; then
  packages+=(wrk haproxy)
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
