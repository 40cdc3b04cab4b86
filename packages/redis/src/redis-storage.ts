import type { SessionRecord, Storage } from "@wisp/core";
import { redisBus } from "./bus.js";
import { guardedCommands } from "./commands.js";
import { redisEvents } from "./events.js";
import { keyLayout } from "./keys.js";
import { redisLeases } from "./leases.js";
import type { RedisStorageOptions } from "./options.js";
import type { RedisPort } from "./port.js";
import { jsonRecords } from "./records.js";
import { closeQuietly, openPort } from "./startup.js";

/**
 * Wisp's storage on Redis 7.0+ or Valkey: sessions, SSE events, tasks, leases and the bus shared
 * by every instance on the same Redis, so instances behind a round-robin load balancer act as
 * one server. Resolves once Redis answered a PING; rejects with `RedisConnectError` (naming the
 * URL) within about `timeoutMs` when it cannot. Later, a command Redis does not answer within
 * `timeoutMs`, or any command while disconnected, rejects with `StorageUnavailableError`,
 * which the core turns into 503 + Retry-After.
 * @example
 * import { createServer } from "@wisp/core";
 * import { redisStorage } from "@wisp/redis";
 * const storage = await redisStorage({ url: process.env.REDIS_URL });
 * const server = createServer({ name: "notes", version: "1.0.0", storage });
 */
export async function redisStorage(options: RedisStorageOptions = {}): Promise<Storage> {
  const { timeoutMs, maxEvents, unsubscribeDelayMs } = checkedNumbers(options);
  const keys = keyLayout(options.prefix ?? "wisp");
  const port = options.port ?? (await nodeRedis(options, timeoutMs));
  await openPort(port, timeoutMs);

  const commands = guardedCommands(port, timeoutMs);
  const bus = redisBus(port, commands, keys, { unsubscribeDelayMs });
  const tasks = jsonRecords<Record<string, unknown>>(commands, keys.task, "task");
  let closing: Promise<void> | undefined;
  return {
    sessions: jsonRecords<SessionRecord>(commands, keys.session, "session"),
    events: redisEvents(commands, keys, maxEvents),
    bus,
    tasks: { ...tasks, delete: async (id) => void (await tasks.delete(id)) },
    leases: redisLeases(commands, keys),
    close: () => (closing ??= bus.close().then(() => closeQuietly(port, timeoutMs))),
  };
}

/** Loaded on demand, so a storage on another port never loads node-redis (nor its `node:net`). */
async function nodeRedis(options: RedisStorageOptions, timeoutMs: number): Promise<RedisPort> {
  if (options.url !== undefined && options.client !== undefined) throw new TypeError("redisStorage: give `url` or `client`, not both");
  if (options.subscriber !== undefined && options.client === undefined) throw new TypeError("redisStorage: `subscriber` goes with `client`");
  const { nodeRedisPort } = await import("./node-redis.js");
  return nodeRedisPort({ url: options.url, client: options.client, subscriber: options.subscriber, timeoutMs });
}

function checkedNumbers(options: RedisStorageOptions) {
  if (options.port !== undefined && (options.url ?? options.client ?? options.subscriber) !== undefined) {
    throw new TypeError("redisStorage: with `port`, leave out `url`, `client` and `subscriber` (the port has its own)");
  }
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxEvents = options.maxEventsPerStream ?? 1000;
  const unsubscribeDelayMs = options.unsubscribeDelayMs ?? 30_000;
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) throw new TypeError(`redisStorage: timeoutMs must be a positive number of ms (got ${timeoutMs})`);
  if (!(Number.isInteger(maxEvents) && maxEvents > 0)) throw new TypeError(`redisStorage: maxEventsPerStream must be a positive integer (got ${maxEvents})`);
  if (!(unsubscribeDelayMs >= 0 && Number.isFinite(unsubscribeDelayMs))) throw new TypeError(`redisStorage: unsubscribeDelayMs must be 0 or more ms (got ${unsubscribeDelayMs})`);
  return { timeoutMs, maxEvents, unsubscribeDelayMs };
}
