# The set-up bench/dynamodb.sh, scale-out.sh, proxy.sh and tls.sh share, sourced with the
# script's name for its log lines and its build directory:
#   source "$(dirname "$0")/common.sh" ddb-bench "${1:-build}"
# Sets repo, build, GH (the binary), work (a scratch directory removed at exit unless BENCH_KEEP
# is set), pids (started servers, killed at exit), seconds, repeats, conns (BENCH_SECONDS,
# BENCH_REPEATS, BENCH_CONNS), server_cpu, client_cpu and hz; defines log, die, free_port,
# cpu_ticks, median, wrk_run, start_dynamodb_gatehouse and start_dynalite; checks for the binary and wrk, and installs the
# integration tests' npm packages (dynalite) if missing.
bench_name=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$2
[[ $build = /* ]] || build="$repo/$build"
GH="$build/gatehouse"
seconds=${BENCH_SECONDS:-$bench_default_seconds}
repeats=${BENCH_REPEATS:-3}
conns=${BENCH_CONNS:-16 64}
server_cpu=0
client_cpu=1
work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-$bench_name-XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
log() { echo "[$bench_name] $*" >&2; }
die() { echo "[$bench_name] error: $*" >&2; exit 1; }

[ -x "$GH" ] || die "no gatehouse binary at $GH (make build)"
command -v wrk >/dev/null || die "wrk is not installed (scripts/install-deps.sh --bench)"
[ -d "$repo/tests/integration/node_modules/dynalite" ] \
  || (cd "$repo/tests/integration" && npm ci --no-audit --no-fund --loglevel=error) \
  || die "npm ci in tests/integration failed (dynalite)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A gatehouse serving only DynamoDB's API, on CPU 0 with one I/O thread, its store in
# $work/<name>-data (the work disk: fsync must be real). Sets ddb_port and ddb_pid.
start_dynamodb_gatehouse() {
  local name=$1
  ddb_port=$(free_port)
  cat >"$work/$name.yaml" <<YAML
api: {name: $name, listen: 127.0.0.1:0, io_threads: 1}
admin: {listen: "off"}
access_log: {path: "off"}
data_dir: $work/$name-data
dynamodb: {listen: 127.0.0.1:$ddb_port}
routes:
  - {path: /, method: GET, auth: none, integration: {type: mock}}
YAML
  taskset -c "$server_cpu" "$GH" serve -c "$work/$name.yaml" >"$work/$name.out" 2>&1 &
  pids+=($!)
  ddb_pid=$!
}

# dynalite (npm, LevelDB in $work/dynalite) on CPU 0. Sets dl_port and dl_pid.
start_dynalite() {
  dl_port=$(free_port)
  (cd "$repo/tests/integration" && exec taskset -c "$server_cpu" node -e "
    const dynalite = require('dynalite');
    dynalite({ createTableMs: 0, path: '$work/dynalite' }).listen($dl_port, '127.0.0.1');
  ") >"$work/dl.out" 2>&1 &
  pids+=($!)
  dl_pid=$!
}

# CPU time (clock ticks of utime + stime, `hz` a second) of the processes PID..., and the median
# of a space-separated list of numbers (the repeats of one cell).
hz=$(getconf CLK_TCK)
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# wrk_run SCRIPT URL CONNS SECONDS PID... -> "<req/s> <p50 µs> <p99 µs> <CPU µs per request>":
# wrk -t1 on client_cpu (or on the CPUs in wrk_cpus, when set) with the wrk script SCRIPT (ending in wrk_result_lua) against URL for
# SECONDS at CONNS connections, and the CPU the server's processes PID... spent meanwhile per
# completed request. Fails (die) on any non-2xx answer.
wrk_run() {
  local script=$1 url=$2 n=$3 d=$4 before after out requests rate l50 l99 errors
  shift 4
  before=$(cpu_ticks "$@")
  out=$(taskset -c "${wrk_cpus:-$client_cpu}" wrk -t1 -c"$n" -d"${d}s" -s "$script" "$url" | grep '^RESULT')
  after=$(cpu_ticks "$@")
  read -r _ requests rate l50 l99 errors <<<"$out"
  [ "$errors" = 0 ] || die "$url c=$n: $errors non-2xx answers"
  echo "$rate $l50 $l99 $(awk -v t=$((after - before)) -v hz="$hz" -v r="$requests" \
    'BEGIN { printf "%.2f", t / hz * 1e6 / r }')"
}

# The end of every wrk script: one line "RESULT <requests> <req/s> <p50 µs> <p99 µs> <non-2xx>".
wrk_result_lua='done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.1f %d %d %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.status))
end'
