#!/usr/bin/env bash
# Run micro.mjs pinned to core 0 (raised priority when root), after waiting (bounded) for a quiet machine.
#   NODE=/path/to/node ./micro.sh
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
NICE=${NICE:--15}; [ "$(id -u)" = 0 ] || NICE=0
for _ in $(seq 60); do
  a=$(awk '$1=="cpu"{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat); sleep 1
  b=$(awk '$1=="cpu"{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
  busy=$(echo "$a $b" | awk '{bu=$3-$1; id=$4-$2; print int(100*bu/(bu+id))}')
  [ "$busy" -lt 10 ] && break
done
mkdir -p results
out="results/micro-node-$("$NODE" -v).md"
timeout 300 nice -n "$NICE" taskset -c 0 "$NODE" micro.mjs "$@" | tee "$out"
