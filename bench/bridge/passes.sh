#!/usr/bin/env bash
# Several full passes, alternating Node versions, then pooled summaries.
#   PASSES=2 NODES="node /tmp/node22/node_modules/.bin/node" ./passes.sh
set -u
cd "$(dirname "$0")"
PASSES=${PASSES:-2}
NODES=${NODES:-node}
for p in $(seq "$PASSES"); do
  for n in $NODES; do NODE=$n ./bench.sh; done
done
for n in $NODES; do
  v=$("$n" -v); echo "== pooled node $v"; node summarize.mjs results/node-$v/pass-* | tee "results/summary-node-$v.md"
done
