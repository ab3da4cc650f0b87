#!/usr/bin/env bash
# Mints an RS256 token for the mock demo with the demo key in keys/ (development only: that key
# is public in this repository, so the demo API trusts nothing else).
# Usage: examples/mock/mint-token.sh [SCOPE] [LIFETIME_SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scope=${1:-"read:users write:users"}
lifetime=${2:-3600}
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header='{"alg":"RS256","typ":"JWT","kid":"demo-1"}'
payload=$(printf '{"iss":"https://demo.gatehouse.local/","sub":"demo-client@clients","aud":"https://blog-api","iat":%d,"exp":%d,"scope":"%s"}' \
  "$now" "$((now + lifetime))" "$scope")
signing_input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
signature=$(printf '%s' "$signing_input" | openssl dgst -sha256 -sign "$here/keys/demo-signing-key.pem" -binary | b64url)
echo "$signing_input.$signature"
