# Sourced by bench/run.sh and bench/proxy.sh.
# haproxy_jwt_rules KEY_FILE: the frontend lines with which HAProxy checks what gatehouse's JWT
# authorizer checks in the benchmarks (a Bearer token, alg RS256, iss, aud, exp, the signature
# against KEY_FILE), written the way HAProxy documents them (http_auth_bearer, jwt_header_query,
# jwt_payload_query, jwt_verify); anything else is denied with gatehouse's 401 body.
haproxy_jwt_rules() {
  local deny="http-request deny content-type application/json string '{\"message\":\"Unauthorized\"}' status 401"
  cat <<EOF
  $deny unless { req.hdr(authorization) -m beg "Bearer " }
  http-request set-var(txn.bearer) http_auth_bearer
  http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('\$.alg')
  $deny unless { var(txn.alg) -m str RS256 }
  $deny unless { var(txn.bearer),jwt_payload_query('\$.iss') -m str "https://demo.gatehouse.local/" }
  $deny unless { var(txn.bearer),jwt_payload_query('\$.aud') -m str "https://blog-api" }
  http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('\$.exp','int')
  http-request set-var(txn.now) date()
  $deny if { var(txn.exp),sub(txn.now) -m int le 0 }
  $deny unless { var(txn.bearer),jwt_verify(txn.alg,"$1") -m int 1 }
EOF
}
