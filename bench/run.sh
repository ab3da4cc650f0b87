#!/usr/bin/env bash
# gatehouse benchmark (method: docs/benchmarks.md):
#   server pinned to CPU 0 (one I/O thread), `wrk -t1` pinned to CPU 1, HTTP/1.1 keep-alive,
#   16 and 64 connections, a warm-up, BENCH_SECONDS-long runs, median of BENCH_REPEATS, all cases
#   interleaved in the same run; req/s, p50, p99, non-2xx and server CPU µs per request.
#
# Cases
#   a  nginx (nginx-light, one worker, access_log off) serving the mock route's bytes statically
#   b  gatehouse, GET /resource with a Bearer RS256 token, decision cache warm (same token)
#   c  gatehouse, same with cache_ttl_s: 0 (every request verifies RS256)
#   d  gatehouse, GET /health (auth: none)
#   e  gatehouse blog demo: POST /resource (crud on SQLite, synchronous=FULL, group commit) with a
#      token from the embedded issuer, decision cache warm; at 1, 16 and 64 connections
#   f  gatehouse blog demo: GET /resource/{id} of one item, same token
#   g  gatehouse running the seed's Lambda functions (examples/lambda-blog): the Node TOKEN
#      authorizer with its cache off (cache_ttl_s: 0, one invocation per request) in front of the
#      Node CRUD handler (proxy integration); GET /resource (the list, one item) with a token from
#      the embedded issuer
#   h  gatehouse, the Node TOKEN authorizer with a warm decision cache in front of case b's mock
#      route (case b with the Node authorizer instead of the built-in JWT one)
#   i  serverless-offline (bench/serverless: serverless@3 + serverless-offline) running the same
#      two functions, the same request as g (authorizer resultTtlInSeconds: 0)
#   j  as g, POST /resource (each request writes one item file)
#   k  as i, POST /resource
#   m  as g with the authorizer's cache at API Gateway's default (cache_ttl_s: 300, warm: one
#      token), so one handler invocation per request: what most deployments run
#   n  as m with both functions run by AWS's own runtime client, aws-lambda-ric (as
#      examples/lambda-blog/gatehouse.ric.yaml runs them: the authorizer through adapter.js, since
#      aws-lambda-ric 4.x refuses callback handlers), instead of runtime: node
#   l  HAProxy 2.6 (Debian's haproxy, one thread) with `jwt_verify` RS256 on every request: the
#      native JWT gateway a user would pick instead of case c; it checks what case c checks
#      (Bearer, alg RS256, iss, aud, exp, the signature against the demo public key) and returns
#      the mock route's bytes from a file
#   The function cases need node and npm; bench/serverless is installed (npm ci) when i or k run.
#   Every process under test runs on CPU 0, the Node workers and serverless-offline included.
# plus `openssl speed -seconds 3 rsa2048` on CPU 0 for the verify/s reference, and the ceiling of
# one fdatasync per write on the disk of the benchmark's data directory (dd with O_DSYNC), and with
# the function cases, the example functions' own CPU per invocation (bench/function-cost.js).
#
# Usage: bench/run.sh [BUILD_DIR]     (default build-bench; relative to the repository root)
# Env:   BENCH_SECONDS (10)  BENCH_REPEATS (3)  BENCH_WARMUP (3)  BENCH_CONNS ("16 64")
#        BENCH_CASES ("a b c d e f g h i j k l m n"; when unset, g-k, m and n are left out with a warning if this
#          gatehouse binary or machine cannot run them; named explicitly, that is an error)
#        BENCH_POST_CONNS ("1 16 64", connection counts of case e)
#        BENCH_SLS_RUNNER (in-process): how serverless-offline runs Node handlers: in-process
#          (--useInProcess, its fastest) or worker-threads (its default)
#        BENCH_FN_CONCURRENCY (1): functions.*.concurrency of g, h, j: one worker per function
#          per core the server may use (CPU 0); 0 = gatehouse's own default (one per core of the
#          machine)
#        BENCH_LAMBDA_DIR (examples/lambda-blog): the functions' directory (authorizer/, users/)
#        BENCH_BASE (unset): another build directory (or binary) of gatehouse, e.g. of the commit
#          before a change: adds cases B and C, b and c served by that binary, interleaved with the
#          others in the same run (before/after on the same host state)
#        BENCH_MAX_BUSY (10): before each run, wait until the machine is below this % busy for 1 s,
#          at most BENCH_IDLE_TIMEOUT (300) s
#        BENCH_MAX_FOREIGN (10): repeat a run (up to BENCH_RETRIES, 3) when other processes took
#          more than this % of the server's or wrk's CPU during it
# Writes bench/results/latest.md (git-ignored).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-bench}
[[ $build = /* ]] || build="$repo/$build"
secs=${BENCH_SECONDS:-10}
repeats=${BENCH_REPEATS:-3}
warmup=${BENCH_WARMUP:-3}
conns_list=${BENCH_CONNS:-"16 64"}
post_conns_list=${BENCH_POST_CONNS:-"1 16 64"}
cases=${BENCH_CASES:-"a b c d e f g h i j k l m n"}
cases_explicit=${BENCH_CASES:+1}
sls_runner=${BENCH_SLS_RUNNER:-in-process}
fn_concurrency=${BENCH_FN_CONCURRENCY:-1}
max_busy=${BENCH_MAX_BUSY:-10}
idle_timeout=${BENCH_IDLE_TIMEOUT:-300}
max_foreign=${BENCH_MAX_FOREIGN:-10}
retries=${BENCH_RETRIES:-3}
server_cpu=0
client_cpu=1

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] FAIL: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- prerequisites
for tool in wrk nginx haproxy; do
  if ! command -v "$tool" >/dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    log "$tool missing: running scripts/install-deps.sh --bench"
    "$repo/scripts/install-deps.sh" --bench
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
for tool in curl openssl taskset awk; do command -v "$tool" >/dev/null || die "$tool is required"; done
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (server on CPU $server_cpu, wrk on CPU $client_cpu)"

GH="$build/gatehouse"
if [ ! -x "$GH" ]; then
  [ "$(basename "$build")" = build-bench ] || die "no $GH: build it first (make build, or ninja -C $build gatehouse)"
  log "no $GH: building it (Release)"
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGH_TESTS=OFF >/dev/null
  ninja -C "$build" gatehouse >/dev/null
fi

# ---------------------------------------------------------------- process bookkeeping
work=$(mktemp -d /tmp/gatehouse-bench.XXXXXX)
chmod 755 "$work"
cd "$work"  # nothing this script runs writes into the caller's directory
pids=()
WRK_PID=""
# descendants PID... -> the PIDs of their children, grandchildren, ... (gatehouse's function workers)
descendants() {
  local p c
  for p in "$@"; do
    for c in $(pgrep -P "$p" || true); do echo "$c"; descendants "$c"; done
  done
}
cleanup() {
  local rc=$? kids
  trap - EXIT INT TERM
  [ -n "$WRK_PID" ] && pids=("$WRK_PID" "${pids[@]}")
  kids=$(descendants "${pids[@]}")
  for p in "${pids[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  # Workers their parent did not stop (it was killed): stop them by PID too.
  for p in $kids; do kill -TERM "$p" 2>/dev/null || true; done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/haproxy-jwt.sh
source "$repo/bench/haproxy-jwt.sh"

# ---------------------------------------------------------------- tokens
keys="$repo/examples/mock/keys"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
# mint IAT EXP -> RS256 token signed with the demo key (as examples/mock/mint-token.sh does)
payload_of() {
  printf '{"iss":"https://demo.gatehouse.local/","sub":"demo-client@clients","aud":"https://blog-api","iat":%d,"exp":%d,"scope":"%s"}' \
    "$1" "$2" "$3"
}
mint() {
  local header='{"alg":"RS256","typ":"JWT","kid":"demo-1"}' input sig
  input="$(printf '%s' "$header" | b64url).$(payload_of "$1" "$2" "read:users write:users" | b64url)"
  sig=$(printf '%s' "$input" | openssl dgst -sha256 -sign "$keys/demo-signing-key.pem" -binary | b64url)
  echo "$input.$sig"
}
now=$(date +%s)
TOKEN=$(mint "$now" $((now + 7200)))
EXPIRED=$(mint $((now - 7200)) $((now - 3600)))
# Bad signature: a valid token's signature on another payload (scope changed).
IFS=. read -r h _ s <<<"$TOKEN"
BADSIG="$h.$(payload_of "$now" $((now + 7200)) "admin" | b64url).$s"

# ---------------------------------------------------------------- servers
cp -r "$keys" "$work/keys"
gh_config() { # $1 = cache_ttl_s
  cat <<EOF
api:
  name: blog
  stage: Lab
  listen: 127.0.0.1:0
  io_threads: 1
  shutdown_grace_ms: 1000
  default_authorizer: jwt
authorizers:
  jwt:
    type: jwt
    issuer: "https://demo.gatehouse.local/"
    audiences: ["https://blog-api"]
    algorithms: [RS256]
    cache_ttl_s: $1
    keys:
      jwks_file: keys/demo-jwks.json
routes:
  - path: /resource
    methods: [GET, POST]
    integration:
      type: mock
      status: 200
      headers: {content-type: application/json}
      body: '{"route":"/resource","method":"\$context.httpMethod","principal":"\$context.authorizer.principalId","scope":"\$context.authorizer.claims.scope"}'
  - path: /health
    method: GET
    auth: none
    integration:
      type: mock
      headers: {content-type: application/json}
      body: '{"status":"ok"}'
admin:
  listen: 127.0.0.1:0
access_log:
  path: "off"
EOF
}

# start_gatehouse NAME CONFIG_FILE [BINARY] -> sets GH_PID_<NAME>, GH_PORT_<NAME>
start_gatehouse() {
  local name=$1 cfg=$2 bin=${3:-$GH} out="$work/gh-$1.out" pid port=""
  taskset -c "$server_cpu" "$bin" serve -c "$cfg" >"$out" 2>"$work/gh-$name.err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    port=$(grep -o '"api_port":[0-9]*' "$out" 2>/dev/null | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/gh-$name.err" >&2; die "gatehouse ($name) exited"; }
    sleep 0.1
  done
  [ -n "$port" ] || die "gatehouse ($name) did not print its listening line"
  printf -v "GH_PID_$name" '%s' "$pid"
  printf -v "GH_PORT_$name" '%s' "$port"
}

gh_config 300 >"$work/gh-cache.yaml"
gh_config 0 >"$work/gh-nocache.yaml"
start_gatehouse cache "$work/gh-cache.yaml"
start_gatehouse nocache "$work/gh-nocache.yaml"
GH_BASE=""
if [ -n "${BENCH_BASE:-}" ]; then
  GH_BASE=$BENCH_BASE
  [ -d "$GH_BASE" ] && GH_BASE="$GH_BASE/gatehouse"
  [ -x "$GH_BASE" ] || die "BENCH_BASE: no gatehouse binary at $GH_BASE"
  start_gatehouse basecache "$work/gh-cache.yaml" "$GH_BASE"
  start_gatehouse basenocache "$work/gh-nocache.yaml" "$GH_BASE"
  cases+=" B C"
fi

# The blog demo's shape on a data directory on the work disk (not tmpfs: fsync must be real).
export BENCH_CLIENT_SECRET=bench-client-secret
blog_config() {
  cat <<EOF
api:
  name: blog
  stage: Lab
  listen: 127.0.0.1:0
  io_threads: 1
  shutdown_grace_ms: 1000
  default_authorizer: jwt
data_dir: $work/blog-data
issuer:
  issuer_url: https://blog.gatehouse.local/
  clients:
    bench: {secret: {env: BENCH_CLIENT_SECRET}, audiences: [https://blog-api]}
authorizers:
  jwt: {type: jwt, audiences: [https://blog-api], keys: {issuer: self}}
tables:
  users: {}
routes:
  - {path: /resource, methods: [GET, POST], integration: {type: crud, table: users}}
  - path: /resource/{id}
    methods: [GET, PUT, DELETE]
    integration: {type: crud, table: users}
admin:
  listen: 127.0.0.1:0
access_log:
  path: "off"
EOF
}
blog_config >"$work/blog.yaml"
start_gatehouse blog "$work/blog.yaml"
BLOG_TOKEN=$("$GH" token -c "$work/blog.yaml" --client bench) || die "gatehouse token failed"
BLOG_BODY='{"name":"Yev","email":"yev@example.com"}'
ITEM_ID=$(curl -sf -X POST -H "Authorization: Bearer $BLOG_TOKEN" -H 'content-type: application/json' \
  -d "$BLOG_BODY" "http://127.0.0.1:$GH_PORT_blog/resource" | sed -E 's/.*"id":"([^"]+)".*/\1/') \
  || die "POST /resource on the blog demo did not answer 2xx"
cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$BLOG_BODY'
wrk.headers["Content-Type"] = "application/json"
EOF

# The bytes nginx serves: exactly what the mock route returns for the benchmark token.
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GH_PORT_cache/resource" >"$work/resource.json" \
  || die "valid token on /resource did not answer 2xx"

# adopt_server NAME PID PORT: once the server PID answers /resource on PORT with any HTTP status
# (5 s at most), records it for cleanup, sets NAME_PID and NAME_PORT and returns true; when it
# exited first (its port was taken) or never answered, stops it and returns false.
adopt_server() {
  local name=$1 pid=$2 port=$3 i
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    if curl -s -o /dev/null "http://127.0.0.1:$port/resource" 2>/dev/null; then
      pids+=("$pid")
      printf -v "${name}_PID" '%s' "$pid"
      printf -v "${name}_PORT" '%s' "$port"
      return 0
    fi
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return 1
}

start_nginx() {
  local port
  mkdir -p "$work/nginx/logs" "$work/nginx/tmp" "$work/nginx/html"
  cp "$work/resource.json" "$work/nginx/html/resource"
  for _ in $(seq 20); do
    port=$((20000 + RANDOM % 40000))
    cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
user root;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    root $work/nginx/html;
    default_type application/json;
    location = /resource { }
  }
}
EOF
    taskset -c "$server_cpu" "$NGINX" -p "$work/nginx" -e "$work/nginx/logs/error.log" -c "$work/nginx/nginx.conf" \
      >/dev/null 2>&1 &
    adopt_server NGINX "$!" "$port" && return 0
  done
  cat "$work/nginx/logs/error.log" >&2 || true
  die "could not start nginx"
}
start_nginx

