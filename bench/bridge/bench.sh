#!/usr/bin/env bash
# Throughput bench of the node:http -> handler bridges.
#   NODE=/path/to/node ./bench.sh            (defaults: node on PATH, 3 runs x 10 s, 50 conns, 1 wrk thread)
# Every server runs in its own process pinned to core 0; wrk is pinned to core 1.
# All servers are started up front (idle ones cost nothing) and measured round-robin,
# so slow drift / background noise spreads over all variants instead of hitting one.
set -u
cd "$(dirname "$0")"
NODE=${NODE:-node}
# Serialise with other benchmarks/tests on this machine that use the same lock file
# (blocking wait, bounded). LOCK= (empty) disables.
LOCK=${LOCK-/tmp/wisp-bench.lock}
if [ -n "$LOCK" ]; then
  exec 9>"$LOCK"
  flock -w "${LOCK_WAIT_S:-1800}" 9 || { echo "could not get $LOCK" >&2; exit 1; }
fi
RUNS=${RUNS:-3}
DUR=${DUR:-10}
WARM=${WARM:-2}
CONNS=${CONNS:-50}
THREADS=${THREADS:-1}
BASE_PORT=${BASE_PORT:-38200}
ONLY=${ONLY:-}                  # optional regex on variant names
# The machine may be shared with other work; as root, raise our priority so the
# measured processes are not preempted by unrelated jobs (NICE=0 disables).
NICE=${NICE:--15}
[ "$(id -u)" = 0 ] || NICE=0
VER=$("$NODE" -v)
OUT=${OUT:-results/node-$VER/pass-$(date +%m%d-%H%M%S)}
mkdir -p "$OUT"
rm -f "$OUT"/*.txt

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done; }
trap cleanup EXIT INT TERM

NAMES=(); PORTS=()
i=0
while read -r name file mode; do
  [ -z "$name" ] && continue
  if [ -n "$ONLY" ] && ! [[ $name =~ $ONLY ]]; then continue; fi
  port=$((BASE_PORT + i)); i=$((i + 1))
  MODE=$mode SERVER_TTL_S=${SERVER_TTL_S:-3600} \
    nice -n "$NICE" taskset -c 0 "$NODE" "servers/$file" "$port" > "$OUT/server-$name.log" 2>&1 9>&- &
  PIDS+=($!); NAMES+=("$name"); PORTS+=("$port")
done < variants.txt

for idx in "${!NAMES[@]}"; do
  port=${PORTS[$idx]}
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done
echo "node $VER: ${#NAMES[@]} servers up (pids ${PIDS[*]})"

HZ=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }          # server utime+stime (all threads)
core0() { awk '$1=="cpu0"{print $2+$3+$4+$7+$8+$9}' /proc/stat; } # busy ticks on core 0 (anyone)
core1() { awk '$1=="cpu1"{print $2+$3+$4+$7+$8+$9}' /proc/stat; } # busy ticks on core 1 (anyone)

# Wait (bounded) until the machine is quiet: < QUIET_PCT% of both cores busy over 1 s.
QUIET_PCT=${QUIET_PCT:-12}
QUIET_MAX_S=${QUIET_MAX_S:-90}
wait_quiet() {
  local waited=0 a b busy
  while :; do
    a=$(awk '$1=="cpu"{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat); sleep 1
    b=$(awk '$1=="cpu"{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
    busy=$(echo "$a $b" | awk '{bu=$3-$1; id=$4-$2; print int(100*bu/(bu+id))}')
    if [ "$busy" -lt "$QUIET_PCT" ] || [ "$waited" -ge "$QUIET_MAX_S" ]; then echo "$busy"; return; fi
    waited=$((waited + 1))
  done
}

wrk_run() { # port seconds [extra]
  timeout $(( $2 + 15 )) nice -n "$NICE" taskset -c 1 wrk -t"$THREADS" -c"$CONNS" -d"$2"s ${3:-} -s post.lua "http://127.0.0.1:$1/mcp"
}

for idx in "${!NAMES[@]}"; do
  wrk_run "${PORTS[$idx]}" "$WARM" > "$OUT/${NAMES[$idx]}-warm.log"
done
echo "warm-up done"

for run in $(seq "$RUNS"); do
  for idx in "${!NAMES[@]}"; do
    name=${NAMES[$idx]}
    # record what else was eating CPU (for noise diagnosis)
    pre_busy=$(wait_quiet)
    ps -eo pcpu,pid,args --sort=-pcpu | head -6 > "$OUT/$name-run$run.ps"
    t0=$(ticks "${PIDS[$idx]}"); c0=$(core0); d0=$(core1)
    /usr/bin/time -f "wrk_cpu_s %U %S" -o "$OUT/$name-run$run.time" \
      timeout $(( DUR + 15 )) nice -n "$NICE" taskset -c 1 wrk -t"$THREADS" -c"$CONNS" -d"$DUR"s --latency -s post.lua \
      "http://127.0.0.1:${PORTS[$idx]}/mcp" > "$OUT/$name-run$run.txt"
    t1=$(ticks "${PIDS[$idx]}"); c1=$(core0); d1=$(core1)
    cat "$OUT/$name-run$run.time" >> "$OUT/$name-run$run.txt"; rm -f "$OUT/$name-run$run.time"
    echo "pre_busy_pct $pre_busy" >> "$OUT/$name-run$run.txt"
    echo "core1_busy_s $(( d1 - d0 )) $HZ" >> "$OUT/$name-run$run.txt"
    # server CPU seconds, and core-0 busy seconds spent by anything else (contention)
    echo "server_cpu_s $(( t1 - t0 )) $HZ" >> "$OUT/$name-run$run.txt"
    echo "core0_busy_s $(( c1 - c0 )) $HZ" >> "$OUT/$name-run$run.txt"
    printf '  run %s %-14s %s (machine busy before: %s%%)\n' "$run" "$name" "$(grep Requests/sec "$OUT/$name-run$run.txt")" "$pre_busy"
  done
done
cleanup; PIDS=()
"$NODE" summarize.mjs "$OUT"
