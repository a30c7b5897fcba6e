#!/usr/bin/env bash
# Scale-out benchmark: 1,000 subscribers in one broadcast room spread over N wsserver processes that share
# rooms through one Redis (and, with --cluster, a 3-primary Redis Cluster). See README.md.
set -euo pipefail

usage() {
  cat <<EOF
Usage: bench/ScaleOut/run.sh [--cluster] [--nodes "1 2 4"] [--subscribers 1000] [--rate 200] [--duration 5] [--warmup 2]
  --cluster      also run every N on a 3-primary Redis Cluster
  --nodes        wsserver process counts to run
  --rate         publishes per second; --duration: measured seconds; --warmup: seconds before measuring
Environment: WSSERVER="dotnet path/to/WsServer.Host.dll" (default: the repo's Release build).
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
command_line=$(printf '%q ' "$0" "$@")
command_line=${command_line% }
[[ -n ${WSSERVER:-} ]] && command_line="WSSERVER=\"$WSSERVER\" $command_line"
WSSERVER=${WSSERVER:-"dotnet $repo/src/WsServer.Host/bin/Release/net10.0/WsServer.Host.dll"}
PY=/usr/bin/python3  # Debian's, for python3-websockets
cluster=0 nodes="1 2 4" subscribers=1000 rate=200 duration=5 warmup=2
while (($#)); do
  case $1 in
    --cluster) cluster=1; shift ;;
    --nodes) nodes=$2; shift 2 ;;
    --subscribers) subscribers=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

die() { echo "run.sh: $*" >&2; exit 1; }
command -v redis-server >/dev/null || die "redis-server not found: install it (Debian/Ubuntu: sudo apt-get install redis-server)"
command -v redis-cli >/dev/null || die "redis-cli not found: install it (Debian/Ubuntu: sudo apt-get install redis-tools)"
command -v taskset >/dev/null || die "taskset not found: install it (Debian/Ubuntu: sudo apt-get install util-linux)"
[[ -x $PY ]] && $PY -c 'import websockets.client' 2>/dev/null \
  || die "$PY with the websockets package not found: install it (Debian/Ubuntu: sudo apt-get install python3 python3-websockets)"
(($(nproc) >= 2)) || die "needs 2 cores: servers and Redis on core 0, the load generator on core 1"
read -r -a ws_cmd <<<"$WSSERVER"
for arg in "${ws_cmd[@]}"; do
  [[ $arg == *.dll && ! -f $arg ]] && die "$arg not found: run 'dotnet build -c Release' in $repo first, or set WSSERVER"
done
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"  # 1,000 sockets in one process

tmp=$(mktemp -d)
pids=()  # every process started and not yet stopped

stop() {  # stop PIDs: SIGTERM, up to 5 s, then SIGKILL; forget them
  local p left
  kill -TERM "$@" 2>/dev/null || true
  for _ in $(seq 50); do
    left=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && left=1; done
    ((left)) || break
    sleep 0.1
  done
  kill -KILL "$@" 2>/dev/null || true
  wait "$@" 2>/dev/null || true
  forget "$@"
}
forget() {  # forget PIDs that have been waited for (their numbers may be reused)
  local keep=() q
  for q in "${pids[@]}"; do [[ " $* " == *" $q "* ]] || keep+=("$q"); done
  pids=("${keep[@]}")
}
cleanup() {
  local rc=$?
  ((${#pids[@]})) && stop "${pids[@]}"
  if ((rc)); then echo "run.sh: failed; logs kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() {  # wait_for SECONDS WHAT COMMAND...: poll until COMMAND succeeds
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    ((SECONDS < deadline)) || die "timed out waiting for $what"
    sleep 0.1
  done
}

free_ports() {  # free_ports K: K distinct free loopback ports
  $PY -c 'import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in ss))' "$1"
}

redis_pids=() redis_addrs=()
start_redis() {  # start_redis PORT [ARGS...]
  local port=$1
  shift
  taskset -c 0 redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no "$@" >"$tmp/redis-$port.log" 2>&1 &
  pids+=($!) redis_pids+=($!) redis_addrs+=("127.0.0.1:$port")
  wait_for 10 "redis-server on port $port" redis_up "$port"
}
redis_up() { [[ $(redis-cli -p "$1" ping 2>/dev/null) == PONG ]]; }

cluster_ok() {
  local a
  for a in "${redis_addrs[@]}"; do redis-cli -p "${a#*:}" cluster info 2>/dev/null | grep -q 'cluster_state:ok' || return 1; done
}

server_up() {  # server_up PID PORT: listening; fails loudly if the process is gone
  kill -0 "$1" 2>/dev/null || die "wsserver on port $2 exited: $(tail -5 "$tmp/ws-$2.log")"
  (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null
}

rows=() notes=()
run_setup() {  # run_setup none|single|cluster  (none: one process, no Redis: the same load on one node)
  local setup=$1 n i line load rc
  redis_pids=() redis_addrs=()
  if [[ $setup == none ]]; then
    :
  elif [[ $setup == single ]]; then
    start_redis "$(free_ports 1)"
  else
    local ports p
    read -r -a ports <<<"$(free_ports 6)"  # 3 client ports, 3 cluster bus ports
    for i in 0 1 2; do
      p=${ports[i]}
      start_redis "$p" --cluster-enabled yes --cluster-port "${ports[i + 3]}" --cluster-config-file "$tmp/nodes-$p.conf"
    done
    timeout 30 redis-cli --cluster create "${redis_addrs[@]}" --cluster-replicas 0 --cluster-yes >"$tmp/cluster-create.log" 2>&1 \
      || die "redis-cli --cluster create failed: $(tail -5 "$tmp/cluster-create.log")"
    wait_for 30 "cluster_state:ok" cluster_ok
  fi
  local redis scale_out=()
  redis=$(IFS=,; echo "${redis_addrs[*]}")
  [[ $setup == none ]] || scale_out=(--redis "$redis")

  local counts=$nodes
  [[ $setup == none ]] && counts=1
  for n in $counts; do
    local ports server_pids=() urls=() port
    read -r -a ports <<<"$(free_ports "$n")"
    for port in "${ports[@]}"; do
      taskset -c 0 "${ws_cmd[@]}" --port "$port" --address 127.0.0.1 --handler broadcast "${scale_out[@]}" \
        --workers 2000 --log-level Warning >"$tmp/ws-$port.log" 2>&1 &
      pids+=($!) server_pids+=($!) urls+=("ws://127.0.0.1:$port/")
    done
    for i in "${!ports[@]}"; do wait_for 60 "wsserver on port ${ports[i]}" server_up "${server_pids[i]}" "${ports[i]}"; done
    echo "run.sh: $setup Redis, $n wsserver process(es)" >&2
    # In the background, so that a signal to this script is handled at once (its trap runs during wait).
    timeout $((warmup + duration + 120)) taskset -c 1 "$PY" "$here/load.py" --setup "$setup" \
      --urls "$(IFS=,; echo "${urls[*]}")" --subscribers "$subscribers" --rate "$rate" --duration "$duration" \
      --warmup "$warmup" --server-pids "$(IFS=,; echo "${server_pids[*]}")" --server-core 0 \
      --redis-pids "$(IFS=,; echo "${redis_pids[*]}")" --redis-addrs "$redis" >"$tmp/load.out" &
    load=$!
    pids+=("$load")
    wait "$load" && rc=0 || rc=$?
    forget "$load"
    ((rc == 0)) || die "load.py failed for $setup, N=$n (exit $rc; server logs: $tmp/ws-*.log)"
    while IFS= read -r line; do
      if [[ $line == "|"* ]]; then rows+=("$line"); else notes+=("$line"); fi
    done <"$tmp/load.out"
    stop "${server_pids[@]}"
  done
  ((${#redis_pids[@]} == 0)) || stop "${redis_pids[@]}"
}

run_setup none
run_setup single
((cluster)) && run_setup cluster

echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "Command: $command_line"
echo "$subscribers subscribers, $rate publishes/s for $duration s after $warmup s warm-up; wsserver and Redis on core 0, load generator on core 1"
echo
echo "| setup | nodes | deliveries/s | p50 ms | p99 ms | lost | redis CPU ms per 1k deliveries | wsserver CPU ms per 1k deliveries | Redis bytes per delivery | load generator CPU (core 1) | core 0 busy |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
((${#notes[@]} == 0)) || { echo; printf -- '- %s\n' "${notes[@]#note: }"; }
