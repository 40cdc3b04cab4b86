import { InFlightCalls } from "../server/in-flight.js";
import type { Registry } from "../server/registry.js";
import { RequestStateSealer, type ClaimOnce } from "./request-state.js";
import { TaskRecords } from "./tasks/records.js";

/** What this instance holds for the 2026-07-28 era; one per server. Nothing here is per client. */
export interface StatelessState {
  server: Registry;
  /** Graceful ends to run on shutdown (listen streams send their closing result). */
  endOnShutdown: Set<() => void>;
  /** Signs `requestState`; the key is made on first use. */
  readonly requestState: RequestStateSealer;
  /** Claims a `requestState` in shared storage, so a replayed retry is refused on any instance. */
  readonly claimRequestState: ClaimOnce;
  /** Task records, shared by every instance through the storage. */
  readonly tasks: TaskRecords;
  /** Calls being answered: overdue ones are given up on, shutdown waits for the rest. */
  readonly inFlight: InFlightCalls;
}

export function createStatelessState(server: Registry): StatelessState {
  let sealer: RequestStateSealer | undefined;
  let tasks: TaskRecords | undefined;
  const { options } = server;
  return {
    server,
    endOnShutdown: new Set(),
    inFlight: new InFlightCalls(options.callTimeout),
    get requestState() {
      return (sealer ??= new RequestStateSealer(options.requestStateSecret, options.requestStateTtl));
    },
    // A lease nobody renews is a mark that expires with the token; each attempt is a new owner.
    async claimRequestState(signature, ttlMs) {
      const key = `requestState:${signature}`;
      const owner = Math.random().toString(36).slice(2);
      if (!(await server.storage.leases.acquire(key, owner, ttlMs))) return undefined;
      return () => server.storage.leases.release(key, owner);
    },
    get tasks() {
      return (tasks ??= new TaskRecords(server.storage, options.tasks.ttlMs, options.tasks.pollIntervalMs));
    },
  };
}
