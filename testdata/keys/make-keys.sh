#!/usr/bin/env bash
# Regenerates the JWT/JWKS test fixtures in this folder with the openssl CLI (OpenSSL 3).
# Run from anywhere: testdata/keys/make-keys.sh. The outputs are committed; rerunning makes new
# random keys, so commit everything it writes together. Needs: openssl, xxd, coreutils.
#
# Test-only key material: never use these keys for anything real.
set -euo pipefail
cd "$(dirname "$0")"
umask 022

ISSUER="https://issuer.example/"
AUDIENCE="gatehouse-test"
HS256_SECRET="gatehouse-test-hmac-secret-0123456789abcdef"  # 43 bytes, >= 32 for HS256
FAR_FUTURE=4102444800                                       # 2100-01-01T00:00:00Z

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
hex2bin() { xxd -r -p; }

# --- keys ---------------------------------------------------------------------------------------
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key.pem
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa-2.key.pem
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.key.pem
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
  -pkeyopt ec_param_enc:named_curve -out ec256.key.pem
openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
  -pkeyopt ec_param_enc:named_curve -out ec384.key.pem
openssl genpkey -quiet -algorithm ED25519 -out ed25519.key.pem
for k in rsa rsa-2 rsa1024 ec256 ec384 ed25519; do
  openssl pkey -in "$k.key.pem" -pubout -out "$k.pub.pem"
done
# A self-signed certificate for rsa.key.pem, the shape Auth0 serves at /pem.
openssl req -new -x509 -sha256 -key rsa.key.pem -subj "/CN=gatehouse test issuer" \
  -days 36500 -out rsa.crt.pem
printf '%s' "$HS256_SECRET" > hs256.secret

# --- JWKS ---------------------------------------------------------------------------------------
# jwk_rsa PUB KID [ALG]
jwk_rsa() {
  local n e alg=""
  n=$(openssl rsa -pubin -in "$1" -modulus -noout | sed 's/^Modulus=//' | hex2bin | b64url)
  e=$(openssl rsa -pubin -in "$1" -text -noout | sed -n 's/^Exponent: [0-9]* (0x\([0-9a-fA-F]*\))$/\1/p')
  [ $(( ${#e} % 2 )) -eq 1 ] && e="0$e"
  e=$(printf '%s' "$e" | hex2bin | b64url)
  [ -n "${3:-}" ] && alg=",\"alg\":\"$3\""
  printf '{"kty":"RSA","use":"sig","kid":"%s"%s,"n":"%s","e":"%s"}' "$2" "$alg" "$n" "$e"
}
# jwk_ec PUB KID CRV COORD_BYTES ALG
jwk_ec() {
  local point x y
  point=$(openssl pkey -pubin -in "$1" -outform DER | tail -c $(( 2 * $4 )) | xxd -p | tr -d '\n')
  x=$(printf '%s' "${point:0:$(( 2 * $4 ))}" | hex2bin | b64url)
  y=$(printf '%s' "${point:$(( 2 * $4 ))}" | hex2bin | b64url)
  printf '{"kty":"EC","use":"sig","kid":"%s","alg":"%s","crv":"%s","x":"%s","y":"%s"}' \
    "$2" "$5" "$3" "$x" "$y"
}
# jwk_ed25519 PUB KID
jwk_ed25519() {
  local x
  x=$(openssl pkey -pubin -in "$1" -outform DER | tail -c 32 | b64url)
  printf '{"kty":"OKP","use":"sig","kid":"%s","alg":"EdDSA","crv":"Ed25519","x":"%s"}' "$2" "$x"
}

{
  printf '{"keys":[\n  '
  jwk_rsa rsa.pub.pem rsa-1 RS256
  printf ',\n  '
  jwk_rsa rsa-2.pub.pem rsa-2
  printf ',\n  '
  jwk_ec ec256.pub.pem ec256-1 P-256 32 ES256
  printf ',\n  '
  jwk_ec ec384.pub.pem ec384-1 P-384 48 ES384
  printf ',\n  '
  jwk_ed25519 ed25519.pub.pem ed25519-1
  printf '\n]}\n'
} > jwks.json
{
  printf '{"keys":[\n  '
  jwk_rsa rsa1024.pub.pem weak-1 RS256
  printf '\n]}\n'
} > jwks-weak-rsa.json
printf '{"issuer":"%s","jwks_uri":"%s.well-known/jwks.json","response_types_supported":["code"],"id_token_signing_alg_values_supported":["RS256"]}\n' \
  "$ISSUER" "$ISSUER" > openid-configuration.json

# --- interop tokens, signed by the openssl CLI rather than by our own sign() -------------------
mkdir -p tokens
claims=$(printf '{"iss":"%s","aud":"%s","sub":"user-1","scope":"read write","iat":1700000000,"exp":%s}' \
  "$ISSUER" "$AUDIENCE" "$FAR_FUTURE")
# der_to_raw COORD_BYTES < DER ECDSA-Sig-Value > raw R||S
der_to_raw() {
  local tmp
  tmp=$(mktemp)
  cat > "$tmp"
  openssl asn1parse -inform DER -in "$tmp" | sed -n 's/.*INTEGER *:\([0-9A-Fa-f]*\)$/\1/p' |
    while read -r h; do
      h=$(printf '%s' "$h" | sed 's/^\(00\)*//')  # at most COORD_BYTES after dropping sign bytes
      printf "%$(( 2 * $1 ))s" "$h" | tr ' ' 0
    done | hex2bin
  rm -f "$tmp"
}
# token ALG KID FILE SIGNER...
token() {
  local alg=$1 kid=$2 file=$3 input sig
  shift 3
  input="$(printf '{"alg":"%s","typ":"JWT","kid":"%s"}' "$alg" "$kid" | b64url).$(printf '%s' "$claims" | b64url)"
  sig=$(printf '%s' "$input" | "$@" | b64url)
  printf '%s.%s\n' "$input" "$sig" > "tokens/$file"
}
token RS256 rsa-1 rs256.jwt openssl dgst -sha256 -sign rsa.key.pem
token RS512 rsa-2 rs512.jwt openssl dgst -sha512 -sign rsa-2.key.pem
token PS256 rsa-2 ps256.jwt openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
  -sigopt rsa_pss_saltlen:digest -sign rsa-2.key.pem
es_sign() { openssl dgst "-sha$1" -sign "$2" | der_to_raw "$3"; }
token ES256 ec256-1 es256.jwt es_sign 256 ec256.key.pem 32
token ES384 ec384-1 es384.jwt es_sign 384 ec384.key.pem 48
ed_sign() {
  local tmp
  tmp=$(mktemp)
  cat > "$tmp"
  openssl pkeyutl -sign -inkey ed25519.key.pem -rawin -in "$tmp"
  rm -f "$tmp"
}
token EdDSA ed25519-1 eddsa.jwt ed_sign
token HS256 hs-1 hs256.jwt openssl dgst -sha256 -mac HMAC -macopt "key:$HS256_SECRET" -binary

chmod 644 ./*.pem hs256.secret
echo "testdata/keys: regenerated keys, JWKS and tokens"