# HAProxy with jwt_verify (case l): the same checks as case c's JWT authorizer, written the way
# HAProxy documents them (http_auth_bearer, jwt_header_query, jwt_payload_query, jwt_verify),
# answering with the same bytes as nginx. One thread on CPU $server_cpu, like the others.
start_haproxy() {
  local port
  mkdir -p "$work/haproxy"
  cp "$work/resource.json" "$work/haproxy/resource.json"
  cp "$keys/demo-signing-key.pub.pem" "$work/haproxy/key.pem"
  for _ in $(seq 20); do
    port=$((20000 + RANDOM % 40000))
    cat >"$work/haproxy/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout client 30s
  timeout server 30s
  timeout connect 5s
  timeout http-keep-alive 30s
frontend api
  bind 127.0.0.1:$port
$(haproxy_jwt_rules "$work/haproxy/key.pem")
  http-request return status 200 content-type application/json file $work/haproxy/resource.json
EOF
    "$HAPROXY" -c -q -f "$work/haproxy/haproxy.cfg" >"$work/haproxy/check.log" 2>&1 \
      || { cat "$work/haproxy/check.log" >&2; die "haproxy refused its configuration"; }
    taskset -c "$server_cpu" "$HAPROXY" -db -f "$work/haproxy/haproxy.cfg" >"$work/haproxy/haproxy.log" 2>&1 &
    adopt_server HAPROXY "$!" "$port" && return 0
  done
  cat "$work/haproxy/haproxy.log" >&2 || true
  die "could not start haproxy"
}
case " $cases " in *" l "*) start_haproxy ;; esac

