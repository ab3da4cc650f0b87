#!/usr/bin/env bash
# DynamoDB API benchmark (method: docs/benchmarks.md): gatehouse's DynamoDB listener and dynalite
# (npm, the emulator a user would otherwise pick), each pinned to CPU 0 with `wrk -t1` on CPU 1,
# HTTP/1.1 keep-alive, in the same run, interleaved:
#   put    PutItem of one ~100-byte item (gatehouse: durable, fsynced before the answer)
#   get    GetItem of that item
#   query  Query of a partition of 10 items
# Requests carry a syntactically valid SigV4 Authorization header that neither server verifies
# (gatehouse without dynamodb.credentials serves any signer, as dynalite does).
# Reports requests/s, p50 and p99 latency and server CPU µs per request, medians of the repeats.
#
# Usage: bench/dynamodb.sh [BUILD_DIR]   (default build)
# Env:   BENCH_SECONDS (8)  BENCH_REPEATS (3)  BENCH_CONNS ("16 64")
set -euo pipefail

bench_default_seconds=8
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh" ddb-bench "${1:-build}"

# gatehouse with only the DynamoDB listener, on the work disk (fsync must be real).
start_dynamodb_gatehouse gatehouse
gh_port=$ddb_port
gh_pid=$ddb_pid

start_dynalite

auth='AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000'
call() {  # call PORT OP BODY
  curl -sf -X POST "http://127.0.0.1:$1/" -H 'content-type: application/x-amz-json-1.0' \
    -H "x-amz-target: DynamoDB_20120810.$2" -H "authorization: $auth" \
    -H "x-amz-date: 20260101T000000Z" -d "$3"
}
for port in "$gh_port" "$dl_port"; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.1; done
  call "$port" CreateTable '{"TableName":"bench","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"}' >/dev/null \
    || die "CreateTable on port $port failed"
  for i in $(seq 0 9); do
    call "$port" PutItem "{\"TableName\":\"bench\",\"Item\":{\"pk\":{\"S\":\"user-1\"},\"sk\":{\"S\":\"item-$i\"},\"name\":{\"S\":\"Yev\"},\"email\":{\"S\":\"yev@example.com\"},\"n\":{\"N\":\"42\"}}}" >/dev/null \
      || die "PutItem on port $port failed"
  done
done

declare -A body=(
  [put]='{"TableName":"bench","Item":{"pk":{"S":"user-2"},"sk":{"S":"item-0"},"name":{"S":"Yev"},"email":{"S":"yev@example.com"},"n":{"N":"42"}}}'
  [get]='{"TableName":"bench","Key":{"pk":{"S":"user-1"},"sk":{"S":"item-0"}}}'
  [query]='{"TableName":"bench","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"user-1"}}}'
)
declare -A op=([put]=PutItem [get]=GetItem [query]=Query)
for c in put get query; do
  cat >"$work/$c.lua" <<LUA
wrk.method = "POST"
wrk.body = '${body[$c]}'
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.${op[$c]}"
wrk.headers["X-Amz-Date"] = "20260101T000000Z"
wrk.headers["Authorization"] = "$auth"
$wrk_result_lua
LUA
done

declare -A rps cpu p50 p99
run() {  # run NAME PID PORT CASE CONNS -> appends one sample
  local name=$1 pid=$2 port=$3 c=$4 n=$5 before after out
  before=$(cpu_ticks "$pid")
  out=$(taskset -c "$client_cpu" wrk -t1 -c"$n" -d"${seconds}s" -s "$work/$c.lua" "http://127.0.0.1:$port/" | grep '^RESULT')
  after=$(cpu_ticks "$pid")
  read -r _ requests rate l50 l99 errors <<<"$out"
  [ "$errors" = 0 ] || die "$name $c c=$n: $errors non-2xx answers"
  local us; us=$(awk -v t=$((after - before)) -v hz="$hz" -v r="$requests" 'BEGIN { printf "%.2f", t / hz * 1e6 / r }')
  rps[$name,$c,$n]+="$rate "
  cpu[$name,$c,$n]+="$us "
  p50[$name,$c,$n]+="$l50 "
  p99[$name,$c,$n]+="$l99 "
  log "$name $c c=$n: $rate req/s, p50 $l50 us, p99 $l99 us, cpu $us us/req"
}

for c in put get query; do
  for n in $conns; do taskset -c "$client_cpu" wrk -t1 -c"$n" -d2s -s "$work/$c.lua" "http://127.0.0.1:$gh_port/" >/dev/null; done
done
for r in $(seq "$repeats"); do
  log "repeat $r/$repeats"
  for c in put get query; do
    for n in $conns; do
      run gatehouse "$gh_pid" "$gh_port" "$c" "$n"
      run dynalite "$dl_pid" "$dl_port" "$c" "$n"
    done
  done
done

echo "| operation | conns | gatehouse req/s | dynalite req/s | ratio | gatehouse CPU µs/op | dynalite CPU µs/op | gatehouse p99 µs | dynalite p99 µs |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in put get query; do
  for n in $conns; do
    g=$(median "${rps[gatehouse,$c,$n]}"); d=$(median "${rps[dynalite,$c,$n]}")
    echo "| ${op[$c]} | $n | $g | $d | $(awk -v g="$g" -v d="$d" 'BEGIN { printf "%.1f", g / d }')x | $(median "${cpu[gatehouse,$c,$n]}") | $(median "${cpu[dynalite,$c,$n]}") | $(median "${p99[gatehouse,$c,$n]}") | $(median "${p99[dynalite,$c,$n]}") |"
  done
done
