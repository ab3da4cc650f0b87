#!/usr/bin/env bash
# Lambda invocation benchmark (method and results: docs/benchmarks.md, "Lambda invocations: where
# the time goes"). What one invocation costs around the function, with a handler that does
# nothing (`async () => ({statusCode: 200, body: 'ok'})`), on one core:
#   mock   gatehouse, a mock route: the client's request alone, no function
#   node   gatehouse, the no-op function with `runtime: node` (gatehouse's Node.js runtime)
#   ric    gatehouse, the no-op function run by aws-lambda-ric (AWS's runtime interface client)
#   sls    serverless-offline 13 (--useInProcess, its fastest runner), the no-op function
# Each server and its workers on CPU 0, `wrk -t1` on CPU 1, BENCH_CONNS connections (16),
# functions.*.concurrency 1, routes without an authorizer; the cases interleaved, medians of the
# repeats. Per case: requests/s, the CPU per request of the gateway and of its workers
# (/proc/PID/stat), context switches per request (voluntary and involuntary, /proc/PID/status),
# and, from a separate shorter run under `strace -c -f` (which slows what it traces; only its
# counts are kept), the system calls per request of the gateway and of the worker.
#
# Then, unless BENCH_SCALE=0, from one core to two: the users handler of examples/lambda-blog
# (GET /resource: a DynamoDB Scan of one item through the AWS SDK v3, no authorizer) on gatehouse
# (its table on gatehouse's own DynamoDB API) and on serverless-offline (the same table, through
# the gatehouse instance's DynamoDB API): each pinned to CPU 0 with wrk on CPU 1, then unpinned on
# both cores with wrk unpinned too, gatehouse with `concurrency: 2` (one worker per core).
#
# Usage: bench/invoke.sh [BUILD_DIR]   (default build)
# Env:   BENCH_SECONDS (8)  BENCH_REPEATS (3)  BENCH_CONNS (16)  BENCH_SCALE (1)
set -euo pipefail