# ---------------------------------------------------------------- correctness
# expect NAME WANT_STATUS WANT_BODY_FILE_OR_EMPTY URL [TOKEN]
expect() {
  local name=$1 want=$2 body=$3 url=$4 tok=${5:-} got
  if [ -n "$tok" ]; then
    got=$(curl -s -o "$work/check.body" -w '%{http_code}' -H "Authorization: Bearer $tok" "$url")
  else
    got=$(curl -s -o "$work/check.body" -w '%{http_code}' "$url")
  fi
  [ "$got" = "$want" ] || die "$name: HTTP $got, expected $want ($(head -c 200 "$work/check.body"))"
  if [ -n "$body" ]; then
    cmp -s "$work/check.body" "$body" || die "$name: body '$(head -c 200 "$work/check.body")' != '$(cat "$body")'"
  fi
  log "ok  $name -> $got"
}
printf '{"route":"/resource","method":"GET","principal":"demo-client@clients","scope":"read:users write:users"}' \
  >"$work/want-resource.json"
printf '{"status":"ok"}' >"$work/want-health.json"
expect "blog GET item" 200 "" "http://127.0.0.1:$GH_PORT_blog/resource/$ITEM_ID" "$BLOG_TOKEN"
expect "blog missing token" 401 "" "http://127.0.0.1:$GH_PORT_blog/resource/$ITEM_ID"
for inst in cache nocache ${GH_BASE:+basecache basenocache}; do
  port_var="GH_PORT_$inst"; base="http://127.0.0.1:${!port_var}"
  expect "$inst valid token"   200 "$work/want-resource.json" "$base/resource" "$TOKEN"
  expect "$inst missing token" 401 "" "$base/resource"
  expect "$inst expired token" 401 "" "$base/resource" "$EXPIRED"
  expect "$inst bad signature" 401 "" "$base/resource" "$BADSIG"
  expect "$inst public route"  200 "$work/want-health.json" "$base/health"
done
expect "nginx static copy" 200 "$work/want-resource.json" "http://127.0.0.1:$NGINX_PORT/resource"
if [ -n "${HAPROXY_PORT:-}" ]; then
  base="http://127.0.0.1:$HAPROXY_PORT"
  expect "haproxy valid token"   200 "$work/want-resource.json" "$base/resource" "$TOKEN"
  expect "haproxy missing token" 401 "" "$base/resource"
  expect "haproxy expired token" 401 "" "$base/resource" "$EXPIRED"
  expect "haproxy bad signature" 401 "" "$base/resource" "$BADSIG"
fi

# ---------------------------------------------------------------- function cases (g h i j k)
# The seed's two Lambda functions (examples/lambda-blog) under gatehouse and under
# serverless-offline. Everything under test runs on CPU $server_cpu: gatehouse's Node workers
# inherit its affinity, serverless-offline runs its handlers in its own process (or its threads).
lambda_dir=${BENCH_LAMBDA_DIR:-$repo/examples/lambda-blog}
sls_dir="$repo/bench/serverless"
wants() { case " $cases " in *" $1 "*) return 0 ;; esac; return 1; }
wants_any() { local c; for c in "$@"; do wants "$c" && return 0; done; return 1; }
# drop_cases REASON CASE...: without BENCH_CASES, leave the cases out with a warning; with it, fail.
drop_cases() {
  local reason=$1 c kept="" dropped=""
  shift
  for c in $cases; do
    if [[ " $* " = *" $c "* ]]; then dropped+=" $c"; else kept+=" $c"; fi
  done
  [ -n "$dropped" ] || return 0
  [ -z "$cases_explicit" ] || die "cases$dropped: $reason"
  log "WARNING: leaving out cases$dropped: $reason"
  cases=${kept# }
}

has_fn_case() { wants_any g h i j k m n; }
if wants_any g h i j k m n; then
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    drop_cases "node and npm are required" g h i j k m n
  elif [ ! -f "$lambda_dir/authorizer/index.js" ] || [ ! -f "$lambda_dir/users/index.js" ]; then
    drop_cases "no $lambda_dir/{authorizer,users}/index.js" g h i j k m n
  else
    # The functions' npm packages, installed on first use as `make run-lambda` does.
    if ! (cd "$lambda_dir/authorizer" && node -e 'require.resolve("jsonwebtoken")') 2>/dev/null \
      && [ -f "$lambda_dir/package-lock.json" ]; then
      log "npm ci in $lambda_dir (the functions' packages)"
      (cd "$lambda_dir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || true
    fi
    if ! (cd "$lambda_dir/authorizer" && node -e 'require.resolve("jsonwebtoken")') 2>/dev/null; then
      drop_cases "the authorizer's package jsonwebtoken is not installed (npm ci in $lambda_dir)" g h i j k m n
    fi
  fi
fi
ric_bin="$lambda_dir/node_modules/.bin/aws-lambda-ric"
if wants n && [ ! -x "$ric_bin" ]; then
  drop_cases "aws-lambda-ric is not installed (npm ci in $lambda_dir)" n
fi
case $sls_runner in
  in-process) sls_flags=(--useInProcess) ;;
  worker-threads) sls_flags=() ;;
  *) die "BENCH_SLS_RUNNER must be in-process or worker-threads, not '$sls_runner'" ;;
esac

export BLOG_DEMO_CLIENT_SECRET=blog-demo-secret
BLOG_AUDIENCE=https://blog-api
# fn_config KIND: gatehouse configs in the shape of examples/lambda-blog/gatehouse.yaml (its
# functions, authorizer and routes; one I/O thread, no access log, ports and data in the run's
# directory).
#   get    (g)  the lambda-blog API: embedded issuer (client blog-demo), Node TOKEN authorizer with
#               its cache off, Node CRUD handler on both resource routes, items in its own store's
#               table `users`; its DynamoDB listener (on $FN_DYNAMODB_PORT) also holds the table
#               `sls_users` the serverless-offline cases write to
#   post   (j)  the same, in a store of its own; verifies with the first instance's /pem
#   cache  (h)  the Node TOKEN authorizer, cache 300 s, in front of case b's mock route
#   getcache (m) as post with GET's routes and the authorizer's cache at 300 s, a store of its own
#   ric    (n)  as getcache, both functions run by aws-lambda-ric
#   issuer      only the embedded issuer and the table sls_users (when no case runs case g's
#               instance: for i and k alone)
# The DynamoDB listener of case g's instance: a fixed port, handed to serverless-offline too.
FN_DYNAMODB_PORT=${FN_DYNAMODB_PORT:-$((20000 + RANDOM % 40000))}
fn_config() {
  local kind=$1 key ttl=0
  if [ "$kind" = get ] || [ "$kind" = issuer ]; then
    key="{issuer: certificate}"
  else
    key="{file: $work/fn-issuer.pem}"
  fi
  case $kind in cache | getcache | ric) ttl=300 ;; esac
  cat <<YAML
api:
  name: blog
  stage: Lab
  listen: 127.0.0.1:0
  io_threads: 1
  shutdown_grace_ms: 1000
  default_authorizer: $([ "$kind" = issuer ] && echo jwt || echo lambda)
data_dir: $work/fn-data-$kind
admin:
  listen: 127.0.0.1:0
access_log:
  path: "off"
YAML
  if [ "$kind" = get ] || [ "$kind" = issuer ]; then
    cat <<YAML
issuer:
  issuer_url: https://blog.gatehouse.local/
  algorithm: RS256
  clients:
    blog-demo:
      secret: {env: BLOG_DEMO_CLIENT_SECRET}
      audiences: [$BLOG_AUDIENCE]
      scopes: [read:users, write:users]
      token_lifetime_s: 86400
YAML
  fi
  if [ "$kind" = issuer ]; then
    # Also the table serverless-offline's cases use, on the DynamoDB listener they are given.
    cat <<YAML
authorizers:
  jwt: {type: jwt, audiences: [$BLOG_AUDIENCE], keys: {issuer: self}}
routes:
  - {path: /health, method: GET, auth: none, integration: {type: mock, body: '{"status":"ok"}'}}
dynamodb: {listen: 127.0.0.1:$FN_DYNAMODB_PORT}
tables:
  sls_users: {key: {pk: S, sk: S}}
YAML
    return 0
  fi
  # How a function's worker runs: gatehouse's Node runtime, or AWS's client (case n).
  local run="runtime: node" auth_handler=index.handler
  if [ "$kind" = ric ]; then run="command: [$ric_bin]"; auth_handler=adapter.handler; fi
  cat <<YAML
