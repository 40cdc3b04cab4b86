import { ErrorReply, type RedisClientOptions, type RedisClientType, createClient } from "@redis/client";
import { withDeadline } from "./commands.js";
import { redactUrl } from "./errors.js";
import { type RedisPort, type RedisReply, RedisReplyError } from "./port.js";

/** A node-redis client, whatever modules, scripts or RESP version it was created with (hence the `any`s). */
export type NodeRedisClient = RedisClientType<any, any, any, any, any>;

export interface NodeRedisPortOptions {
  /** Where to connect when no `client` is given. Default `redis://localhost:6379`. */
  url?: string;
  /** A client of yours; the port uses it and never closes it. */
  client?: NodeRedisClient;
  /** The pub/sub connection; default `client.duplicate()` (closed by the port). */
  subscriber?: NodeRedisClient;
  /** Bounds connecting and closing (ms). Default 2000. */
  timeoutMs?: number;
}

/**
 * Options for a node-redis client that fails fast: no offline queue (a command while
 * disconnected rejects at once instead of waiting for a reconnect), reconnects with a backoff
 * capped at 1 s, and a bounded connect.
 * @example
 * const client = createClient(failFastNodeRedisOptions("redis://cache:6379"));
 */
export function failFastNodeRedisOptions(url: string, timeoutMs = 2000): RedisClientOptions {
  return {
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
    },
  };
}

/**
 * The node-redis binding of the port: commands on `client`, pub/sub on a second connection.
 * `redisStorage({ url })` and `redisStorage({ client })` build one for you.
 * @example
 * const storage = await redisStorage({ port: nodeRedisPort({ url: "redis://cache:6379" }) });
 */
export function nodeRedisPort(options: NodeRedisPortOptions = {}): RedisPort {
  const timeoutMs = options.timeoutMs ?? 2000;
  const url = options.url ?? "redis://localhost:6379";
  const owned: NodeRedisClient[] = [];
  const own = (made: NodeRedisClient) => {
    // node-redis emits 'error' on every dropped connection, and an unheard 'error' would crash
    // the process; failures reach callers as rejected commands instead.
    made.on("error", () => {});
    owned.push(made);
    return made;
  };
  const client = options.client ?? own(createClient(failFastNodeRedisOptions(url, timeoutMs)) as NodeRedisClient);
  const subscriber = options.subscriber ?? own(client.duplicate());
  const listeners = new Map<string, (message: string) => void>();
  const resubscribed = new Set<() => void>();

  return {
    target: options.client ? describe(client) : redactUrl(url),
    async open() {
      await Promise.all([ready(client, owned.includes(client)), ready(subscriber, owned.includes(subscriber))]);
      // node-redis resubscribes while reconnecting and only then emits 'ready', so every later
      // 'ready' means "back, with every channel live again".
      subscriber.on("ready", () => {
        for (const listener of resubscribed) listener();
      });
    },
    async command(args) {
      try {
        return (await client.sendCommand(args)) as RedisReply;
      } catch (error) {
        if (error instanceof ErrorReply) throw new RedisReplyError(error.message);
        throw error;
      }
    },
    async subscribe(channel, onMessage) {
      const listener = (message: string) => onMessage(message);
      listeners.set(channel, listener);
      await subscriber.subscribe(channel, listener);
    },
    async unsubscribe(channel) {
      const listener = listeners.get(channel);
      listeners.delete(channel);
      // With our listener only, so listeners of the caller's own on a shared subscriber stay.
      if (listener) await subscriber.unsubscribe(channel, listener);
    },
    onResubscribed(listener) {
      resubscribed.add(listener);
    },
    async close() {
      resubscribed.clear();
      await Promise.all(owned.map((made) => shut(made, timeoutMs)));
    },
  };
}

/**
 * Resolves once `client` is ready. A client this port created gives up at its first connection
 * error (startup fails fast, with the reason); a client of the caller's is waited for.
 */
function ready(client: NodeRedisClient, owned: boolean): Promise<void> {
  if (client.isReady) return Promise.resolve();
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
    if (!client.isOpen) client.connect().catch((error: unknown) => done(error ?? new Error("connection failed")));
  });
}

/** QUIT politely when connected (pending replies still arrive), at once when not. */
async function shut(client: NodeRedisClient, timeoutMs: number): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady) return client.destroy();
  await withDeadline(client.close(), timeoutMs, () => new Error("close timed out")).catch(() => client.destroy());
}

/** host:port of a client we were given, for error messages (its URL may hold a password). */
function describe(client: NodeRedisClient): string {
  const socket = (client.options?.socket ?? {}) as { host?: string; port?: number; path?: string };
  if (socket.path) return socket.path;
  if (socket.host || socket.port) return `${socket.host ?? "localhost"}:${socket.port ?? 6379}`;
  return client.options?.url ? redactUrl(client.options.url) : "the given node-redis client";
}
