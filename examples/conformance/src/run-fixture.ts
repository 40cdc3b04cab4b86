import type { ServerOptions } from "@wisp/core";
import { createConformanceServer } from "./fixture.js";

/**
 * Shared by every fixture process started with the same REDIS_URL, so an input round begun on
 * one instance can finish on another. A fixture-only default: real deployments set their own.
 */
const FIXTURE_STATE_SECRET = "wisp-conformance-fixture-request-state-secret-0001";

/**
 * The fixture's storage and tuning from the environment: REDIS_URL → Redis (several fixture
 * processes with the same REDIS_URL act as one server), memory otherwise. WISP_SESSION_TIMEOUT_MS,
 * WISP_KEEPALIVE_MS, WISP_POLL_AFTER_MS and WISP_TASK_TTL_MS shorten timings for tests. WISP_PRINCIPAL_HEADER names a
 * request header whose value becomes the caller's principal (tests of session binding; never do
 * this in production: a client could claim any principal). WISP_STATELESS_ONLY=1 serves the fixture
 * from `@wisp/core/stateless` (2026-07-28 only).
 */
async function optionsFromEnv(): Promise<Partial<ServerOptions>> {
  const env = process.env;
  const number = (name: string) => (env[name] === undefined ? undefined : Number(env[name]));
  const options: Partial<ServerOptions> = {
    sessionTimeout: number("WISP_SESSION_TIMEOUT_MS"),
    sse: { keepAlive: number("WISP_KEEPALIVE_MS"), pollAfter: number("WISP_POLL_AFTER_MS") },
    tasks: { ttlMs: number("WISP_TASK_TTL_MS") },
  };
  if (env.REDIS_URL) {
    const { redisStorage } = await import("@wisp/redis");
    options.storage = await redisStorage({ url: env.REDIS_URL });
    options.requestStateSecret = env.WISP_REQUEST_STATE_SECRET ?? FIXTURE_STATE_SECRET;
  }
  return options;
}

/**
 * Starts the conformance fixture with a runtime's serve(): PORT (default 3001) on 127.0.0.1 at
 * /mcp, stops cleanly on SIGINT/SIGTERM, and prints the URL last, once the handlers are in place
 * (the tests wait for that line).
 */
export async function runFixture(
  runtime: string,
  start: (server: ReturnType<typeof createConformanceServer>, options: { port: number; hostname: string; path: string }) => Promise<{ url: string; close: () => Promise<void> }>,
): Promise<void> {
  const server = createConformanceServer(await optionsFromEnv(), process.env.WISP_STATELESS_ONLY === "1");
  const principalHeader = process.env.WISP_PRINCIPAL_HEADER;
  if (principalHeader) {
    server.onRequest((request, host) => {
      const principal = request.header(principalHeader);
      if (principal) host.auth = { principal };
    });
  }
  const running = await start(server, { port: Number(process.env.PORT ?? 3001), hostname: "127.0.0.1", path: "/mcp" });
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, shutting down`);
    try {
      await running.close(); // the adapter closes the server, and so its storage
      process.exit(0);
    } catch (error) {
      console.error("Shutdown failed:", error);
      process.exit(1);
    }
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(`Wisp conformance fixture (${runtime}) listening on ${running.url}`);
}
