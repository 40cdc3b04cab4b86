import { withDeadline } from "./commands.js";
import { RedisConnectError } from "./errors.js";
import { type RedisPort, RedisReplyError } from "./port.js";

/** The oldest Redis this package is tested on; Valkey reports a compatible `redis_version` (7.2.x). */
const MIN_MAJOR = 7;

/**
 * Connects the port, PINGs, and checks the server version, each bounded by `timeoutMs`: a dead
 * or wrong Redis fails `redisStorage()` at boot with a message naming it, instead of every
 * request later. On failure the port is closed, so nothing keeps reconnecting in the background.
 * @example
 * await openPort(nodeRedisPort({ url }), 2000); // throws RedisConnectError when Redis is down
 */
export async function openPort(port: RedisPort, timeoutMs: number): Promise<void> {
  const within = (what: string) => () => new Error(`${what} within ${timeoutMs} ms`);
  try {
    await withDeadline(port.open(), timeoutMs, within("no connection"));
    await withDeadline(port.command(["PING"]), timeoutMs, within("no answer to PING"));
  } catch (error) {
    await closeQuietly(port, timeoutMs);
    const reason = error instanceof Error ? error.message || error.name : String(error);
    throw new RedisConnectError(port.target, `Redis at ${port.target} is unreachable: ${reason}`, { cause: error });
  }
  const version = await serverVersion(port, timeoutMs);
  if (version !== undefined && Number(version.split(".")[0]) < MIN_MAJOR) {
    await closeQuietly(port, timeoutMs);
    throw new RedisConnectError(port.target, `Redis at ${port.target} runs ${version}; @wisp/redis needs Redis ${MIN_MAJOR}.0 or later, or Valkey`);
  }
}

/** The `redis_version` INFO reports, or undefined when INFO is not allowed (ACLs often deny it). */
async function serverVersion(port: RedisPort, timeoutMs: number): Promise<string | undefined> {
  try {
    const info = await withDeadline(port.command(["INFO", "server"]), timeoutMs, () => new Error("no answer to INFO"));
    return /redis_version:(\d+(?:\.\d+)*)/.exec(String(info))?.[1];
  } catch (error) {
    if (error instanceof RedisReplyError) return undefined;
    await closeQuietly(port, timeoutMs);
    throw new RedisConnectError(port.target, `Redis at ${port.target} is unreachable: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Closes the port, waiting at most `timeoutMs`: a close must not hang on a dead server either.
 * @example
 * await closeQuietly(port, 2000);
 */
export async function closeQuietly(port: RedisPort, timeoutMs: number): Promise<void> {
  await withDeadline(port.close(), timeoutMs, () => new Error("close timed out")).catch(() => {});
}
