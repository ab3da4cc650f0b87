#!/usr/bin/env bash
# TLS listener benchmark (method: docs/benchmarks.md): the same small JSON answer over HTTPS from
# gatehouse (api.tls, a mock route) and from nginx (`return 200`), the same certificate and key,
# each pinned to CPU 0 with one I/O thread or worker, `wrk -t1` on CPU 1, in the same run,
# interleaved. Two workloads:
#   keep-alive   requests on open connections (the cost of TLS records on top of HTTP), at each of
#                BENCH_CONNS; gatehouse and nginx over plain HTTP are run beside them for the cost
#                of TLS itself
#   handshakes   `Connection: close` on every request, so each request is a new TCP connection
#                and a full TLS handshake (wrk does not resume sessions): handshakes per second
# Reports requests/s, p50 and p99 latency and the server's CPU µs per request, medians of the
# repeats. The protocol and cipher both negotiate are printed first.
#
# Usage: bench/tls.sh [BUILD_DIR]   (default build)
# Env:   BENCH_SECONDS (8)  BENCH_REPEATS (3)  BENCH_CONNS ("16 64")
#        BENCH_TLS_KEY (ec: ECDSA P-256, the default; rsa: RSA-2048)
set -euo pipefail

bench_default_seconds=8
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh" tls-bench "${1:-build}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx is needed (scripts/install-deps.sh --bench)"

# ---------------------------------------------------------------- the certificate
case ${BENCH_TLS_KEY:-ec} in
  ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
  rsa) newkey=(-newkey rsa:2048) ;;
  *) die "BENCH_TLS_KEY is ec or rsa" ;;
esac
openssl req -x509 "${newkey[@]}" -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
body='{"id":"4b2c9a10","name":"Yev","email":"yev@example.com","created":"2026-01-01T00:00:00Z"}'

# ---------------------------------------------------------------- the servers (CPU 0)
start_gatehouse() { # start_gatehouse NAME TLS(yes|no)
  local name=$1 port tls=""
  port=$(free_port)
  [ "$2" = yes ] && tls="
  tls: {certificates: [{certificate: $work/cert.pem, key: $work/key.pem}]}"
  cat >"$work/$name.yaml" <<YAML
api:
  name: tls
  listen: 127.0.0.1:$port
  io_threads: 1$tls
admin: {listen: "off"}
access_log: {path: "off"}
routes:
  - path: /resource
    method: GET
    auth: none
    integration: {type: mock, headers: {Content-Type: application/json}, body: '$body'}
YAML
  taskset -c "$server_cpu" "$GH" serve -c "$work/$name.yaml" >"$work/$name.out" 2>&1 &
  pids+=($!)
  printf -v "pid_$name" '%s' "$!"
  printf -v "port_$name" '%s' "$port"
}
start_nginx() { # start_nginx NAME TLS(yes|no)
  local name=$1 dir="$work/$1" port ssl="" certs=""
  port=$(free_port)
  mkdir -p "$dir/logs" "$dir/tmp"
  if [ "$2" = yes ]; then
    ssl=" ssl"
    certs="ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;"
  fi
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
user root;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port$ssl;
    $certs
    location = /resource { default_type application/json; return 200 '$body'; }
  }
}
EOF
  taskset -c "$server_cpu" "$NGINX" -p "$dir" -c "$dir/nginx.conf" >/dev/null 2>&1 &
  pids+=($!)
  printf -v "pid_$name" '%s' "$!"
  printf -v "port_$name" '%s' "$port"
}
start_gatehouse gh_tls yes
start_gatehouse gh_plain no
start_nginx nginx_tls yes
start_nginx nginx_plain no

url_of() { case $1 in gh-tls) echo "https://127.0.0.1:$port_gh_tls/resource" ;;
  gh-plain) echo "http://127.0.0.1:$port_gh_plain/resource" ;;
  nginx-tls) echo "https://127.0.0.1:$port_nginx_tls/resource" ;;
  nginx-plain) echo "http://127.0.0.1:$port_nginx_plain/resource" ;; esac; }
pids_of() { case $1 in gh-tls) echo "$pid_gh_tls" ;; gh-plain) echo "$pid_gh_plain" ;;
  nginx-tls) echo "$pid_nginx_tls" $(pgrep -P "$pid_nginx_tls" || true) ;;
  nginx-plain) echo "$pid_nginx_plain" $(pgrep -P "$pid_nginx_plain" || true) ;; esac; }

# ---------------------------------------------------------------- correctness
names="gh-tls nginx-tls gh-plain nginx-plain"
for n in $names; do
  for _ in $(seq 100); do curl -s -k -o /dev/null "$(url_of "$n")" && break; sleep 0.1; done
  got=$(curl -sf --cacert "$work/cert.pem" "$(url_of "$n")") || die "$n: no 2xx"
  [ "$got" = "$body" ] || die "$n: answered '$got'"
  log "ok  $n"
done
for n in gh-tls nginx-tls; do
  port=${n/gh-tls/$port_gh_tls}
  port=${port/nginx-tls/$port_nginx_tls}
  log "$n: $(openssl s_client -connect "127.0.0.1:$port" </dev/null 2>/dev/null | grep -m1 -o 'New, [^,]*, Cipher is .*')"
done

printf 'wrk.headers["Connection"] = "close"\n%s\n' "$wrk_result_lua" >"$work/close.lua"
printf '%s\n' "$wrk_result_lua" >"$work/keep.lua"

# ---------------------------------------------------------------- run
declare -A rps cpu p50 p99
run() { # run NAME CONNS SECONDS SCRIPT [measure]
  local name=$1 n=$2 script=$4 out rate l50 l99 us key
  # shellcheck disable=SC2046
  out=$(wrk_run "$work/$script.lua" "$(url_of "$name")" "$n" "$3" $(pids_of "$name")) || exit 1
  [ -n "${5:-}" ] || return 0
  read -r rate l50 l99 us <<<"$out"
  key="$script,$name,$n"
  rps[$key]+="$rate "
  cpu[$key]+="$us "
  p50[$key]+="$l50 "
  p99[$key]+="$l99 "
  log "$script $name c=$n: $rate req/s, p50 $l50 us, p99 $l99 us, cpu $us us/req"
}

handshake_conns=${BENCH_HANDSHAKE_CONNS:-16}
for n in $names; do run "$n" 16 2 keep; done
for n in gh-tls nginx-tls; do run "$n" "$handshake_conns" 2 close; done
for r in $(seq "$repeats"); do
  log "repeat $r/$repeats"
  for c in $conns; do for n in $names; do run "$n" "$c" "$seconds" keep measure; done; done
  for n in gh-tls nginx-tls; do run "$n" "$handshake_conns" "$seconds" close measure; done
done

echo "| workload | server | conns | req/s | p50 µs | p99 µs | server CPU µs/req |"
echo "|---|---|---:|---:|---:|---:|---:|"
for c in $conns; do
  for n in $names; do
    k="keep,$n,$c"
    echo "| keep-alive | $n | $c | $(median "${rps[$k]}") | $(median "${p50[$k]}") | $(median "${p99[$k]}") | $(median "${cpu[$k]}") |"
  done
done
for n in gh-tls nginx-tls; do
  k="close,$n,$handshake_conns"
  echo "| handshake per request | $n | $handshake_conns | $(median "${rps[$k]}") | $(median "${p50[$k]}") | $(median "${p99[$k]}") | $(median "${cpu[$k]}") |"
done
