// In-process cost of the core per call, without HTTP: exchange -> server.http.process -> body
// taken. For before/after figures of a core change on a machine too noisy for `npm run bench`:
//   taskset -c 0 node --conditions=wisp-source --import tsx bench/core-cost.mts   (CASE="2025 sse", N=…)
import * as v from "valibot";
import { EventStream, createServer } from "@wisp/core";
const server = createServer({ name: "b", version: "1" }).tool("echo", { description: "Echo", input: v.object({ text: v.string() }) }, ({ text }, ctx) => { ctx.progress(1, 1); return text; });
const http = server.http;
class Ex { method = "POST"; url = "http://127.0.0.1:3000/mcp"; constructor(private h: Record<string, string>, private body: string) {}
  header(n: string) { return this.h[n] ?? null; } *headers() { yield* Object.entries(this.h); } text() { return Promise.resolve(this.body); } }
const H = { host: "127.0.0.1:3000", "content-type": "application/json", accept: "application/json, text/event-stream" };
const init = await http.process(new Ex(H, JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } })), {});
const sid = init.headers["mcp-session-id"];
const h25 = { ...H, "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
const h26 = { ...H, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "echo" };
const meta26 = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
const cases: Record<string, [Record<string, string>, string]> = {
  "2025 json": [h25, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hi" } } })],
  "2026 json": [h26, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hi" }, _meta: meta26 } })],
  "2025 sse": [h25, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hi" }, _meta: { progressToken: "t" } } })],
  "2025 init": [H, JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } })],
  "2026 sse": [h26, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "hi" }, _meta: { ...meta26, progressToken: "t" } } })],
};
const only = process.env.CASE;
// Streams are taken the way the Node adapter takes them (EventStream.pipe), or read as a web stream with STREAM=web.
async function drain(body: any) {
  if (typeof body === "string" || body === null) return body;
  if (body instanceof EventStream && process.env.STREAM !== "web") {
    return new Promise<number>((resolve) => { let n = 0; body.pipe({ write: (c: string) => { n += c.length; }, buffered: 0, end: () => resolve(n), destroy: () => resolve(-1) }); });
  }
  const r = (body instanceof EventStream ? body.toReadableStream() : body).getReader(); let s = 0; for (;;) { const { done, value } = await r.read(); if (done) return s; s += value.length; }
}
for (const [name, [h, body]] of Object.entries(cases)) {
  if (only && name !== only) continue;
  const o = await http.process(new Ex(h, body), {}); const text = await drain(o.body);
  if (o.status !== 200) throw new Error(name + " " + o.status + " " + text);
  const N = Number(process.env.N ?? 20000); const res: number[] = [];
  for (let round = 0; round < 5; round++) { const t = performance.now(); for (let i = 0; i < N; i++) { const out = await http.process(new Ex(h, body), {}); await drain(out.body); } res.push((performance.now() - t) * 1000 / N); }
  res.sort((a, b) => a - b); console.log(name.padEnd(10), res[2].toFixed(2), "µs/call (median of 5)", typeof o.body === "string" ? "json" : "stream");
}
