#!/usr/bin/env bash
# Reverse-proxy benchmark (method: docs/benchmarks.md): a JWT-protected GET proxied to an nginx
# upstream, through the proxies a user would pick, each pinned to CPU 0 with one thread or worker,
# `wrk -t1` and the upstream nginx on CPU 1, HTTP/1.1 keep-alive both sides, in the same run,
# interleaved:
#   gh-cache    gatehouse, http_proxy route behind its JWT authorizer (RS256), decision cache warm
#   gh-nocache  the same with cache_ttl_s: 0 (every request verifies RS256)
#   haproxy     HAProxy 2.6 (Debian's) with `jwt_verify` RS256 on every request (the checks of
#               bench/run.sh's case l: Bearer, alg, iss, aud, exp, signature), then its backend
#   nginx       nginx as a plain reverse proxy (no authentication: the floor of proxying)
# Every proxy answers the upstream's bytes. Reports requests/s, p50 and p99 latency and the
# proxy's own CPU µs per request (the upstream's is the same for all), medians of the repeats.
#
# With BENCH_INSTRUCTIONS=1 it counts instead the user-space instructions per request (callgrind)
# of gatehouse with a warm cache and of nginx proxying plainly, each over BENCH_SECONDS of wrk at
# 16 connections after a warm-up: a count the machine's noise does not move, to compare builds
# (BENCH_BASE=another gatehouse binary or build directory is counted too) and to see what of the CPU gap to nginx is
# gatehouse's own code (the kernel's share is the socket calls, the same four per request).
#
# Usage: bench/proxy.sh [BUILD_DIR]   (default build)
# Env:   BENCH_SECONDS (8)  BENCH_REPEATS (3)  BENCH_CONNS ("16 64")  BENCH_INSTRUCTIONS  BENCH_BASE
#        BENCH_PROFILE_DIR (with BENCH_INSTRUCTIONS: keep gatehouse's callgrind files there)
set -euo pipefail

bench_default_seconds=8
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh" proxy-bench "${1:-build}"
# shellcheck source=bench/haproxy-jwt.sh
source "$repo/bench/haproxy-jwt.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
[ -x "$NGINX" ] && [ -x "$HAPROXY" ] || die "nginx and haproxy are needed (scripts/install-deps.sh --bench)"

# ---------------------------------------------------------------- tokens (the mock demo's key)
keys="$repo/examples/mock/keys"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header='{"alg":"RS256","typ":"JWT","kid":"demo-1"}'
payload=$(printf '{"iss":"https://demo.gatehouse.local/","sub":"demo-client@clients","aud":"https://blog-api","iat":%d,"exp":%d,"scope":"read:users"}' "$now" $((now + 7200)))
input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
TOKEN="$input.$(printf '%s' "$input" | openssl dgst -sha256 -sign "$keys/demo-signing-key.pem" -binary | b64url)"
# A signature byte changed (not the last character: its low bits are padding some decoders ignore).
c=${TOKEN: -10:1}
BADSIG="${TOKEN:0:${#TOKEN}-10}$([ "$c" = A ] && echo B || echo A)${TOKEN: -9}"

# ---------------------------------------------------------------- the upstream (CPU 1)
# nginx_conf DIR PORT SERVER_BLOCK -> an nginx.conf for one worker, no access log
nginx_conf() {
  mkdir -p "$1/logs" "$1/tmp" "$1/html"
  cat >"$1/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
user root;
pid $1/nginx.pid;
error_log $1/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $1/tmp/body;
  proxy_temp_path $1/tmp/proxy;
  fastcgi_temp_path $1/tmp/fastcgi;
  uwsgi_temp_path $1/tmp/uwsgi;
  scgi_temp_path $1/tmp/scgi;
  keepalive_requests 1000000;
  default_type application/json;
  $3
}
EOF
}
up_port=$(free_port)
nginx_conf "$work/up" "$up_port" "server { listen 127.0.0.1:$up_port; root $work/up/html; location = /resource { } }"
printf '{"id":"4b2c9a10","name":"Yev","email":"yev@example.com","created":"2026-01-01T00:00:00Z"}' \
  >"$work/up/html/resource"
taskset -c "$client_cpu" "$NGINX" -p "$work/up" -c "$work/up/nginx.conf" >/dev/null 2>&1 &
pids+=($!)