bench_default_seconds=8
BENCH_CONNS=${BENCH_CONNS:-16}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh" invoke-bench "${1:-build}"
command -v node >/dev/null || die "node is needed"
command -v strace >/dev/null || die "strace is needed (scripts/install-deps.sh --bench)"
lambda_dir="$repo/examples/lambda-blog"
sls_dir="$repo/bench/serverless"
ric_bin="$lambda_dir/node_modules/.bin/aws-lambda-ric"
if [ ! -x "$ric_bin" ]; then
  log "npm ci in examples/lambda-blog (aws-lambda-ric, the AWS SDK)"
  (cd "$lambda_dir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || die "npm ci in $lambda_dir failed"
fi
if ! cmp -s "$sls_dir/package-lock.json" "$sls_dir/node_modules/.bench-installed-lock"; then
  log "npm ci in bench/serverless (serverless@3, serverless-offline)"
  (cd "$sls_dir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || die "npm ci in bench/serverless failed"
  cp "$sls_dir/package-lock.json" "$sls_dir/node_modules/.bench-installed-lock"
fi

# descendants PID... -> their children, grandchildren, ... (the function workers)
descendants() {
  local p c
  for p in "$@"; do
    for c in $(pgrep -P "$p" || true); do echo "$c"; descendants "$c"; done
  done
}
# context_switches PID... -> voluntary + involuntary switches of every thread of the processes
context_switches() {
  local p
  for p in "$@"; do cat /proc/"$p"/task/*/status 2>/dev/null; done | awk '/ctxt_switches/ {s += $2} END {print s + 0}'
}

# ---------------------------------------------------------------- the functions
mkdir -p "$work/noop"
cat >"$work/noop/index.js" <<'JS'
exports.handler = async () => ({ statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: 'ok' });
JS

# ---------------------------------------------------------------- the servers
# start_gatehouse NAME CPUS CONCURRENCY: the no-op function under both runtimes, the users handler
# and its table, on a DynamoDB listener of its own. Sets pid_NAME, port_NAME, ddb_NAME.
start_gatehouse() {
  local name=$1 cpus=$2 concurrency=$3 port ddb
  port=$(free_port)
  ddb=$(free_port)
  cat >"$work/$name.yaml" <<YAML
api: {name: invoke, stage: Lab, listen: 127.0.0.1:$port, io_threads: 1}
admin: {listen: "off"}
access_log: {path: "off"}
data_dir: $work/$name-data
dynamodb: {listen: 127.0.0.1:$ddb}
tables:
  users: {key: {pk: S, sk: S}}
  sls_users: {key: {pk: S, sk: S}}
functions:
  noop: {runtime: node, working_dir: $work/noop, handler: index.handler, concurrency: $concurrency}
  noop_ric: {command: [$ric_bin], working_dir: $work/noop, handler: index.handler, concurrency: $concurrency}
  users:
    runtime: node
    working_dir: $lambda_dir/users
    handler: index.handler
    concurrency: $concurrency
    environment: {USERS_TABLE: {table: users}}
routes:
  - {path: /mock, method: GET, auth: none, integration: {type: mock, body: ok}}
  - {path: /node, method: GET, auth: none, integration: {type: function, function: noop}}
  - {path: /ric, method: GET, auth: none, integration: {type: function, function: noop_ric}}
  - {path: /resource, methods: [GET, POST], auth: none, integration: {type: function, function: users}}
YAML
  taskset -c "$cpus" "$GH" serve -c "$work/$name.yaml" >"$work/$name.out" 2>&1 &
  pids+=($!)
  printf -v "pid_$name" '%s' "$!"
  printf -v "port_$name" '%s' "$port"
  printf -v "ddb_$name" '%s' "$ddb"
}

# start_sls NAME CPUS DYNAMODB_PORT: serverless-offline with the no-op and the users functions.
start_sls() {
  local name=$1 cpus=$2 dir="$work/sls-$1" port
  port=$(free_port)
  mkdir -p "$dir" "$work/sls-home"
  ln -sfn "$sls_dir/node_modules" "$dir/node_modules"
  ln -sfn "$lambda_dir" "$dir/lambda-blog"
  ln -sfn "$work/noop" "$dir/noop"
  cat >"$dir/serverless.yml" <<YAML
service: invoke
frameworkVersion: "3"
provider: {name: aws, runtime: nodejs20.x, stage: Lab, region: us-east-1}
plugins: [serverless-offline]
custom:
  serverless-offline: {host: 127.0.0.1, httpPort: $port, lambdaPort: $(free_port), websocketPort: $(free_port), noPrependStageInUrl: true, noSponsor: true}
functions:
  noop: {handler: noop/index.handler, events: [{http: {path: noop, method: get}}]}
  users:
    handler: lambda-blog/users/index.handler
    environment: {USERS_TABLE: sls_users, AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:$3"}
    events: [{http: {path: resource, method: get}}, {http: {path: resource, method: post}}]
YAML
  (cd "$dir" && exec env AWS_ACCESS_KEY_ID=bench-dummy AWS_SECRET_ACCESS_KEY=bench-dummy \
    AWS_REGION=us-east-1 SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off SLS_DEPRECATION_DISABLE='*' \
    SLS_INTERACTIVE_SETUP_DISABLE=1 CI=1 HOME="$work/sls-home" taskset -c "$cpus" \
    node node_modules/serverless/bin/serverless.js offline start --useInProcess) >"$work/sls-$name.log" 2>&1 &
  pids+=($!)
  printf -v "pid_$name" '%s' "$!"
  printf -v "port_$name" '%s' "$port"
}

# wait_ok URL: until it answers 2xx (workers started, serverless-offline listening), 60 s at most.
wait_ok() {
  for _ in $(seq 600); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.1
  done
  die "$1 did not answer 2xx within 60 s"
}

start_gatehouse gh "$server_cpu" 1
wait_ok "http://127.0.0.1:$port_gh/mock"
start_sls sls "$server_cpu" "$ddb_gh"
for path in node ric resource; do wait_ok "http://127.0.0.1:$port_gh/$path"; done
wait_ok "http://127.0.0.1:$port_sls/noop"
# One item in each table, as in bench/run.sh's GET cases.
item='{"name":"Yev","email":"yev@example.com"}'
curl -sf -X POST -H 'content-type: application/json' -d "$item" "http://127.0.0.1:$port_gh/resource" >/dev/null
curl -sf -X POST -H 'content-type: application/json' -d "$item" "http://127.0.0.1:$port_sls/resource" >/dev/null

# The no-op handler's own CPU per call, in one Node process (subtracted from node and ric).
handler_us=$(taskset -c "$server_cpu" node -e "
  const { handler } = require('$work/noop/index.js');
  (async () => {
    for (let i = 0; i < 20000; i++) await handler({}, {});
    const c0 = process.cpuUsage();
    for (let i = 0; i < 200000; i++) await handler({}, {});
    const c = process.cpuUsage(c0);
    console.log(((c.user + c.system) / 200000).toFixed(2));
  })();")
log "the no-op handler's own CPU per call: $handler_us µs"

cat >"$work/get.lua" <<LUA
$wrk_result_lua
LUA

# ---------------------------------------------------------------- one core: the account
declare -A URL=([mock]="http://127.0.0.1:$port_gh/mock" [node]="http://127.0.0.1:$port_gh/node"
  [ric]="http://127.0.0.1:$port_gh/ric" [sls]="http://127.0.0.1:$port_sls/noop")
server_of() { if [ "$1" = sls ]; then echo "$pid_sls"; else echo "$pid_gh"; fi; }
# The processes of a case: the server, and its worker for the case's function (none for mock and
# sls: serverless-offline runs handlers in its own process).
# name_of PID -> the function a worker runs (AWS_LAMBDA_FUNCTION_NAME in its environment)
name_of() { tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | sed -n 's/^AWS_LAMBDA_FUNCTION_NAME=//p'; }
noop_worker="" ric_worker=""
for p in $(descendants "$pid_gh"); do
  # The worker's own process: aws-lambda-ric's `node` (its .bin script), not a shell before it.
  grep -q node "/proc/$p/comm" 2>/dev/null || continue
  case $(name_of "$p") in
    noop) noop_worker=$p ;;
    noop_ric) ric_worker=$p ;;
  esac
done
[ -n "$noop_worker" ] && [ -n "$ric_worker" ] || die "no worker for the no-op functions"
worker_of() {
  case $1 in
    node) echo "$noop_worker" ;;
    ric) echo "$ric_worker" ;;
  esac
  return 0
}

declare -A RPS CPU_SERVER CPU_WORKER CSW
cases="mock node ric sls"
log "warm-up"
for c in $cases; do taskset -c "$client_cpu" wrk -t1 -c"$BENCH_CONNS" -d3s "${URL[$c]}" >/dev/null; done
for r in $(seq "$repeats"); do
  for c in $cases; do
    server=$(server_of "$c")
    worker=$(worker_of "$c")
    s0=$(cpu_ticks "$server"); w0=$( [ -n "$worker" ] && cpu_ticks "$worker" || echo 0)
    x0=$(context_switches "$server" $worker)
    out=$(taskset -c "$client_cpu" wrk -t1 -c"$BENCH_CONNS" -d"${seconds}s" -s "$work/get.lua" "${URL[$c]}" | grep '^RESULT')
    s1=$(cpu_ticks "$server"); w1=$( [ -n "$worker" ] && cpu_ticks "$worker" || echo 0)
    x1=$(context_switches "$server" $worker)
    read -r _ requests rate _ _ errors <<<"$out"
    [ "$errors" = 0 ] || die "$c: $errors non-2xx answers"
    RPS[$c]+=" $rate"
    CPU_SERVER[$c]+=" $(awk -v t=$((s1 - s0)) -v hz="$hz" -v n="$requests" 'BEGIN {printf "%.2f", t / hz * 1e6 / n}')"
    CPU_WORKER[$c]+=" $(awk -v t=$((w1 - w0)) -v hz="$hz" -v n="$requests" 'BEGIN {printf "%.2f", t / hz * 1e6 / n}')"
    CSW[$c]+=" $(awk -v x=$((x1 - x0)) -v n="$requests" 'BEGIN {printf "%.2f", x / n}')"
    log "repeat $r $c: $rate req/s"
  done
done

# System calls per request, by name: the server and the worker traced over a 3 s run.
syscalls() { # syscalls CASE -> "server: name n, ...; worker: name n, ..."
  local c=$1 server worker n out line=""
  server=$(server_of "$c")
  worker=$(worker_of "$c")
  strace -c -f -p "$server" -o "$work/strace-server.txt" 2>/dev/null &
  local s1=$!
  local s2=""
  if [ -n "$worker" ]; then strace -c -f -p "$worker" -o "$work/strace-worker.txt" 2>/dev/null & s2=$!; fi
  sleep 1
  out=$(taskset -c "$client_cpu" wrk -t1 -c"$BENCH_CONNS" -d3s -s "$work/get.lua" "${URL[$c]}" | grep '^RESULT')
  kill -INT $s1 $s2 2>/dev/null
  wait $s1 $s2 2>/dev/null || true
  read -r _ n _ <<<"$out"
  for who in server worker; do
    [ -f "$work/strace-$who.txt" ] || continue
    line+="$who: $(awk -v n="$n" 'NR > 2 && NF >= 5 && $NF != "total" && $4 / n >= 0.05 {
        printf "%s%s %.2f", (k++ ? ", " : ""), $NF, $4 / n }' "$work/strace-$who.txt"); "
    rm -f "$work/strace-$who.txt"
  done
  echo "${line%; }"
}
declare -A SYS
for c in $cases; do SYS[$c]=$(syscalls "$c"); done

# ---------------------------------------------------------------- one core to two
declare -A SCALE
if [ "${BENCH_SCALE:-1}" != 0 ]; then
  scale_run() { # scale_run URL CLIENT_CPUS PID... -> req/s and CPU µs per request
    local url=$1 cpus=$2 result
    shift 2
    result=$(wrk_cpus=$cpus wrk_run "$work/get.lua" "$url" "$BENCH_CONNS" "$seconds" "$@")
    awk '{printf "%s %.0f", $1, $4}' <<<"$result"
  }
  last_run() { awk '{print $(NF - 1) ", " $NF}' <<<"$1"; }  # the last "req/s cpu" pair of a list
  start_gatehouse gh2 0,1 2
  wait_ok "http://127.0.0.1:$port_gh2/mock"
  wait_ok "http://127.0.0.1:$port_gh2/resource"
  curl -sf -X POST -H 'content-type: application/json' -d "$item" "http://127.0.0.1:$port_gh2/resource" >/dev/null
  start_sls sls2 0,1 "$ddb_gh"
  wait_ok "http://127.0.0.1:$port_sls2/resource"
  for u in "http://127.0.0.1:$port_gh/resource" "http://127.0.0.1:$port_gh2/resource" \
    "http://127.0.0.1:$port_sls/resource" "http://127.0.0.1:$port_sls2/resource"; do
    taskset -c 0,1 wrk -t1 -c"$BENCH_CONNS" -d3s "$u" >/dev/null
  done
  for r in $(seq "$repeats"); do
    # shellcheck disable=SC2046
    SCALE[gh1]+=" $(scale_run "http://127.0.0.1:$port_gh/resource" "$client_cpu" "$pid_gh" $(descendants "$pid_gh"))"
    # shellcheck disable=SC2046
    SCALE[gh2]+=" $(scale_run "http://127.0.0.1:$port_gh2/resource" 0,1 "$pid_gh2" $(descendants "$pid_gh2"))"
    SCALE[sls1]+=" $(scale_run "http://127.0.0.1:$port_sls/resource" "$client_cpu" "$pid_sls")"
    SCALE[sls2]+=" $(scale_run "http://127.0.0.1:$port_sls2/resource" 0,1 "$pid_sls2")"
    log "scale repeat $r (req/s, CPU µs/request): gatehouse $(last_run "${SCALE[gh1]}") then $(last_run "${SCALE[gh2]}"), serverless-offline $(last_run "${SCALE[sls1]}") then $(last_run "${SCALE[sls2]}")"
  done
fi

# ---------------------------------------------------------------- report
every_other() { # every_other "a b c d ..." OFFSET -> the OFFSET-th of each pair
  awk -v o="$2" '{for (i = o; i <= NF; i += 2) printf "%s ", $i}' <<<"$1"
}
echo "# bench/invoke.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), gatehouse $(git -C "$repo" rev-parse --short HEAD)"
echo
echo "$(nproc) CPUs, node $(node --version), $BENCH_CONNS connections, ${seconds} s × $repeats, medians; the no-op handler's own CPU: $handler_us µs per call"
echo
echo "| case | req/s | CPU µs/request: gateway | worker | total | context switches/request | system calls per request (strace -c, 3 s) |"
echo "|---|---:|---:|---:|---:|---:|---|"
for c in $cases; do
  s=$(median "${CPU_SERVER[$c]}")
  w=$(median "${CPU_WORKER[$c]}")
  printf '| %s | %.0f | %.1f | %.1f | %.1f | %s | %s |\n' "$c" "$(median "${RPS[$c]}")" "$s" "$w" \
    "$(awk -v a="$s" -v b="$w" 'BEGIN {print a + b}')" "$(median "${CSW[$c]}")" "${SYS[$c]}"
done
echo
total_of() { awk -v a="$(median "${CPU_SERVER[$1]}")" -v b="$(median "${CPU_WORKER[$1]}")" 'BEGIN {print a + b}'; }
for c in node ric sls; do
  base=$(total_of mock)
  [ "$c" = sls ] && base=0
  printf -- '- %s: CPU µs per invocation around the handler: **%.1f** (%.1f − %s%s µs handler)\n' "$c" \
    "$(awk -v t="$(total_of "$c")" -v b="$base" -v h="$handler_us" 'BEGIN {print t - b - h}')" \
    "$(total_of "$c")" "$([ "$c" = sls ] && echo "" || echo "$base mock − ")" "$handler_us"
done
if [ -n "${SCALE[gh1]:-}" ]; then
  echo
  echo "One core to two, the users handler (GET /resource, a DynamoDB list of one item), $BENCH_CONNS connections:"
  echo
  echo "| server | one core: req/s | CPU µs/req | two cores: req/s | CPU µs/req | two ÷ one |"
  echo "|---|---:|---:|---:|---:|---:|"
  for s in gh sls; do
    r1=$(median "$(every_other "${SCALE[${s}1]}" 1)"); c1=$(median "$(every_other "${SCALE[${s}1]}" 2)")
    r2=$(median "$(every_other "${SCALE[${s}2]}" 1)"); c2=$(median "$(every_other "${SCALE[${s}2]}" 2)")
    printf '| %s | %.0f | %s | %.0f | %s | %.2f |\n' "$([ "$s" = gh ] && echo "gatehouse (concurrency 1, then 2)" || echo "serverless-offline --useInProcess")" \
      "$r1" "$c1" "$r2" "$c2" "$(awk -v a="$r2" -v b="$r1" 'BEGIN {print a / b}')"
  done
fi
