/**
 * Two versions of @wisp/core side by side in one process: the same tools/call through
 * `server.handle()`, alternating rounds (A B, B A, …) so drift and GC hit both alike; prints the
 * median µs per request of each and their ratio. For a quick before/after of a core change
 * (e.g. `git worktree add /tmp/before HEAD~1 && npm ci --prefix /tmp/before`):
 *   taskset -c 0 node --conditions=wisp-source --import tsx bench/ab-core.mts /tmp/before/packages/core .
 * ERAS=2025,2026 (default both), ROUNDS=30 (default 12). Not a substitute for `npm run bench`:
 * no HTTP, no peers; it tells whether a change made the core itself slower.
 */
import { resolve } from "node:path";
import * as v from "valibot";
const [dirA, dirB = "packages/core"] = process.argv.slice(2);
if (!dirA) throw new Error("usage: bench/ab-core.mts <core dir A (before)> [core dir B (after), default packages/core]");
const before = await import(resolve(dirA, "src/index.ts"));
const after = await import(resolve(dirB, "src/index.ts"));
const URL_ = "http://127.0.0.1:3000/mcp";
const H = { "content-type": "application/json", accept: "application/json, text/event-stream" };
async function setup(mod: any, era: "2025" | "2026") {
  const server = mod.createServer({ name: "b", version: "1" }).tool("echo", { description: "Echo", input: v.object({ text: v.string() }) }, ({ text }: any) => text);
  let headers: Record<string, string> = { ...H };
  let body: string;
  if (era === "2025") {
    const init = await server.handle(new Request(URL_, { method: "POST", headers: H, body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } }) }));
    headers = { ...H, "mcp-session-id": init.headers.get("mcp-session-id")!, "mcp-protocol-version": "2025-11-25" };
    body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hi" } } });
  } else {
    headers = { ...H, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "echo" };
    body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hi" }, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } });
  }
  return async (n: number) => {
    for (let i = 0; i < n; i++) {
      const r = await server.handle(new Request(URL_, { method: "POST", headers, body }));
      await r.text();
    }
  };
}
for (const era of (process.env.ERAS ?? "2025,2026").split(",") as ("2025" | "2026")[]) {
  const runs = { before: await setup(before, era), after: await setup(after, era) };
  await runs.before(3000); await runs.after(3000);
  const t: Record<string, number[]> = { before: [], after: [] };
  for (let round = 0; round < Number(process.env.ROUNDS ?? 12); round++) {
    for (const name of (round % 2 ? ["after", "before"] : ["before", "after"]) as const) {
      const start = performance.now();
      await runs[name](4000);
      t[name].push(((performance.now() - start) * 1000) / 4000);
    }
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log(`${era}: handle() µs/request, median of ${t.before.length} rounds × 4000 — A (before) ${med(t.before).toFixed(2)}, B (after) ${med(t.after).toFixed(2)}, B/A ${(med(t.after) / med(t.before)).toFixed(3)}`);
}
process.exit(0);
