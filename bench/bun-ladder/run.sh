#!/bin/bash
# The Bun ladder (servers.ts): alternates the given rungs for ROUNDS rounds (default 3), each
# SECS seconds (default 5) of wrk after a 2 s warm-up; prints req/s and the server's CPU µs per
# request (from /proc/<pid>/stat). Server on core 0, wrk on core 1; each server is ended by PID.
#   bench/bun-ladder/run.sh floor headers process handle bunhandler serve
set -euo pipefail
cd "$(dirname "$0")"
WRK=$(node -e "import('../lib/tools.mjs').then((m) => console.log(m.ensureWrk()))")
BUN=../../node_modules/.bin/bun
for round in $(seq "${ROUNDS:-3}"); do
  for rung in "$@"; do
    port=$((20000 + RANDOM % 5000))
    log=$(mktemp)
    V=$rung PORT=$port taskset -c 0 "$BUN" --conditions=wisp-source servers.ts > "$log" 2>&1 &
    pid=$!
    for _ in $(seq 50); do grep -q ready "$log" && break; sleep 0.1; done
    taskset -c 1 "$WRK" -t1 -c50 -d2s -s req.lua "http://127.0.0.1:$port/mcp" > /dev/null
    before=$(awk '{print $14 + $15}' /proc/$pid/stat)
    out=$(taskset -c 1 "$WRK" -t1 -c50 -d"${SECS:-5}"s -s req.lua "http://127.0.0.1:$port/mcp")
    after=$(awk '{print $14 + $15}' /proc/$pid/stat)
    requests=$(echo "$out" | grep -oP '\d+(?= requests in)')
    rps=$(echo "$out" | grep -oP 'Requests/sec:\s+\K[\d.]+')
    errors=$(echo "$out" | grep -c 'Non-2xx' || true)
    echo "$rung rps=$rps cpu_us=$(echo "scale=1; ($after - $before) * 10000 / $requests" | bc) non2xx_lines=$errors"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -f "$log"
  done
done
