import { StorageUnavailableError } from "@wisp/core";

/**
 * `redisStorage()` could not start: Redis is unreachable, or older than 7.0. Thrown once, before
 * any request, so a wrong URL or a dead Redis fails the deployment at boot, not every request.
 * @example
 * try { await redisStorage({ url }); } catch (error) { if (error instanceof RedisConnectError) console.error(error.message); }
 */
export class RedisConnectError extends Error {
  override name = "RedisConnectError";
  constructor(
    /** The Redis address, without credentials. */
    readonly target: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A compare-and-swap update lost to other writers on every attempt. A `StorageUnavailableError`
 * (503 + Retry-After) because it is transient: the same request succeeds once contention drops.
 * @example
 * catch (error) { if (error instanceof UpdateConflictError) metrics.increment("storage.contention"); }
 */
export class UpdateConflictError extends StorageUnavailableError {
  override name = "UpdateConflictError";
}

/**
 * A `StorageUnavailableError` (the core answers 503 + Retry-After) that keeps what caused it.
 * `cause` is set after construction because StorageUnavailableError takes no options bag.
 * @example
 * throw unavailable(`Redis at ${target} failed GET (socket closed)`, error);
 */
export function unavailable(message: string, cause?: unknown): StorageUnavailableError {
  const error = new StorageUnavailableError(message);
  if (cause !== undefined) error.cause = cause;
  return error;
}

/**
 * The URL as it may appear in logs and error messages: any password replaced with `***`.
 * @example
 * redactUrl("redis://:hunter2@cache:6379") // "redis://:***@cache:6379"
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    // Not a URL we can parse: say nothing that might be a secret.
    return "<unparseable Redis URL>";
  }
}