# ---------------------------------------------------------------- the proxies (CPU 0)
gh_port() { # gh_port NAME CACHE_TTL -> starts gatehouse, sets gh_pid_NAME and gh_port_NAME
  local name=$1 port
  port=$(free_port)
  cat >"$work/$name.yaml" <<YAML
api: {name: proxy, listen: 127.0.0.1:$port, io_threads: 1, default_authorizer: jwt}
admin: {listen: "off"}
access_log: {path: "off"}
authorizers:
  jwt:
    type: jwt
    issuer: "https://demo.gatehouse.local/"
    audiences: ["https://blog-api"]
    algorithms: [RS256]
    cache_ttl_s: $2
    keys: {jwks_file: $keys/demo-jwks.json}
routes:
  - path: /resource
    method: GET
    integration: {type: http_proxy, uri: "http://127.0.0.1:$up_port/resource"}
YAML
  taskset -c "$server_cpu" "$GH" serve -c "$work/$name.yaml" >"$work/$name.out" 2>&1 &
  pids+=($!)
  printf -v "pid_$name" '%s' "$!"
  printf -v "port_$name" '%s' "$port"
}
gh_port gh_cache 300
gh_port gh_nocache 0

port_nginx=$(free_port)
nginx_conf "$work/px" "$port_nginx" "upstream up { server 127.0.0.1:$up_port; keepalive 64; }
  server {
    listen 127.0.0.1:$port_nginx;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }"
taskset -c "$server_cpu" "$NGINX" -p "$work/px" -c "$work/px/nginx.conf" >/dev/null 2>&1 &
pids+=($!)
pid_nginx=$!

port_haproxy=$(free_port)
cp "$keys/demo-signing-key.pub.pem" "$work/key.pem"
cat >"$work/haproxy.cfg" <<EOF
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
  bind 127.0.0.1:$port_haproxy
$(haproxy_jwt_rules "$work/key.pem")
  default_backend up
backend up
  http-reuse always
  server up1 127.0.0.1:$up_port
EOF
"$HAPROXY" -c -q -f "$work/haproxy.cfg" >"$work/haproxy.check" 2>&1 || die "haproxy: $(cat "$work/haproxy.check")"
taskset -c "$server_cpu" "$HAPROXY" -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
pid_haproxy=$!

# ---------------------------------------------------------------- correctness
names="gh-cache gh-nocache haproxy nginx"
url_of() { case $1 in gh-cache) echo "http://127.0.0.1:$port_gh_cache/resource" ;;
  gh-nocache) echo "http://127.0.0.1:$port_gh_nocache/resource" ;;
  haproxy) echo "http://127.0.0.1:$port_haproxy/resource" ;;
  nginx) echo "http://127.0.0.1:$port_nginx/resource" ;; esac; }
pids_of() { case $1 in gh-cache) echo "$pid_gh_cache" ;; gh-nocache) echo "$pid_gh_nocache" ;;
  haproxy) echo "$pid_haproxy" ;; nginx) echo "$pid_nginx" $(pgrep -P "$pid_nginx" || true) ;; esac; }
want=$(cat "$work/up/html/resource")
for n in $names; do
  for _ in $(seq 100); do curl -s -o /dev/null "$(url_of "$n")" && break; sleep 0.1; done
  got=$(curl -sf -H "Authorization: Bearer $TOKEN" "$(url_of "$n")") || die "$n: no 2xx for a valid token"
  [ "$got" = "$want" ] || die "$n: answered '$got', not the upstream's bytes"
  if [ "$n" != nginx ]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' "$(url_of "$n")")
    [ "$code" = 401 ] || die "$n: $code without a token, expected 401"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $BADSIG" "$(url_of "$n")")
    [ "$code" = 401 ] || die "$n: $code with a bad signature, expected 401"
  fi
  log "ok  $n"
done

cat >"$work/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
$wrk_result_lua
LUA

