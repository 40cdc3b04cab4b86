import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../test-kit/process.js";
import { RedisConnectError } from "./errors.js";
import { ioredisPort } from "./ioredis.js";
import { redisStorage } from "./redis-storage.js";
import { bindings } from "./test-support/backends.js";

const TIMEOUT_MS = 600;
const SLACK_MS = 400;

const start = (binding: string, url: string) =>
  binding === "node-redis" ? redisStorage({ url, timeoutMs: TIMEOUT_MS }) : redisStorage({ port: ioredisPort({ url, timeoutMs: TIMEOUT_MS }), timeoutMs: TIMEOUT_MS });

/** How long `redisStorage()` took to reject, and with what. */
async function failedStart(binding: string, url: string): Promise<{ ms: number; error: Error }> {
  const started = performance.now();
  try {
    const storage = await start(binding, url);
    await storage.close?.();
  } catch (error) {
    return { ms: performance.now() - started, error: error as Error };
  }
  throw new Error(`redisStorage() started against ${url}`);
}

describe("redisStorage() when Redis is not there", () => {
  /** Accepts connections and never answers: a Redis that hangs, or a firewall that half-opens. */
  let silent: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Load the node-redis binding now: the time measured below is connecting, not module loading.
    await import("./node-redis.js");
    silent = createServer((socket) => {
      // Read and drop what the client sends: a paused socket would never see the client hang up.
      socket.resume();
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  for (const binding of bindings) {
    it(`${binding}: nothing listening → rejects at once, naming the URL`, async () => {
      const url = `redis://127.0.0.1:${await freePort()}`;
      const { ms, error } = await failedStart(binding, url);
      console.info(`[${binding}] refused connection: redisStorage() rejected after ${ms.toFixed(1)} ms`);
      expect(error).toBeInstanceOf(RedisConnectError);
      expect(error.message).toContain(`Redis at ${url}`);
      expect(error.message).toContain("is unreachable");
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    });

    it(`${binding}: a server that never answers → rejects after about timeoutMs`, async () => {
      const { port } = silent.address() as { port: number };
      const url = `redis://127.0.0.1:${port}`;
      const { ms, error } = await failedStart(binding, url);
      console.info(`[${binding}] silent server: redisStorage() rejected after ${ms.toFixed(1)} ms (timeoutMs ${TIMEOUT_MS})`);
      expect(error).toBeInstanceOf(RedisConnectError);
      expect(error.message).toMatch(new RegExp(`^Redis at redis://127\\.0\\.0\\.1:${port}/? is unreachable: no connection within ${TIMEOUT_MS} ms`));
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      // The port was closed: nothing keeps talking to the silent server.
      await expect.poll(() => sockets.size, { timeout: 2_000 }).toBe(0);
    });

    it(`${binding}: the error never shows the password`, async () => {
      const url = `redis://:hunter2@127.0.0.1:${await freePort()}`;
      const { error } = await failedStart(binding, url);
      expect(error.message).not.toContain("hunter2");
      expect(error.message).toContain("***@127.0.0.1");
    });
  }

  it("refuses contradictory options before connecting", async () => {
    await expect(redisStorage({ url: "redis://127.0.0.1:1", port: ioredisPort() })).rejects.toThrow(TypeError);
    await expect(redisStorage({ prefix: "a{b}" })).rejects.toThrow(/prefix must not contain/);
    await expect(redisStorage({ timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
  });
});
