import { InFlightCalls } from "../server/in-flight.js";
import type { Registry } from "../server/registry.js";
import type { ClaimOnce, RequestStateSealer, paramsDigest } from "./request-state.js";

/** What this instance holds for the 2026-07-28 era; one per server. Nothing here is per client. */
export interface StatelessState {
  server: Registry;
  /** Graceful ends to run on shutdown (listen streams send their closing result). */
  endOnShutdown: Set<() => void>;
  /** Set by close(): a listen stream whose code loaded after it is not opened. */
  closing: boolean;
  /**
   * Signs and opens `requestState`, and digests the params it is bound to. Loaded with import()
   * on the first input round: a server whose handlers never ask for input never carries it.
   */
  requestState(): Promise<{ sealer: RequestStateSealer; paramsDigest: typeof paramsDigest }>;
  /** Claims a `requestState` in shared storage, so a replayed retry is refused on any instance. */
  readonly claimRequestState: ClaimOnce;
  /** Calls being answered: overdue ones are given up on, shutdown waits for the rest. */
  readonly inFlight: InFlightCalls;
}

export function createStatelessState(server: Registry): StatelessState {
  let requestState: ReturnType<StatelessState["requestState"]> | undefined;
  const { options } = server;
  return {
    server,
    endOnShutdown: new Set(),
    closing: false,
    inFlight: new InFlightCalls(options.callTimeout),
    requestState() {
      return (requestState ??= import("./request-state.js").then(
        (module) => ({ sealer: new module.RequestStateSealer(options.requestStateSecret, options.requestStateTtl), paramsDigest: module.paramsDigest }),
        (error: unknown) => {
          requestState = undefined; // a failed load is tried again by the next input round
          throw error;
        },
      ));
    },
    // A lease nobody renews is a mark that expires with the token; each attempt is a new owner.
    async claimRequestState(signature, ttlMs) {
      const key = `requestState:${signature}`;
      const owner = Math.random().toString(36).slice(2);
      if (!(await server.storage.leases.acquire(key, owner, ttlMs))) return undefined;
      return () => server.storage.leases.release(key, owner);
    },
  };
}
