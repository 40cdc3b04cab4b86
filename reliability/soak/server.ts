/**
 * The soak server: a small Wisp server on @wisp/node, run as its own process so the driver
 * measures the server alone. Started with `--expose-gc`, so the memory side channel can collect
 * garbage before it reports (otherwise heap figures measure the GC's schedule, not retention).
 *
 *   node --expose-gc --conditions=wisp-source --import tsx reliability/soak/server.ts \
 *     [--session-timeout ms] [--keep-alive ms] [--sweep-interval ms]
 *
 * Prints "listening on <MCP URL>" and "memory on <side-channel URL>"; SIGTERM closes it.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createServer, memoryStorage } from "@wisp/core";
import { serve } from "@wisp/node";
import * as v from "valibot";
import { serveMemory } from "./memory-channel.js";

const { values } = parseArgs({
  options: {
    "session-timeout": { type: "string", default: "30000" },
    "keep-alive": { type: "string", default: "15000" },
    "sweep-interval": { type: "string", default: "5000" },
  },
});
const ms = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`--${name} must be a positive number of ms, got ${values[name]}`);
  return value;
};

const input = v.object({ text: v.string() });
const server = createServer({
  name: "wisp-soak",
  version: "1.0.0",
  // The default storage; only its sweep interval is set, so small-scale runs need not wait 5 s for it.
  storage: memoryStorage({ sweepInterval: ms("sweep-interval") }),
  sessionTimeout: ms("session-timeout"),
  sse: { keepAlive: ms("keep-alive") },
  // A fixed secret: without one the server warns on stderr (noise in the driver's output).
  requestStateSecret: randomBytes(32),
})
  .tool("echo", { description: "Answers its text", input }, ({ text }) => text)
  // With a progressToken the answer becomes an SSE stream: the notification, then the result.
  .tool("progress", { description: "Sends one progress notification, then answers its text", input }, ({ text }, ctx) => {
    ctx.progress(1, 2);
    return text;
  });

const running = await serve(server, { port: 0, hostname: "127.0.0.1", shutdownTimeout: 2_000 });
const memory = await serveMemory(running.node);
console.log(`memory on ${memory.url}`);
console.log(`listening on ${running.url}`);

let closing = false;
process.on("SIGTERM", () => {
  if (closing) return;
  closing = true;
  // Bounded: a stuck close must not keep the process (and its port) around.
  setTimeout(() => process.exit(1), 5_000).unref();
  void Promise.all([running.close(), memory.close()]).then(() => process.exit(0));
});
