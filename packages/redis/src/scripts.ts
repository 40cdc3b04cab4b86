/**
 * The Lua scripts, one per multi-step change that must be atomic against other instances.
 * Every key a script touches is passed in KEYS and shares one `{hash tag}`, so each script
 * is valid on Redis Cluster. Only Redis 7.0 / Valkey commands.
 */

export interface LuaScript {
  /** Names the script in error messages. */
  name: string;
  source: string;
  /** SHA-1 of the source, for EVALSHA. */
  sha(): Promise<string>;
}

/**
 * A script whose SHA-1 is computed once, on first use, with Web Crypto (no `node:crypto`).
 * @example
 * const ping = luaScript("ping", "return redis.call('PING')");
 * await commands.script(ping, [], []);
 */
export function luaScript(name: string, source: string): LuaScript {
  let sha: Promise<string> | undefined;
  return { name, source, sha: () => (sha ??= sha1Hex(source)) };
}

async function sha1Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * KEYS[1] record; ARGV: the JSON read, the JSON to write, TTL ms.
 * Returns 1 when written, 0 when another writer changed the record since it was read
 * (the caller reads again), -1 when the record is gone (an update never creates one).
 */
export const compareAndSet = luaScript(
  "compare-and-set",
  `local current = redis.call('GET', KEYS[1])
if not current then return -1 end
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`,
);

/**
 * KEYS: session, stream list, streams set; ARGV: max events, TTL ms, stream id, then one or more
 * event JSONs, appended in order in one round trip.
 * Does nothing for a session that is gone, so a late event cannot resurrect its streams.
 * The streams set keeps the longest TTL it was given: it must outlive every stream it lists.
 */
export const appendEvents = luaScript(
  "append-events",
  `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ttl = tonumber(ARGV[2])
redis.call('RPUSH', KEYS[2], unpack(ARGV, 4))
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[1]), -1)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('SADD', KEYS[3], ARGV[3])
if redis.call('PTTL', KEYS[3]) < ttl then redis.call('PEXPIRE', KEYS[3], ttl) end
return 1`,
);

/** KEYS: stream list, streams set; ARGV: stream id. */
export const deleteStream = luaScript(
  "delete-stream",
  `redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 1`,
);

/**
 * KEYS: streams set, then the stream lists to drop; ARGV: their stream ids.
 * Returns how many streams the set still lists: ones appended since the caller read it.
 */
export const deleteStreams = luaScript(
  "delete-streams",
  `for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
if #ARGV > 0 then redis.call('SREM', KEYS[1], unpack(ARGV)) end
return redis.call('SCARD', KEYS[1])`,
);

/** KEYS[1] lease; ARGV: owner, TTL ms. Takes a free lease or extends the owner's own. */
export const acquireLease = luaScript(
  "acquire-lease",
  `local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`,
);

/** KEYS[1] lease; ARGV: owner, TTL ms. Extends the lease only while the owner holds it. */
export const renewLease = luaScript(
  "renew-lease",
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`,
);

/** KEYS[1] lease; ARGV: owner. Frees the lease only when the owner holds it. */
export const releaseLease = luaScript(
  "release-lease",
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`,
);
