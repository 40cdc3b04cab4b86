/**
 * The only surface the storage code talks to. A binding (node-redis, ioredis, or your own)
 * maps it onto one client library, so the storage logic never imports a client or `node:*`.
 */

/** What Redis answers: a string, an integer, nil, or an array of those. */
export type RedisReply = string | number | null | RedisReply[];

/**
 * Redis answered the command with an error reply (`ERR …`, `NOSCRIPT …`, `WRONGTYPE …`).
 * Bindings throw it so the storage can tell "Redis said no" from "Redis is not there";
 * any other rejection from a port counts as Redis being unreachable.
 * @example
 * try { return await client.call(name, ...args); }
 * catch (error) { if (error instanceof ReplyError) throw new RedisReplyError(error.message); throw error; }
 */
export class RedisReplyError extends Error {
  override name = "RedisReplyError";
}

/**
 * A command connection plus one dedicated subscriber connection.
 * @example
 * const storage = await redisStorage({ port: myPort });
 */
export interface RedisPort {
  /** Where the port connects, for error messages; never with a password in it. */
  readonly target: string;
  /**
   * Connects what the port opened itself, and resolves once both connections are ready.
   * Rejects (soon, without retrying forever) when Redis cannot be reached.
   */
  open(): Promise<void>;
  /**
   * Sends one command on the command connection, e.g. `["GETEX", key, "PX", "30000"]`.
   * Rejects with `RedisReplyError` on an error reply; with anything else when the connection
   * is down. It must not queue commands while disconnected: the storage fails fast instead.
   */
  command(args: string[]): Promise<RedisReply>;
  /**
   * SUBSCRIBEs the subscriber connection to `channel` and resolves once Redis confirmed it.
   * The storage calls it at most once per channel until `unsubscribe`, and passes every
   * message's payload to `onMessage`.
   */
  subscribe(channel: string, onMessage: (payload: string) => void): Promise<void>;
  /** UNSUBSCRIBEs the subscriber connection from `channel`. */
  unsubscribe(channel: string): Promise<void>;
  /**
   * Calls `listener` each time the subscriber connection came back after a drop and every
   * channel it was subscribed to is live again (messages published meanwhile are lost).
   */
  onResubscribed(listener: () => void): void;
  /** Closes the connections the port opened; leaves clients it was given open. */
  close(): Promise<void>;
}
