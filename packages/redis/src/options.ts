import type { NodeRedisClient } from "./node-redis.js";
import type { RedisPort } from "./port.js";

/**
 * How `redisStorage()` reaches Redis (one of `url`, `client`, `port`; default
 * `url: "redis://localhost:6379"`) and how it behaves.
 */
export interface RedisStorageOptions {
  /** A Redis URL (`redis://[:password@]host:port[/db]`, `rediss://` for TLS); node-redis clients are created and closed by the storage. */
  url?: string;
  /** A node-redis client of yours (the storage never closes it). Create it with `failFastNodeRedisOptions()` for the fastest 503s. */
  client?: NodeRedisClient;
  /** The pub/sub connection; default `client.duplicate()`, closed by the storage. */
  subscriber?: NodeRedisClient;
  /** Any other client behind the port, e.g. `ioredisPort()` from `@wisp/redis/ioredis`. */
  port?: RedisPort;
  /** Put before every key and channel, so apps can share one Redis. Default `"wisp"`; no braces. */
  prefix?: string;
  /** How long one command may take before the request fails with 503 (ms). Default 2000. Bounds startup too. */
  timeoutMs?: number;
  /** Events kept per SSE stream for resumption; older ones are dropped first. Default 1000. */
  maxEventsPerStream?: number;
  /** How long a channel stays subscribed in Redis after its last listener left (ms). Default 30 000. */
  unsubscribeDelayMs?: number;
}
