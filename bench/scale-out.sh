#!/usr/bin/env bash
# Remote tables and scale-out benchmark (method: docs/benchmarks.md), in one run, interleaved:
#
# Part 1, where the crud table lives: the blog demo's crud routes (JWT from the embedded issuer,
# decision cache warm) with the `users` table
#   embedded   in gatehouse's own store (SQLite, fsynced group commit)
#   gatehouse  on a second gatehouse's DynamoDB listener (backend: dynamodb; its store fsyncs too)
#   dynalite   on dynalite (npm; LevelDB, no fsync)
# POST /resource (a create: one conditional PutItem) and GET /resource/{id} (one consistent
# GetItem). Every process under test (the front gatehouse, one I/O thread, and the table's
# server) runs on CPU 0, wrk -t1 on CPU 1, so requests/s is the inverse of their CPU per request
# added up; each process's CPU µs per request says which of them is the limit.
#
# Part 2, instances: nginx (one worker) in front of 1 and of 3 gatehouse instances (one I/O
# thread each) on one remote table (a gatehouse DynamoDB listener). Nothing is pinned: the
# machine's cores are shared by nginx, the instances, the table and wrk, as on one host. CPU µs
# per request is the whole stack's (nginx, instances, table).
#
# Usage: bench/scale-out.sh [BUILD_DIR]   (default build)
# Env:   BENCH_SECONDS (6)  BENCH_REPEATS (3)  BENCH_CONNS ("16 64")
set -euo pipefail

bench_default_seconds=6
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh" scale-bench "${1:-build}"
command -v nginx >/dev/null || die "nginx is not installed (scripts/install-deps.sh --test)"
wait_http() {  # wait_http URL: until it answers with any status
  for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  die "nothing answers at $1"
}
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret BENCH_CLIENT_SECRET=bench-client-secret

# The table servers.
start_dynamodb_gatehouse table
table_port=$ddb_port
table_pid=$ddb_pid
start_dynalite
wait_http "http://127.0.0.1:$table_port/"
wait_http "http://127.0.0.1:$dl_port/"

