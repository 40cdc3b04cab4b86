/**
 * The ioredis binding, on its own subpath (`@wisp/redis/ioredis`) so ioredis is loaded only by
 * those who use it.
 */
import { Redis, type RedisOptions, ReplyError } from "ioredis";
import { withDeadline } from "./commands.js";
import { redactUrl } from "./errors.js";
import { type RedisPort, type RedisReply, RedisReplyError } from "./port.js";

export interface IoredisPortOptions {
  /** Where to connect when no `client` is given. Default `redis://localhost:6379`. */
  url?: string;
  /** A client of yours; the port uses it and never closes it. */
  client?: Redis;
  /** The pub/sub connection; default `client.duplicate()` (closed by the port). */
  subscriber?: Redis;
  /** Bounds connecting and closing (ms). Default 2000. */
  timeoutMs?: number;
}

/**
 * Options for an ioredis client that fails fast: no offline queue, no retry of a command
 * whose connection dropped, reconnects with a backoff capped at 1 s, a bounded connect, and
 * `lazyConnect` so the port decides when (and how long) to wait for it.
 * @example
 * const client = new Redis("redis://cache:6379", failFastIoredisOptions());
 */
export function failFastIoredisOptions(timeoutMs = 2000): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: (times: number) => Math.min(50 * 2 ** times, 1000),
  };
}

/**
 * The ioredis binding of the port: commands on `client`, pub/sub on a second connection.
 * @example
 * import { redisStorage } from "@wisp/redis";
 * import { ioredisPort } from "@wisp/redis/ioredis";
 * const storage = await redisStorage({ port: ioredisPort({ url: "redis://cache:6379" }) });
 */
export function ioredisPort(options: IoredisPortOptions = {}): RedisPort {
  const timeoutMs = options.timeoutMs ?? 2000;
  const url = options.url ?? "redis://localhost:6379";
  const owned: Redis[] = [];
  const own = (made: Redis) => {
    // Heard, so ioredis does not print every dropped connection; callers see rejected commands.
    made.on("error", () => {});
    owned.push(made);
    return made;
  };
  const client = options.client ?? own(new Redis(url, failFastIoredisOptions(timeoutMs)));
  const subscriber = options.subscriber ?? own(client.duplicate());
  const handlers = new Map<string, (payload: string) => void>();
  const resubscribed = new Set<() => void>();

  const onMessage = (channel: string, payload: string) => handlers.get(channel)?.(payload);
  const onReady = async () => {
    // ioredis emits 'ready' before it resubscribes, so subscribe again ourselves (SUBSCRIBE is
    // idempotent) and report the channels live only once Redis confirmed them.
    const channels = [...handlers.keys()];
    try {
      if (channels.length > 0) await subscriber.subscribe(...channels);
    } catch {
      return; // Dropped again: the next 'ready' retries.
    }
    for (const listener of resubscribed) listener();
  };

  return {
    target: options.client ? describe(client) : redactUrl(url),
    async open() {
      await Promise.all([ready(client, owned.includes(client)), ready(subscriber, owned.includes(subscriber))]);
      subscriber.on("message", onMessage);
      subscriber.on("ready", onReady);
    },
    async command([name, ...args]) {
      try {
        return (await client.call(name, ...args)) as RedisReply;
      } catch (error) {
        if (error instanceof ReplyError) throw new RedisReplyError((error as Error).message);
        throw error;
      }
    },
    async subscribe(channel, deliver) {
      handlers.set(channel, deliver);
      await subscriber.subscribe(channel);
    },
    async unsubscribe(channel) {
      handlers.delete(channel);
      await subscriber.unsubscribe(channel);
    },
    onResubscribed(listener) {
      resubscribed.add(listener);
    },
    async close() {
      resubscribed.clear();
      subscriber.off("message", onMessage);
      subscriber.off("ready", onReady);
      await Promise.all(owned.map((made) => shut(made, timeoutMs)));
    },
  };
}

/**
 * Resolves once `client` is ready. A client this port created gives up at its first connection
 * error (startup fails fast, with the reason); a client of the caller's is waited for.
 */
function ready(client: Redis, owned: boolean): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (error?: unknown) => {
      client.off("ready", onReady);
      client.off("error", onError);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = () => done();
    const onError = (error: unknown) => (owned ? done(error ?? new Error("connection failed")) : undefined);
    client.on("ready", onReady);
    client.on("error", onError);
    if (client.status === "wait" || client.status === "end") client.connect().catch((error: unknown) => done(error ?? new Error("connection failed")));
  });
}

/** QUIT politely when connected, at once when not (QUIT would wait for a reconnect). */
async function shut(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === "end") return;
  if (client.status !== "ready") return client.disconnect();
  await withDeadline(client.quit(), timeoutMs, () => new Error("quit timed out")).catch(() => client.disconnect());
}

/** host:port of a client we were given, for error messages (its options may hold a password). */
function describe(client: Redis): string {
  const { host, port, path } = client.options;
  return path ?? `${host ?? "localhost"}:${port ?? 6379}`;
}