# ---------------------------------------------------------------- instructions (BENCH_INSTRUCTIONS)
# count_instructions NAME PORT CMD... -> "NAME <requests> <instructions per request>": CMD (a
# server listening on PORT) under callgrind, counted from after a 1 s warm-up to the end of the run.
count_instructions() {
  local name=$1 port=$2 vg out requests file total
  shift 2
  taskset -c "$server_cpu" valgrind --tool=callgrind --callgrind-out-file="$work/cg.$name.%p" "$@" \
    >"$work/cg.$name.log" 2>&1 &
  vg=$!
  pids+=($vg)
  for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$port/resource" && break; sleep 0.1; done
  taskset -c "$client_cpu" wrk -t1 -c16 -d1s -s "$work/get.lua" "http://127.0.0.1:$port/resource" >/dev/null
  callgrind_control -z "$vg" >/dev/null 2>&1
  out=$(taskset -c "$client_cpu" wrk -t1 -c16 -d"${seconds}s" -s "$work/get.lua" "http://127.0.0.1:$port/resource" | grep '^RESULT')
  callgrind_control -d "$vg" >/dev/null 2>&1
  kill "$vg"
  wait "$vg" 2>/dev/null || true
  read -r _ requests _ <<<"$out"
  file=$(ls "$work/cg.$name."*.1)
  total=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  echo "$name $requests $((total / requests))"
}
if [ -n "${BENCH_INSTRUCTIONS:-}" ]; then
  command -v valgrind >/dev/null || die "valgrind is needed (scripts/install-deps.sh --bench)"
  vg_port=$(free_port)
  sed -e "s/127.0.0.1:$port_gh_cache/127.0.0.1:$vg_port/" "$work/gh_cache.yaml" >"$work/gh_vg.yaml"
  mkdir -p "$work/pxvg"
  sed -e "s|$work/px|$work/pxvg|g" -e "s/master_process on/master_process off/" \
    -e "s/127.0.0.1:$port_nginx/127.0.0.1:$vg_port/" "$work/px/nginx.conf" >"$work/pxvg/nginx.conf"
  mkdir -p "$work/pxvg/logs" "$work/pxvg/tmp"
  echo "| proxy | requests | user instructions per request |"
  echo "|---|---:|---:|"
  base=${BENCH_BASE:-}
  [ -d "$base" ] && base="$base/gatehouse"  # a build directory, as bench/run.sh takes
  for bin in "$GH" ${base:+"$base"}; do
    read -r _ requests per < <(count_instructions gh "$vg_port" "$bin" serve -c "$work/gh_vg.yaml")
    echo "| gatehouse ($bin), cache warm | $requests | $per |"
    [ -z "${BENCH_PROFILE_DIR:-}" ] || cp "$work"/cg.gh.*.1 "$BENCH_PROFILE_DIR/"  # for callgrind_annotate
    rm -f "$work"/cg.gh.*
  done
  read -r _ requests per < <(count_instructions nginx "$vg_port" "$NGINX" -p "$work/pxvg" -c "$work/pxvg/nginx.conf")
  echo "| nginx, plain proxy | $requests | $per |"
  exit 0
fi

# ---------------------------------------------------------------- run
declare -A rps cpu p50 p99
run() { # run NAME CONNS SECONDS [measure]
  local name=$1 n=$2 out rate l50 l99 us
  # shellcheck disable=SC2046
  out=$(wrk_run "$work/get.lua" "$(url_of "$name")" "$n" "$3" $(pids_of "$name")) || exit 1
  [ -n "${4:-}" ] || return 0
  read -r rate l50 l99 us <<<"$out"
  rps[$name,$n]+="$rate "
  cpu[$name,$n]+="$us "
  p50[$name,$n]+="$l50 "
  p99[$name,$n]+="$l99 "
  log "$name c=$n: $rate req/s, p50 $l50 us, p99 $l99 us, cpu $us us/req"
}

log "openssl rsa2048 verify/s on CPU $server_cpu: $(taskset -c "$server_cpu" openssl speed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $NF}')"
for n in $names; do for c in $conns; do run "$n" "$c" 2; done; done
for r in $(seq "$repeats"); do
  log "repeat $r/$repeats"
  for c in $conns; do for n in $names; do run "$n" "$c" "$seconds" measure; done; done
done

echo "| proxy | conns | req/s | p50 µs | p99 µs | proxy CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|"
for c in $conns; do
  for n in $names; do
    echo "| $n | $c | $(median "${rps[$n,$c]}") | $(median "${p50[$n,$c]}") | $(median "${p99[$n,$c]}") | $(median "${cpu[$n,$c]}") |"
  done
done
