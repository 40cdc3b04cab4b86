/**
 * The conformance fixture with the 2024-11-05 HTTP+SSE transport on (`legacySse`), on Redis
 * (REDIS_URL) so several processes act as one server: the scale-out test of that transport
 * starts it. PORT (default 0: any free port) on 127.0.0.1 at /mcp; prints its URL once ready.
 */
import { serve } from "@wisp/node";
import { redisStorage } from "@wisp/redis";
import { createConformanceServer } from "./fixture.js";

const url = process.env.REDIS_URL;
if (!url) throw new Error("REDIS_URL is required: this fixture exists to run several processes on one Redis");
const server = createConformanceServer({
  legacySse: true,
  storage: await redisStorage({ url }),
  sse: { keepAlive: Number(process.env.WISP_KEEPALIVE_MS ?? 15_000) },
});
const running = await serve(server, { port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1", path: "/mcp" });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  running.close().then(() => process.exit(0), () => process.exit(1));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
console.log(`Wisp legacy-SSE fixture (Node ${process.versions.node}) listening on ${running.url}`);
