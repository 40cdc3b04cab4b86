#!/usr/bin/env bash
# Start each variant once, send one tools/call, print the response, stop it by PID.
set -u
cd "$(dirname "$0")"
NODE=${NODE:-node}
PORT=${PORT:-38181}
BODY='{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"hello","arguments":{"name":"world"}}}'
while read -r name file mode; do
  [ -z "$name" ] && continue
  MODE=$mode SERVER_TTL_S=20 "$NODE" "servers/$file" "$PORT" > /tmp/smoke-$name.log 2>&1 &
  pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
  out=$(curl -s -i -X POST "http://127.0.0.1:$PORT/mcp" -H 'content-type: application/json' \
        -H 'accept: application/json, text/event-stream' --data "$BODY" | tr -d '\r')
  printf '%-14s %s | %s | %s\n' "$name" "$(echo "$out" | head -1)" \
    "$(echo "$out" | grep -i -E '^(content-type|content-length|transfer-encoding):' | tr '\n' ' ')" "$(echo "$out" | tail -1)"
  kill "$pid"; wait "$pid" 2>/dev/null
done < variants.txt
