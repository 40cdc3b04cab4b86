/**
 * @wisp/redis: Wisp's storage on Redis 7.0+ or Valkey. The client bindings live on subpaths
 * (`@wisp/redis/node-redis`, `@wisp/redis/ioredis`), so a client library is loaded only when
 * used: `redisStorage({ url })` loads node-redis on demand.
 */
export { redisStorage } from "./redis-storage.js";
export type { RedisStorageOptions } from "./options.js";
export { type RedisPort, type RedisReply, RedisReplyError } from "./port.js";
export type { NodeRedisClient } from "./node-redis.js";
export { RedisConnectError, UpdateConflictError } from "./errors.js";
export { type KeyLayout, keyLayout } from "./keys.js";
