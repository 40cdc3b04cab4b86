import type { LeaseStore } from "@wisp/core";
import type { Commands } from "./commands.js";
import { type KeyLayout, px } from "./keys.js";
import { acquireLease, releaseLease, renewLease } from "./scripts.js";

/**
 * One lease per session: a string key holding the owner, with the lease's TTL as the key's.
 * Checks of "who holds it" and the change that follows run in one script, so two instances
 * never both believe they hold it.
 * @example
 * const leases = redisLeases(commands, keyLayout("wisp"));
 * if (await leases.acquire(sessionId, instanceId, 30_000)) openTheStream();
 */
export function redisLeases(commands: Commands, keys: KeyLayout): LeaseStore {
  return {
    async acquire(sessionId, owner, ttlMs) {
      return (await commands.script(acquireLease, [keys.lease(sessionId)], [owner, px(ttlMs)])) === 1;
    },
    async takeOver(sessionId, owner, ttlMs) {
      // SET … GET swaps and reports the previous value in one command (Redis ≥ 6.2).
      const previous = await commands.run(["SET", keys.lease(sessionId), owner, "PX", px(ttlMs), "GET"]);
      return typeof previous === "string" ? previous : undefined;
    },
    async renew(sessionId, owner, ttlMs) {
      return (await commands.script(renewLease, [keys.lease(sessionId)], [owner, px(ttlMs)])) === 1;
    },
    async release(sessionId, owner) {
      await commands.script(releaseLease, [keys.lease(sessionId)], [owner]);
    },
  };
}
