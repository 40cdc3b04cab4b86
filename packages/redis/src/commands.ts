import { StorageUnavailableError } from "@wisp/core";
import { unavailable } from "./errors.js";
import { type RedisPort, type RedisReply, RedisReplyError } from "./port.js";
import type { LuaScript } from "./scripts.js";

/**
 * The port as the stores use it: every command raced against a deadline, and every failure
 * that means "Redis is not there" turned into `StorageUnavailableError` (503 + Retry-After).
 */
export interface Commands {
  /** One command, e.g. `["GET", key]`. */
  run(args: string[]): Promise<RedisReply>;
  /** One Lua script: EVALSHA, falling back to EVAL when Redis does not have it cached yet. */
  script(script: LuaScript, keys: string[], args: string[]): Promise<RedisReply>;
  /** Any other port call (SUBSCRIBE), with the same deadline and error mapping. */
  guard<T>(send: () => Promise<T>, what: string): Promise<T>;
}

/**
 * Error replies that mean "not now" rather than "wrong": a server loading its dataset, busy
 * with a script, or mid-failover. The request can succeed when retried, so they are 503s too.
 */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY)\b/;

/**
 * Wraps `port` with the per-command deadline and the error mapping.
 * @example
 * const commands = guardedCommands(port, 2000);
 * const raw = await commands.run(["GET", key]);
 */
export function guardedCommands(port: RedisPort, timeoutMs: number): Commands {
  const guard = async <T>(send: () => Promise<T>, what: string): Promise<T> => {
    try {
      return await withDeadline(send(), timeoutMs, () => unavailable(`Redis at ${port.target} did not answer ${what} within ${timeoutMs} ms`));
    } catch (error) {
      throw translate(error, what, port.target);
    }
  };
  const call = (args: string[], what: string) => guard(() => port.command(args), what);
  return {
    guard,
    run: (args) => call(args, args[0]),
    async script(script, keys, args) {
      const what = `the ${script.name} script`;
      const tail = [String(keys.length), ...keys, ...args];
      try {
        return await call(["EVALSHA", await script.sha(), ...tail], what);
      } catch (error) {
        // Scripts are cached per server and lost on restart or SCRIPT FLUSH: send the source once.
        if (!(error instanceof RedisReplyError && error.message.startsWith("NOSCRIPT"))) throw error;
        return call(["EVAL", script.source, ...tail], what);
      }
    },
  };
}

function translate(error: unknown, what: string, target: string): unknown {
  if (error instanceof StorageUnavailableError) return error;
  if (error instanceof RedisReplyError) {
    return TRANSIENT_REPLY.test(error.message) ? unavailable(`Redis at ${target} refused ${what} for now (${error.message})`, error) : error;
  }
  const reason = error instanceof Error ? error.message || error.name : String(error);
  return unavailable(`Redis at ${target} failed ${what} (${reason})`, error);
}

/**
 * Settles like `promise`, or rejects with `timedOut()` after `ms`. The command is not cancelled
 * (no client can take one back), but the caller stops waiting, so no request hangs.
 * @example
 * await withDeadline(client.connect(), 2000, () => new Error("no connection within 2000 ms"));
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