functions:
  authorizer:
    $run
    working_dir: $lambda_dir/authorizer
    handler: $auth_handler
    environment:
      AUTH0_CLIENT_ID: $BLOG_AUDIENCE
      AUTH0_CLIENT_PUBLIC_KEY: $key
YAML
  echo "    concurrency: $fn_concurrency"
  if [ "$kind" != cache ]; then
    cat <<YAML
  users:
    $run
    working_dir: $lambda_dir/users
    handler: index.handler
    environment:
      USERS_TABLE: {table: users}
YAML
    echo "    concurrency: $fn_concurrency"
    local ddb_port=0
    [ "$kind" = get ] && ddb_port=$FN_DYNAMODB_PORT
    cat <<YAML
dynamodb: {listen: 127.0.0.1:$ddb_port}
tables:
  users: {key: {pk: S, sk: S}}
  sls_users: {key: {pk: S, sk: S}}
  cost_users: {key: {pk: S, sk: S}}
YAML
  fi
  cat <<YAML
authorizers:
  lambda:
    type: token
    function: authorizer
    identity_source: method.request.header.Authorization
    cache_ttl_s: $ttl
    cache_scope: method
routes:
YAML
  if [ "$kind" = cache ]; then
    cat <<'YAML'
  - path: /resource
    methods: [GET, POST]
    integration:
      type: mock
      status: 200
      headers: {content-type: application/json}
      body: '{"route":"/resource","method":"$context.httpMethod","principal":"$context.authorizer.principalId","scope":"$context.authorizer.claims.scope"}'
YAML
  else
    cat <<'YAML'
  - {path: /resource, methods: [GET, POST], integration: {type: function, function: users}}
  - {path: "/resource/{id}", methods: [GET, PUT, DELETE], integration: {type: function, function: users}}
YAML
  fi
}

if wants_any g h j m n; then
  fn_config get >"$work/fn-get.yaml"
  if ! "$GH" check -c "$work/fn-get.yaml" >"$work/fn-check.txt" 2>&1; then
    drop_cases "this gatehouse binary does not run the lambda-blog functions: $(head -c 300 "$work/fn-check.txt")" g h j m n
  fi
fi

FN_TOKEN=""
if wants_any g h i j k m n; then
  # The issuer: the lambda-blog gatehouse (case g's instance), or an issuer-only one.
  if wants_any g h j m n; then
    fn_config get >"$work/fn-get.yaml"
    start_gatehouse fnget "$work/fn-get.yaml"
    FN_BASE="http://127.0.0.1:$GH_PORT_fnget"
  else
    fn_config issuer >"$work/fn-issuer.yaml"
    start_gatehouse fnissuer "$work/fn-issuer.yaml"
    FN_BASE="http://127.0.0.1:$GH_PORT_fnissuer"
  fi
  FN_TOKEN=$(curl -sf -X POST "$FN_BASE/oauth/token" -H 'content-type: application/json' \
    -d "{\"client_id\":\"blog-demo\",\"client_secret\":\"$BLOG_DEMO_CLIENT_SECRET\",\"audience\":\"$BLOG_AUDIENCE\",\"grant_type\":\"client_credentials\"}" \
    | sed -E 's/.*"access_token":"([^"]+)".*/\1/') || die "POST /oauth/token failed"
  [ "$(tr -cd . <<<"$FN_TOKEN" | wc -c)" = 2 ] || die "no access_token from /oauth/token: $FN_TOKEN"
  curl -sf "$FN_BASE/pem" >"$work/fn-issuer.pem" || die "GET /pem failed"
  grep -q 'BEGIN CERTIFICATE' "$work/fn-issuer.pem" || die "/pem is not a PEM certificate"
  # An expired token and one with a bad signature, both under the issuer's active key.
  fn_keys=$(ls -d "$work"/fn-data-*/issuer-keys 2>/dev/null | head -1)
  fn_kid=$(sed -E 's/.*"active":\{"kid":"([^"]+)".*/\1/' "$fn_keys/keys.json" 2>/dev/null || true)
  [ -f "$fn_keys/$fn_kid.key.pem" ] || die "cannot find the issuer's active key under $fn_keys (keys.json layout changed?)"
  fn_payload() {
    printf '{"iss":"https://blog.gatehouse.local/","sub":"blog-demo@clients","aud":"%s","iat":%d,"exp":%d,"scope":"%s"}' \
      "$BLOG_AUDIENCE" "$1" "$2" "$3"
  }
  fn_input="$(printf '{"alg":"RS256","typ":"JWT","kid":"%s"}' "$fn_kid" | b64url).$(fn_payload $((now - 7200)) $((now - 3600)) "read:users write:users" | b64url)"
  FN_EXPIRED="$fn_input.$(printf '%s' "$fn_input" | openssl dgst -sha256 -sign "$fn_keys/$fn_kid.key.pem" -binary | b64url)"
  IFS=. read -r h _ s <<<"$FN_TOKEN"
  FN_BADSIG="$h.$(fn_payload "$now" $((now + 7200)) "admin" | b64url).$s"
fi

if wants_any h j; then
  if wants j; then fn_config post >"$work/fn-post.yaml"; start_gatehouse fnpost "$work/fn-post.yaml"; fi
  if wants h; then fn_config cache >"$work/fn-cache.yaml"; start_gatehouse fncache "$work/fn-cache.yaml"; fi
fi
if wants m; then fn_config getcache >"$work/fn-getcache.yaml"; start_gatehouse fngetcache "$work/fn-getcache.yaml"; fi
if wants n; then fn_config ric >"$work/fn-ric.yaml"; start_gatehouse fnric "$work/fn-ric.yaml"; fi