# front_yaml DATA_DIR TABLE_LINES: the blog demo with its users table as given.
front_yaml() {
  cat <<YAML
api: {name: blog, stage: Lab, listen: 127.0.0.1:0, io_threads: 1, default_authorizer: jwt}
admin: {listen: "off"}
access_log: {path: "off"}
data_dir: $1
issuer:
  issuer_url: https://blog.gatehouse.local/
  clients:
    bench: {secret: {env: BENCH_CLIENT_SECRET}, audiences: [https://blog-api]}
authorizers:
  jwt: {type: jwt, audiences: [https://blog-api], keys: {issuer: self}}
tables:
  users:
$2
routes:
  - {path: /resource, methods: [GET, POST], integration: {type: crud, table: users}}
  - {path: "/resource/{id}", methods: [GET, PUT, DELETE], integration: {type: crud, table: users}}
YAML
}
remote_lines() { printf '    backend: dynamodb\n    region: us-east-1\n    endpoint: %s\n    table: %s\n    create: true\n' "$1" "$2"; }

declare -A port pid table_of
# start_front NAME CPU YAML [ARGS...]: a gatehouse serving YAML; sets port[NAME] and pid[NAME].
start_front() {
  local name=$1 cpu=$2 yaml=$3; shift 3
  local p; p=$(free_port)
  if [ "$cpu" = any ]; then
    "$GH" serve -c "$yaml" --port "$p" "$@" >"$work/$name.out" 2>&1 &
  else
    taskset -c "$cpu" "$GH" serve -c "$yaml" --port "$p" "$@" >"$work/$name.out" 2>&1 &
  fi
  pids+=($!)
  pid[$name]=$!
  port[$name]=$p
  wait_http "http://127.0.0.1:$p/resource"
}

# Every front shares one data directory: the issuer's keys, so one token serves all (only the
# embedded front keeps a store file there).
front_yaml "$work/front" "    key: id" >"$work/embedded.yaml"
front_yaml "$work/front" "$(remote_lines "http://127.0.0.1:$table_port" users_part1)" >"$work/gatehouse.yaml"
front_yaml "$work/front" "$(remote_lines "http://127.0.0.1:$dl_port" users)" >"$work/dynalite.yaml"
start_front embedded "$server_cpu" "$work/embedded.yaml"
start_front gatehouse "$server_cpu" "$work/gatehouse.yaml"
start_front dynalite "$server_cpu" "$work/dynalite.yaml"
table_of=([embedded]="" [gatehouse]=$table_pid [dynalite]=$dl_pid)

# Part 2: three instances sharing the data directory (the issuer's keys) and one remote table.
front_yaml "$work/front" "$(remote_lines "http://127.0.0.1:$table_port" users_part2)" >"$work/instance.yaml"
for i in 1 2 3; do start_front "instance$i" any "$work/instance.yaml"; done
start_nginx() {  # start_nginx NAME PORT...: nginx with one worker in front of the ports
  local name=$1; shift
  local p; p=$(free_port)
  mkdir -p "$work/$name"
  {
    echo "daemon off; worker_processes 1; pid nginx.pid; error_log error.log warn;"
    echo "events { worker_connections 1024; }"
    echo "http { access_log off; upstream gatehouse {"
    for up in "$@"; do echo "  server 127.0.0.1:$up;"; done
    echo "  keepalive 64; }"
    echo "  server { listen 127.0.0.1:$p; location / { proxy_pass http://gatehouse;"
    echo "    proxy_http_version 1.1; proxy_set_header Connection \"\"; } } }"
  } >"$work/$name/nginx.conf"
  nginx -p "$work/$name" -e "$work/$name/error.log" -c "$work/$name/nginx.conf" &
  pids+=($!)
  pid[$name]=$!
  port[$name]=$p
  wait_http "http://127.0.0.1:$p/resource"
}
start_nginx nginx1 "${port[instance1]}"
start_nginx nginx3 "${port[instance1]}" "${port[instance2]}" "${port[instance3]}"

token=$("$GH" token -c "$work/embedded.yaml" --client bench) || die "gatehouse token failed"
body='{"name":"Yev","email":"yev@example.com","n":42}'
declare -A item_of
for name in embedded gatehouse dynalite nginx3; do
  item_of[$name]=$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    -d "$body" "http://127.0.0.1:${port[$name]}/resource" | sed -E 's/.*"id":"([^"]+)".*/\1/') \
    || die "POST /resource on $name did not answer 201"
done
item_of[nginx1]=${item_of[nginx3]}

# wrk scripts: POST a new item, or GET one item.
lua() {  # lua FILE METHOD TOKEN
  cat >"$1" <<LUA
wrk.method = "$2"
wrk.headers["Authorization"] = "Bearer $3"
$( [ "$2" = POST ] && printf 'wrk.body = %s\nwrk.headers["Content-Type"] = "application/json"' "'$body'" )
$wrk_result_lua
LUA
}
lua "$work/post.lua" POST "$token"
lua "$work/get.lua" GET "$token"

nginx_pids() { echo "${pid[$1]} $(pgrep -P "${pid[$1]}" | tr '\n' ' ')"; }
declare -A rps p99 cpu_front cpu_table
# run CASE OP CONNS: one sample of wrk against CASE.
run() {
  local c=$1 o=$2 n=$3 url path script="$work/$2.lua" front_pids table_pids pin before_f before_t out
  if [[ $c = nginx* ]]; then
    front_pids="$(nginx_pids "$c") ${pid[instance1]}"
    [ "$c" = nginx3 ] && front_pids+=" ${pid[instance2]} ${pid[instance3]}"
    table_pids=$table_pid
    pin=()
  else
    front_pids=${pid[$c]}
    table_pids=${table_of[$c]}
    pin=(taskset -c "$client_cpu")
  fi
  path=/resource; [ "$o" = get ] && path="/resource/${item_of[$c]}"
  url="http://127.0.0.1:${port[$c]}$path"
  before_f=$(cpu_ticks $front_pids); before_t=0; [ -n "$table_pids" ] && before_t=$(cpu_ticks $table_pids)
  out=$("${pin[@]}" wrk -t1 -c"$n" -d"${seconds}s" -s "$script" "$url" | grep '^RESULT')
  local after_f after_t=0; after_f=$(cpu_ticks $front_pids); [ -n "$table_pids" ] && after_t=$(cpu_ticks $table_pids)
  read -r _ requests rate _ l99 errors <<<"$out"
  [ "$errors" = 0 ] || die "$c $o c=$n: $errors non-2xx answers"
  local uf ut
  uf=$(awk -v t=$((after_f - before_f)) -v hz="$hz" -v r="$requests" 'BEGIN { printf "%.0f", t / hz * 1e6 / r }')
  ut=$(awk -v t=$((after_t - before_t)) -v hz="$hz" -v r="$requests" 'BEGIN { printf "%.0f", t / hz * 1e6 / r }')
  rps[$c,$o,$n]+="$rate "; p99[$c,$o,$n]+="$l99 "; cpu_front[$c,$o,$n]+="$uf "; cpu_table[$c,$o,$n]+="$ut "
  log "$c $o c=$n: $rate req/s, p99 $l99 us, CPU us/req front $uf table $ut"
}

part1="embedded gatehouse dynalite"
part2="nginx1 nginx3"
log "warm-up"
for c in $part1 $part2; do for o in post get; do run "$c" "$o" 16 >/dev/null 2>&1 || true; done; done
unset rps p99 cpu_front cpu_table  # the warm-up's samples are not kept
declare -A rps p99 cpu_front cpu_table
for r in $(seq "$repeats"); do
  log "repeat $r/$repeats"
  for o in post get; do
    for n in $conns; do
      for c in $part1; do run "$c" "$o" "$n"; done
    done
    for c in $part2; do run "$c" "$o" 64; done
  done
done

echo "Part 1: where the table lives (front and table server on CPU 0, wrk on CPU 1)"
echo
echo "| table | request | conns | req/s | p99 µs | front CPU µs/req | table server CPU µs/req |"
echo "|---|---|---:|---:|---:|---:|---:|"
for o in post get; do
  for n in $conns; do
    for c in $part1; do
      t=$(median "${cpu_table[$c,$o,$n]}"); [ "$c" = embedded ] && t="(in front)"
      echo "| $c | ${o^^} | $n | $(median "${rps[$c,$o,$n]}") | $(median "${p99[$c,$o,$n]}") | $(median "${cpu_front[$c,$o,$n]}") | $t |"
    done
  done
done
echo
echo "Part 2: nginx in front of 1 and 3 instances, one remote table (nothing pinned, $(nproc) cores)"
echo
echo "| instances | request | conns | req/s | p99 µs | nginx + instances CPU µs/req | table server CPU µs/req |"
echo "|---|---|---:|---:|---:|---:|---:|"
for o in post get; do
  for c in $part2; do
    echo "| ${c#nginx} | ${o^^} | 64 | $(median "${rps[$c,$o,64]}") | $(median "${p99[$c,$o,64]}") | $(median "${cpu_front[$c,$o,64]}") | $(median "${cpu_table[$c,$o,64]}") |"
  done
done
