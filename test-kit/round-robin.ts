/**
 * The round-robin proxy of examples/fleet (a load balancer with no sticky sessions: request n goes
 * to upstream n mod N), with a log of where each request went, for tests.
 */
import { startRoundRobinProxy } from "../examples/fleet/src/proxy.js";

export interface RoundRobin {
  url: string;
  /** Which upstream each request went to, in order (its index in `upstreams`). */
  log: { method: string; upstream: number }[];
  close(): Promise<void>;
}

/** Starts the proxy in front of `upstreams` (base URLs such as `http://127.0.0.1:4001`). */
export async function startRoundRobin(upstreams: string[]): Promise<RoundRobin> {
  const log: RoundRobin["log"] = [];
  const proxy = await startRoundRobinProxy(
    upstreams.map((url, index) => ({ name: String(index), url })),
    { onRoute: (route) => log.push(route) },
  );
  return { url: proxy.url, log, close: () => proxy.close() };
}