# serverless-offline: bench/serverless/serverless.yml in a service directory per instance, next to
# symlinks to examples/lambda-blog and to bench/serverless/node_modules. No AWS account: dummy
# credentials; telemetry, update checks and notifications off; HOME in the run's directory.
sls_env=(
  AWS_ACCESS_KEY_ID=bench-dummy AWS_SECRET_ACCESS_KEY=bench-dummy AWS_REGION=us-east-1
  SLS_TELEMETRY_DISABLED=1 SLS_TRACKING_DISABLED=1 SLS_NOTIFICATIONS_MODE=off
  SLS_DEPRECATION_DISABLE='*' SLS_INTERACTIVE_SETUP_DISABLE=1 SLS_DISABLE_AUTO_UPDATE=1
  SLS_GEO_LOCATION=no-cn CI=1 HOME="$work/sls-home"
  AUTH0_CLIENT_ID="$BLOG_AUDIENCE"
)
sls_install() {
  # npm ci only when the lock file changed since the last install.
  if cmp -s "$sls_dir/package-lock.json" "$sls_dir/node_modules/.bench-installed-lock"; then return 0; fi
  log "npm ci in bench/serverless (serverless@3, serverless-offline)"
  (cd "$sls_dir" && npm ci --no-audit --no-fund) >"$work/npm-ci.log" 2>&1 \
    || { tail -30 "$work/npm-ci.log" >&2; die "npm ci in bench/serverless failed"; }
  cp "$sls_dir/package-lock.json" "$sls_dir/node_modules/.bench-installed-lock"
}
# start_sls NAME -> SLS_PID_<NAME>, SLS_PORT_<NAME>; items in the table sls_users of case g's
# gatehouse (its DynamoDB API), as a serverless-offline user points the SDK at a local DynamoDB
start_sls() {
  local name=$1 dir="$work/sls-$1" out="$work/sls-$1.log" pid port lport wport
  mkdir -p "$dir" "$work/sls-home"
  cp "$sls_dir/serverless.yml" "$dir/serverless.yml"
  ln -sfn "$lambda_dir" "$dir/lambda-blog"
  ln -sfn "$sls_dir/node_modules" "$dir/node_modules"
  for _ in $(seq 5); do
    port=$((20000 + RANDOM % 40000)); lport=$((port + 1)); wport=$((port + 2))
    (cd "$dir" && exec env "${sls_env[@]}" AUTH0_CLIENT_PUBLIC_KEY="$(cat "$work/fn-issuer.pem")" \
      USERS_TABLE=sls_users AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$FN_DYNAMODB_PORT" \
      SLS_HTTP_PORT="$port" SLS_LAMBDA_PORT="$lport" \
      SLS_WEBSOCKET_PORT="$wport" taskset -c "$server_cpu" \
      node node_modules/serverless/bin/serverless.js offline start "${sls_flags[@]}") >"$out" 2>&1 &
    pid=$!
    for _ in $(seq 600); do
      grep -q 'Server ready' "$out" 2>/dev/null && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null && grep -q 'Server ready' "$out"; then
      pids+=("$pid")
      printf -v "SLS_PID_$name" '%s' "$pid"
      printf -v "SLS_PORT_$name" '%s' "$port"
      return 0
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    grep -q EADDRINUSE "$out" || break
  done
  tail -40 "$out" >&2
  die "could not start serverless-offline ($name)"
}
if wants_any i k; then
  sls_install
  wants i && start_sls get
  wants k && start_sls post
fi

# Correctness, and the one item the GET runs list (the same body on both sides).
# fn_expect NAME WANT_STATUS METHOD URL [TOKEN] [GREP_PATTERN]
fn_expect() {
  local name=$1 want=$2 method=$3 url=$4 tok=${5:-} pat=${6:-} got
  local -a args=(-s -o "$work/check.body" -w '%{http_code}' -X "$method")
  [ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
  [ "$method" = POST ] && args+=(-H 'content-type: application/json' -d "$BLOG_BODY")
  got=$(curl "${args[@]}" "$url")
  case $want in
    2xx) [[ $got = 2?? ]] ;;
    *) [ "$got" = "$want" ] ;;
  esac || die "$name: HTTP $got, expected $want ($(head -c 200 "$work/check.body"))"
  if [ -n "$pat" ]; then
    grep -q -- "$pat" "$work/check.body" || die "$name: body '$(head -c 200 "$work/check.body")' lacks '$pat'"
  fi
  log "ok  $name -> $got"
}
# fn_checks NAME BASE_URL KIND(get|post|cache)
fn_checks() {
  local name=$1 base=$2 kind=$3
  fn_expect "$name missing token" 401 GET "$base/resource"
  fn_expect "$name expired token" 401 GET "$base/resource" "$FN_EXPIRED"
  fn_expect "$name bad signature" 401 GET "$base/resource" "$FN_BADSIG"
  case $kind in
    get)
      fn_expect "$name POST (the listed item)" 2xx POST "$base/resource" "$FN_TOKEN" '"email":"yev@example.com"'
      fn_expect "$name GET list" 200 GET "$base/resource" "$FN_TOKEN" '"email":"yev@example.com"'
      ;;
    post)
      fn_expect "$name POST" 2xx POST "$base/resource" "$FN_TOKEN" '"email":"yev@example.com"'
      fn_expect "$name POST without token" 401 POST "$base/resource"
      ;;
    cache)
      fn_expect "$name valid token" 200 GET "$base/resource" "$FN_TOKEN" '"principal":"blog-demo@clients"'
      fn_expect "$name valid token (cached)" 200 GET "$base/resource" "$FN_TOKEN" '"principal":"blog-demo@clients"'
      fn_expect "$name bad signature after a cached valid token" 401 GET "$base/resource" "$FN_BADSIG"
      ;;
  esac
}
wants g && fn_checks "g gatehouse" "http://127.0.0.1:$GH_PORT_fnget" get
wants j && fn_checks "j gatehouse" "http://127.0.0.1:$GH_PORT_fnpost" post
wants h && fn_checks "h gatehouse" "http://127.0.0.1:$GH_PORT_fncache" cache
wants m && fn_checks "m gatehouse" "http://127.0.0.1:$GH_PORT_fngetcache" get
wants n && fn_checks "n gatehouse with aws-lambda-ric" "http://127.0.0.1:$GH_PORT_fnric" get
wants i && fn_checks "i serverless-offline" "http://127.0.0.1:$SLS_PORT_get" get
wants k && fn_checks "k serverless-offline" "http://127.0.0.1:$SLS_PORT_post" post
if wants g && wants i; then
  # Both lists hold one item of the same shape (ids differ): the responses should be equally long.
  gl=$(curl -s -H "Authorization: Bearer $FN_TOKEN" "http://127.0.0.1:$GH_PORT_fnget/resource" | wc -c)
  sl=$(curl -s -H "Authorization: Bearer $FN_TOKEN" "http://127.0.0.1:$SLS_PORT_get/resource" | wc -c)
  log "GET /resource body: gatehouse $gl bytes, serverless-offline $sl bytes"
fi

# ---------------------------------------------------------------- measurement helpers
clk_tck=$(getconf CLK_TCK)
# cpu_ticks PID... -> utime+stime summed over the PIDs (clock ticks)
cpu_ticks() {
  local total=0 p rest
  for p in "$@"; do
    # A PID that is gone (a function worker that was replaced) counts 0.
    rest=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    total=$((total + $(awk '{print $12 + $13}' <<<"$rest")))
  done
  echo "$total"
}
nginx_pids() { echo "$NGINX_PID" "$(pgrep -P "$NGINX_PID" | tr "\n" " " || true)"; }

declare -A URL AUTH
URL[a]="http://127.0.0.1:$NGINX_PORT/resource";        AUTH[a]=""
URL[b]="http://127.0.0.1:$GH_PORT_cache/resource";     AUTH[b]=1
URL[c]="http://127.0.0.1:$GH_PORT_nocache/resource";   AUTH[c]=1
if [ -n "$GH_BASE" ]; then
  URL[B]="http://127.0.0.1:$GH_PORT_basecache/resource";   AUTH[B]=1
  URL[C]="http://127.0.0.1:$GH_PORT_basenocache/resource"; AUTH[C]=1
fi
URL[d]="http://127.0.0.1:$GH_PORT_cache/health";       AUTH[d]=""
URL[e]="http://127.0.0.1:$GH_PORT_blog/resource";      AUTH[e]=blog
URL[f]="http://127.0.0.1:$GH_PORT_blog/resource/$ITEM_ID"; AUTH[f]=blog
wants g && { URL[g]="http://127.0.0.1:$GH_PORT_fnget/resource";  AUTH[g]=fn; }
wants h && { URL[h]="http://127.0.0.1:$GH_PORT_fncache/resource"; AUTH[h]=fn; }
wants i && { URL[i]="http://127.0.0.1:$SLS_PORT_get/resource";   AUTH[i]=fn; }
wants j && { URL[j]="http://127.0.0.1:$GH_PORT_fnpost/resource"; AUTH[j]=fn; }
wants k && { URL[k]="http://127.0.0.1:$SLS_PORT_post/resource";  AUTH[k]=fn; }
wants l && { URL[l]="http://127.0.0.1:$HAPROXY_PORT/resource";   AUTH[l]=1; }
wants m && { URL[m]="http://127.0.0.1:$GH_PORT_fngetcache/resource"; AUTH[m]=fn; }
wants n && { URL[n]="http://127.0.0.1:$GH_PORT_fnric/resource";      AUTH[n]=fn; }
declare -A LABEL=(
  [a]="a. nginx static (HTTP limit)"
  [b]="b. gatehouse JWT, cache warm"
  [c]="c. gatehouse JWT, cache off (RS256 each)"
  [d]="d. gatehouse public route"
  [e]="e. blog POST /resource (durable write)"
  [f]="f. blog GET /resource/{id}"
  [g]="g. gatehouse Node authorizer (no cache) + Node handler, GET list"
  [h]="h. gatehouse Node authorizer, cache warm (mock route)"
  [i]="i. serverless-offline, same functions, GET list"
  [j]="j. gatehouse Node authorizer (no cache) + Node handler, POST"
  [k]="k. serverless-offline, same functions, POST"
  [l]="l. HAProxy jwt_verify RS256 (no cache)"
  [m]="m. as g, authorizer cache 300 s (one invocation per request)"
  [n]="n. as m, functions run by aws-lambda-ric"
  [B]="B. as b, BENCH_BASE's gatehouse"
  [C]="C. as c, BENCH_BASE's gatehouse"
)
# conns_of CASE -> the connection counts measured for it
conns_of() { if [ "$1" = e ]; then echo "$post_conns_list"; else echo "$conns_list"; fi; }
server_pids() {
  case $1 in
    a) nginx_pids ;;
    b|d) echo "$GH_PID_cache" ;;
    c) echo "$GH_PID_nocache" ;;
    e|f) echo "$GH_PID_blog" ;;
    # The gateway and its function workers; serverless-offline (and any child of it).
    g) echo "$GH_PID_fnget" $(descendants "$GH_PID_fnget") ;;
    h) echo "$GH_PID_fncache" $(descendants "$GH_PID_fncache") ;;
    j) echo "$GH_PID_fnpost" $(descendants "$GH_PID_fnpost") ;;
    m) echo "$GH_PID_fngetcache" $(descendants "$GH_PID_fngetcache") ;;
    n) echo "$GH_PID_fnric" $(descendants "$GH_PID_fnric") ;;
    i) echo "$SLS_PID_get" $(descendants "$SLS_PID_get") ;;
    k) echo "$SLS_PID_post" $(descendants "$SLS_PID_post") ;;
    l) echo "$HAPROXY_PID" ;;
    B) echo "$GH_PID_basecache" ;;
    C) echo "$GH_PID_basenocache" ;;
  esac
}

# to_us VALUE_WITH_UNIT -> microseconds
to_us() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") m = 1; else if (u == "ms") m = 1000; else if (u == "s") m = 1000000;
    else if (u == "m") m = 60000000; else m = 1
    printf "%.1f", n * m }'
}

# cpu_busy CPU -> "busy total" jiffies of one CPU from /proc/stat
cpu_busy() {
  awk -v cpu="cpu$1" '$1 == cpu {b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6}' /proc/stat
}
# children_ticks -> TICKS = user+sys of this shell's reaped children so far, in clock ticks.
# `times` must run in this shell (a subshell or pipeline would report its own children).
children_ticks() {
  times >"$work/times.txt"
  TICKS=$(awk -v hz="$clk_tck" 'NR == 2 {
    t = 0
    for (i = 1; i <= 2; i++) { split($i, a, "m"); sub(/s$/, "", a[2]); t += a[1] * 60 + a[2] }
    printf("%d", t * hz + 0.5) }' "$work/times.txt")
}

# wait_idle: before a measured run, wait (up to BENCH_IDLE_TIMEOUT s) until the machine has been
# below BENCH_MAX_BUSY % busy for one second; the servers are idle between runs.
wait_idle() {
  local waited=0 b0 b1 busy
  while :; do
    b0=$( (cpu_busy 0; cpu_busy 1) | awk '{b += $1; t += $2} END {print b, t}')
    sleep 1
    b1=$( (cpu_busy 0; cpu_busy 1) | awk '{b += $1; t += $2} END {print b, t}')
    busy=$(awk -v a="$b0" -v b="$b1" 'BEGIN {split(a, x, " "); split(b, y, " ");
      d = y[2] - x[2]; printf("%.0f", (d > 0) ? 100 * (y[1] - x[1]) / d : 0) }')
    [ "$busy" -le "$max_busy" ] && return 0
    if [ "$waited" -ge "$idle_timeout" ]; then
      log "machine still ${busy}% busy after ${waited}s; running anyway"
      return 0
    fi
    [ "$waited" -eq 0 ] && log "machine ${busy}% busy (other processes): waiting for it to settle"
    sleep 4
    waited=$((waited + 5))
  done
}

# run_wrk CASE CONNS SECONDS OUTFILE [measure] -> when measuring, sets RUN_LINE (a results.tsv
# line) and RUN_FOREIGN (% of a CPU taken by processes other than the server and wrk)
run_wrk() {
  local c=$1 conns=$2 d=$3 out=$4 measure=${5:-} pids_now t0 t1 w0 w1 c0 c1 k0 k1
  local -a hdr=()
  [ "${AUTH[$c]}" = 1 ] && hdr=(-H "Authorization: Bearer $TOKEN")
  [ "${AUTH[$c]}" = blog ] && hdr=(-H "Authorization: Bearer $BLOG_TOKEN")
  [ "${AUTH[$c]}" = fn ] && hdr=(-H "Authorization: Bearer $FN_TOKEN")
  case $c in e|j|k) hdr+=(-s "$work/post.lua") ;; esac
  pids_now=$(server_pids "$c")
  # shellcheck disable=SC2086
  t0=$(cpu_ticks $pids_now)
  children_ticks; w0=$TICKS
  c0=$(cpu_busy "$server_cpu"); k0=$(cpu_busy "$client_cpu")
  taskset -c "$client_cpu" wrk -t1 -c"$conns" -d"${d}s" --latency "${hdr[@]}" "${URL[$c]}" >"$out" 2>&1 &
  WRK_PID=$!
  wait "$WRK_PID" || { WRK_PID=""; die "wrk failed for case $c: $(cat "$out")"; }
  WRK_PID=""
  c1=$(cpu_busy "$server_cpu"); k1=$(cpu_busy "$client_cpu")
  children_ticks; w1=$TICKS
  # shellcheck disable=SC2086
  t1=$(cpu_ticks $pids_now)
  [ -n "$measure" ] || return 0
  local reqs rps p50 p99 non2xx sockerr cpu_us
  reqs=$(awk '/requests in/ {print $1; exit}' "$out")
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out"); sockerr=${sockerr:-0}
  if [ -z "$reqs" ] || [ "$reqs" -eq 0 ]; then die "case $c: no completed requests: $(cat "$out")"; fi
  cpu_us=$(awk -v t=$((t1 - t0)) -v hz="$clk_tck" -v n="$reqs" 'BEGIN {printf "%.2f", t / hz * 1e6 / n}')
  # Foreign load: busy time on the server's CPU not used by the server, and on wrk's CPU not used
  # by wrk (the larger of the two, as a share of the run). Kernel work for loopback traffic lands
  # partly outside the processes' own times, so a few % is normal.
  RUN_FOREIGN=$(awk -v c0="$c0" -v c1="$c1" -v k0="$k0" -v k1="$k1" -v s=$((t1 - t0)) -v w=$((w1 - w0)) '
    BEGIN { split(c0, a, " "); split(c1, b, " "); split(k0, x, " "); split(k1, y, " ")
      fs = (b[2] - a[2]) > 0 ? 100 * ((b[1] - a[1]) - s) / (b[2] - a[2]) : 0
      fc = (y[2] - x[2]) > 0 ? 100 * ((y[1] - x[1]) - w) / (y[2] - x[2]) : 0
      f = fs > fc ? fs : fc; printf("%.0f", (f < 0) ? 0 : f) }')
  RUN_LINE=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$c" "$conns" "$rps" "$p50" "$p99" "$non2xx" \
    "$sockerr" "$cpu_us" "$RUN_FOREIGN")
  printf '[bench]   %-42s c=%-3s %8.0f req/s  p50 %6.0f us  p99 %6.0f us  non2xx %s  cpu %6.2f us/req  other load %s%%\n' \
    "${LABEL[$c]}" "$conns" "$rps" "$p50" "$p99" "$non2xx" "$cpu_us" "$RUN_FOREIGN" >&2
}

# measure CASE CONNS REPEAT: a measured run, repeated (up to BENCH_RETRIES times) when other
# processes took more than BENCH_MAX_FOREIGN % of a CPU during it.
measure() {
  local c=$1 conns=$2 r=$3 try
  for try in $(seq 0 "$retries"); do
    wait_idle
    run_wrk "$c" "$conns" "$secs" "$work/wrk-$c-$conns-$r.txt" measure
    [ "$RUN_FOREIGN" -le "$max_foreign" ] && break
    if [ "$try" -lt "$retries" ]; then
      log "  disturbed (other load ${RUN_FOREIGN}% > ${max_foreign}%): repeating"
      disturbed=$((disturbed + 1))
    else
      log "  still disturbed after $retries retries: keeping it (flagged in the table)"
    fi
  done
  printf '%s\n' "$RUN_LINE" >>"$work/results.tsv"
}

# ---------------------------------------------------------------- run
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average at start: $load_start"
disturbed=0
wait_idle

log "openssl speed -seconds 3 rsa2048 (CPU $server_cpu)"
taskset -c "$server_cpu" openssl speed -seconds 3 rsa2048 >"$work/openssl.txt" 2>/dev/null
verify_s=$(awk '/^rsa 2048 bits/ {print $NF}' "$work/openssl.txt")
[ -n "$verify_s" ] || die "could not parse openssl speed output"
log "openssl rsa2048: $verify_s verify/s"

# The ceiling of one fdatasync per write on this disk: 4 KiB O_DSYNC writes, appending (as a
# growing WAL) and overwriting (as a reused WAL); the faster of the two is the ceiling.
dsync_rate() { # $1 = extra dd flags
  local secs_taken
  # shellcheck disable=SC2086
  secs_taken=$(dd if=/dev/zero of="$work/dsync.bin" bs=4096 count=1000 oflag=dsync $1 2>&1 \
    | awk '/copied/ {print $(NF-3)}')
  awk -v s="$secs_taken" 'BEGIN {printf "%.0f", 1000 / s}'
}
rm -f "$work/dsync.bin"
fsync_append=$(dsync_rate "")
fsync_overwrite=$(dsync_rate "conv=notrunc")
fsync_ceiling=$((fsync_append > fsync_overwrite ? fsync_append : fsync_overwrite))
rm -f "$work/dsync.bin"
log "fdatasync ceiling: $fsync_ceiling writes/s (appending $fsync_append/s, overwriting $fsync_overwrite/s)"

# The example functions' own CPU per invocation, called directly in one Node process (no gateway).
declare -A FC=()
if has_fn_case && [ -n "${GH_PID_fnget:-}" ]; then
  log "the functions' own cost (bench/function-cost.js, CPU $server_cpu)"
  # The users handler lists the table cost_users of case g's gatehouse (its DynamoDB API), whose
  # CPU per list is measured too (table_get).
  taskset -c "$server_cpu" node "$repo/bench/function-cost.js" "$lambda_dir" "$work/fn-issuer.pem" "$FN_TOKEN" \
    "http://127.0.0.1:$FN_DYNAMODB_PORT" cost_users "${GH_PID_fnget:-}" >"$work/function-cost.txt" \
    2>"$work/function-cost.err" || die "bench/function-cost.js: $(cat "$work/function-cost.err")"
  # Only its `name cpu_us wall_us` lines (the SDK may print notices).
  while read -r name cpu_us _; do
    [[ $name =~ ^[a-z_]+$ && $cpu_us =~ ^[0-9.]+$ ]] && FC[$name]=$cpu_us
  done <"$work/function-cost.txt"
  FC[table_get]=${FC[table_get]:-0}
  log "functions' own CPU per invocation: authorizer ${FC[authorizer]} us, users GET list ${FC[users_get]} us + the table's ${FC[table_get]} us"
fi

log "warm-up: ${warmup}s per case and connection count"
for c in $cases; do
  for conns in $(conns_of "$c"); do run_wrk "$c" "$conns" "$warmup" "$work/warmup.txt"; done
done

: >"$work/results.tsv"
for r in $(seq "$repeats"); do
  log "repeat $r/$repeats (load $(cut -d' ' -f1-3 /proc/loadavg))"
  for c in $cases; do
    for conns in $(conns_of "$c"); do
      measure "$c" "$conns" "$r"
    done
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- report
median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# stat CASE CONNS COLUMN -> median over repeats
med() { awk -F'\t' -v c="$1" -v n="$2" -v k="$3" '$1 == c && $2 == n {print $k}' "$work/results.tsv" | median; }
total() { awk -F'\t' -v c="$1" -v n="$2" -v k="$3" '$1 == c && $2 == n {s += $k} END {print s + 0}' "$work/results.tsv"; }
maxcol() { awk -F'\t' -v c="$1" -v n="$2" -v k="$3" '$1 == c && $2 == n && $k > m {m = $k} END {print m + 0}' "$work/results.tsv"; }

table="| case | conns | req/s | p50 (µs) | p99 (µs) | non-2xx | socket errors | server CPU µs/req | other load % (max) |
|---|---:|---:|---:|---:|---:|---:|---:|---:|"
declare -A RPS CPU P99
for c in $cases; do
  for conns in $(conns_of "$c"); do
    RPS[$c,$conns]=$(med "$c" "$conns" 3)
    P99[$c,$conns]=$(med "$c" "$conns" 5)
    CPU[$c,$conns]=$(med "$c" "$conns" 8)
    table+=$(printf '\n| %s | %s | %.0f | %.0f | %.0f | %s | %s | %.2f | %s |' "${LABEL[$c]}" "$conns" \
      "${RPS[$c,$conns]}" "$(med "$c" "$conns" 4)" "${P99[$c,$conns]}" \
      "$(total "$c" "$conns" 6)" "$(total "$c" "$conns" 7)" "${CPU[$c,$conns]}" "$(maxcol "$c" "$conns" 9)")
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {ok = (op == ">=") ? (v >= t) : (v < t); print ok ? "PASS" : "MISS"}'; }
has() { case " $cases " in *" $1 "*) return 0 ;; esac; return 1; }
ratios=""
for conns in $conns_list; do
  has a && has b || continue
  r=$(ratio "${RPS[b,$conns]}" "${RPS[a,$conns]}")
  rc=$(ratio "${CPU[a,$conns]}" "${CPU[b,$conns]}")
  ratios+="- b ÷ a req/s @$conns conns: **$r** (target ≥ 0.70: $(verdict "$r" 0.70 ">=")); by CPU per request (a µs ÷ b µs): $rc"$'\n'
done
for conns in $conns_list; do
  has c || continue
  r=$(ratio "${RPS[c,$conns]}" "$verify_s")
  ratios+="- c ÷ openssl verify/s @$conns conns: **$r** (${RPS[c,$conns]} ÷ $verify_s; target ≥ 0.60: $(verdict "$r" 0.60 ">="))"$'\n'
done
for conns in $conns_list; do
  # Each pair only when both of its cases ran (BENCH_CASES may leave b or c out).
  pairs=""
  for x in b c; do
    X=${x^^}
    has "$x" && has "$X" || continue
    pairs+="${pairs:+, }$x $(ratio "${CPU[$x,$conns]}" "${CPU[$X,$conns]}") (${CPU[$x,$conns]} vs ${CPU[$X,$conns]})"
  done
  [ -n "$pairs" ] || continue
  ratios+="- this build ÷ BENCH_BASE's, CPU µs/request @$conns conns: $pairs"$'\n'
done
for conns in $conns_list; do
  has c && has l || continue
  r=$(ratio "${RPS[c,$conns]}" "${RPS[l,$conns]}")
  rc=$(ratio "${CPU[l,$conns]}" "${CPU[c,$conns]}")
  ratios+="- c ÷ l req/s @$conns conns (gatehouse ÷ HAProxy jwt_verify, RS256 on every request): **$r** (${RPS[c,$conns]} ÷ ${RPS[l,$conns]}; target ≥ 1.30: $(verdict "$r" 1.30 ">=")); by CPU per request (l µs ÷ c µs): $rc"$'\n'
done
for conns in $conns_list; do
  has a && has c || continue
  # What case c costs beyond the HTTP serving limit plus one RSA verify: gatehouse's own share.
  over=$(awk -v c="${CPU[c,$conns]}" -v a="${CPU[a,$conns]}" -v v="$verify_s" \
    'BEGIN {printf "%.1f µs (c %.1f − nginx %.1f − RSA verify %.1f)", c - a - 1e6 / v, c, a, 1e6 / v}')
  ratios+="- c CPU µs/request beyond nginx + one RSA verify @$conns conns: $over"$'\n'
done
last_conns=${conns_list##* }
for c in b c d; do
  has "$c" || continue
  p=$(awk -v u="${P99[$c,$last_conns]}" 'BEGIN {printf "%.3f", u / 1000}')
  ratios+="- p99 @$last_conns conns, ${LABEL[$c]}: **$p ms** (target < 2 ms: $(verdict "$p" 2 "<"))"$'\n'
done

if has e; then
  for conns in $post_conns_list; do
    r=$(ratio "${RPS[e,$conns]}" "$fsync_ceiling")
    ratios+="- e durable POSTs @$conns conns ÷ fdatasync ceiling: **$r** (${RPS[e,$conns]} ÷ $fsync_ceiling)"
    [ "$conns" = 64 ] && ratios+=" (target ≥ 3: $(verdict "$r" 3 ">="))"
    ratios+=$'\n'
  done
fi
if has e && has b && [ -n "${RPS[b,64]:-}" ] && [ -n "${RPS[e,64]:-}" ]; then
  r=$(ratio "${RPS[e,64]}" "${RPS[b,64]}")
  ratios+="- e ÷ b req/s @64 conns: **$r** (target ≥ 0.40: $(verdict "$r" 0.40 ">="))"$'\n'
fi
if has f && has b; then
  for conns in $conns_list; do
    r=$(ratio "${RPS[f,$conns]}" "${RPS[b,$conns]}")
    ratios+="- f ÷ b req/s @$conns conns: **$r** (target ≥ 0.60: $(verdict "$r" 0.60 ">="))"$'\n'
  done
fi
for conns in $conns_list; do
  has g && has i || continue
  r=$(ratio "${RPS[g,$conns]}" "${RPS[i,$conns]}")
  ratios+="- g ÷ i req/s @$conns conns (gatehouse ÷ serverless-offline, Node authorizer without cache + Node handler): **$r** (${RPS[g,$conns]} ÷ ${RPS[i,$conns]}; target ≥ 1.5: $(verdict "$r" 1.5 ">="))"$'\n'
done
for conns in $conns_list; do
  has m && has i || continue
  r=$(ratio "${RPS[m,$conns]}" "${RPS[i,$conns]}")
  ratios+="- m ÷ i req/s @$conns conns (gatehouse with the authorizer's default cache ÷ serverless-offline, which has none): **$r** (${RPS[m,$conns]} ÷ ${RPS[i,$conns]}; target ≥ 3: $(verdict "$r" 3 ">="))"$'\n'
done
for conns in $conns_list; do
  has m && has n || continue
  r=$(ratio "${RPS[m,$conns]}" "${RPS[n,$conns]}")
  ratios+="- m ÷ n req/s @$conns conns (gatehouse's Node runtime ÷ aws-lambda-ric, same gateway): **$r** (${RPS[m,$conns]} ÷ ${RPS[n,$conns]}); CPU µs/request ${CPU[m,$conns]} vs ${CPU[n,$conns]}"$'\n'
done
for conns in $conns_list; do
  has j && has k || continue
  r=$(ratio "${RPS[j,$conns]}" "${RPS[k,$conns]}")
  ratios+="- j ÷ k req/s @$conns conns (the same with POST): **$r** (${RPS[j,$conns]} ÷ ${RPS[k,$conns]})"$'\n'
done
for conns in $conns_list; do
  has h && has b || continue
  r=$(ratio "${RPS[h,$conns]}" "${RPS[b,$conns]}")
  over=$(awk -v h="${CPU[h,$conns]}" -v b="${CPU[b,$conns]}" 'BEGIN {printf "%+.2f", h - b}')
  ratios+="- h ÷ b req/s @$conns conns (Node authorizer ÷ built-in JWT, both with a warm cache): **$r** (target ≥ 0.80: $(verdict "$r" 0.80 ">=")); CPU µs/request h − b: $over"$'\n'
done
if [ -n "${FC[authorizer]:-}" ]; then
  fc_users=$(awk -v u="${FC[users_get]}" -v t="${FC[table_get]}" 'BEGIN {printf "%.1f", u + t}')
  fc_get=$(awk -v a="${FC[authorizer]}" -v u="$fc_users" 'BEGIN {printf "%.1f", a + u}')
  ratios+="- the functions' own CPU per GET list request (bench/function-cost.js, no gateway): $fc_get µs (authorizer ${FC[authorizer]} + users ${FC[users_get]} + its table's server ${FC[table_get]})"$'\n'
  for c in g i; do
    has "$c" || continue
    for conns in $conns_list; do
      ratios+="- ${LABEL[$c]} @$conns conns: CPU µs/request beyond the functions' own code: $(awk -v x="${CPU[$c,$conns]}" -v f="$fc_get" 'BEGIN {printf "%.0f (%.0f − %.0f)", x - f, x, f}')"$'\n'
    done
  done
  # gatehouse's own CPU per invocation: the process tree's CPU per request less the functions'
  # own, divided by the invocations per request (g: authorizer and handler; m, n: the handler).
  for c in g m n; do
    has "$c" || continue
    for conns in $conns_list; do
      if [ "$c" = g ]; then f=$fc_get; k=2; else f=$fc_users; k=1; fi
      own=$(awk -v x="${CPU[$c,$conns]}" -v f="$f" -v k="$k" 'BEGIN {printf "%.0f", (x - f) / k}')
      ratios+="- ${LABEL[$c]} @$conns conns: gateway and runtime CPU µs per invocation: **$own** ((${CPU[$c,$conns]} − $f) ÷ $k; target ≤ 150: $(verdict "$own" 150.5 "<"))"$'\n'
    done
  done
  if has i; then
    for conns in $conns_list; do
      ratios+="- the most g ÷ i can be on one core (i's CPU µs/request ÷ the functions' own) @$conns conns: $(awk -v x="${CPU[i,$conns]}" -v f="$fc_get" 'BEGIN {printf "%.2f", x / f}')"$'\n'
    done
  fi
fi
if has e; then
  blog_admin=$(grep -o '"admin_port":[0-9]*' "$work/gh-blog.out" | cut -d: -f2)
  commits=$(curl -s "http://127.0.0.1:$blog_admin/metrics" \
    | awk '/^gatehouse_table_commits_total/ {c = $2} /^gatehouse_table_committed_ops_total/ {o = $2}
           END {if (c > 0) printf "%d commits for %d writes: %.1f writes per fsync", c, o, o / c}')
  ratios+="- group commit over the whole run (all connection counts): $commits"$'\n'
fi

fn_versions=""
if has g || has h || has i || has j || has k; then
  fn_versions+=$'\n'"- function cases: node $(node --version), examples/lambda-blog functions; gatehouse functions.*.concurrency: $fn_concurrency; every process under test on CPU $server_cpu"
fi
if has i || has k; then
  pkgver() { node -p "require('$sls_dir/node_modules/$1/package.json').version" 2>/dev/null || echo '?'; }
  fn_versions+=$'\n'"- serverless $(pkgver serverless), serverless-offline $(pkgver serverless-offline), handlers $sls_runner$([ "$sls_runner" = in-process ] && echo ' (--useInProcess)'), per-request logging to a file (its default output)"
fi
gh_rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$repo" diff --quiet HEAD 2>/dev/null || gh_rev+="-dirty"
gh_ver=$("$GH" --version 2>/dev/null | head -1 || true)
nginx_ver=$("$NGINX" -v 2>&1 | head -1)
haproxy_ver=$("$HAPROXY" -v 2>/dev/null | awk 'NR == 1 {print "HAProxy", $3}')
wrk_ver=$( (wrk -v 2>&1 || true) | awk 'NR == 1 {print $1, $2}')
versions="- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')
- gatehouse: $gh_rev ($gh_ver), binary $GH built $(date -u -r "$GH" "+%Y-%m-%d %H:%M:%S UTC")${GH_BASE:+; cases B and C: $GH_BASE}
- $nginx_ver (nginx-light, 1 worker, access_log off); $haproxy_ver (nbthread 1)
- $wrk_ver, -t1 on CPU $client_cpu; servers on CPU $server_cpu
- $(openssl version)
- nproc: $(nproc); CPU: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
- kernel: $(uname -r)
- load average: $load_start at start, $load_end at end; runs repeated because other processes disturbed them: $disturbed
- runs: ${secs}s each, median of $repeats, warm-up ${warmup}s, connections: $conns_list (case e: $post_conns_list), interleaved $cases${fn_versions}
- openssl speed -seconds 3 rsa2048 on CPU $server_cpu: **$verify_s verify/s**
- fdatasync ceiling on the data directory's disk (4 KiB O_DSYNC writes): **$fsync_ceiling/s** (appending $fsync_append/s, overwriting $fsync_overwrite/s)"

report="# gatehouse benchmark

$versions

$table

Medians per column over the repeats; non-2xx and socket errors are totals over the repeats. Other load is
the CPU time taken by processes other than the server and wrk on their CPUs during a run (kernel
loopback work accounts for a few %); runs above ${max_foreign}% were repeated.

$ratios"

mkdir -p "$repo/bench/results"
printf '%s' "$report" >"$repo/bench/results/latest.md"
printf '\n%s\n' "$report"
log "written to bench/results/latest.md"
