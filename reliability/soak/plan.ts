/**
 * What each phase runs at a given scale: the loads at scale 1 (100 000 sessions, 10 000
 * streams held a minute, one million calls), shrunk proportionally below it, with the timeouts
 * shrunk too so a small run does not spend its time waiting.
 */
import type { CallsOptions } from "./calls.js";
import type { SessionsOptions } from "./sessions.js";
import type { StreamsOptions } from "./streams.js";

export type Tolerance = { fraction: number; slackBytes: number };

export interface Plan {
  sessions: Omit<SessionsOptions, "log">;
  streams: Omit<StreamsOptions, "log">;
  calls: Omit<CallsOptions, "log">;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(value)));

/**
 * `tolerance`: memory must come back to start × (1 + fraction) + slackBytes. The 10 % at
 * full scale; smaller runs add 12 MB of slack, since RSS then moves by a few allocator pages
 * and semi-space resizes that are a large share of a ~100 MB process.
 */
export function plan(scale: number, tolerance?: Tolerance): Plan {
  if (!(scale > 0 && scale <= 10)) throw new RangeError(`--scale must be in (0, 10], got ${scale}`);
  tolerance ??= { fraction: 0.1, slackBytes: scale >= 1 ? 0 : 12 * 1024 * 1024 };
  // The default storage sweeps every 5 s; small runs sweep faster so they need not wait for it.
  const sweepIntervalMs = scale >= 0.1 ? 5_000 : 500;
  const holdMs = clamp(60_000 * scale, 3_000, 600_000);
  const keepAliveMs = clamp(holdMs / 12, 250, 5_000);
  // Freed memory reaches the OS over a few collections: RSS may take seconds more than the heap.
  const settleMs = scale >= 0.1 ? 30_000 : 4_000;
  return {
    sessions: {
      sessions: clamp(100_000 * scale, 10, 1_000_000),
      connections: 50,
      // Longer than creating them all takes, so the peak holds every session.
      sessionTimeoutMs: clamp(120_000 * scale, 1_500, 120_000),
      sweepIntervalMs,
      tolerance,
      settleMs,
    },
    streams: {
      streams: clamp(10_000 * scale, 2, 18_000), // each stream is a socket on both ends; ulimit -n is 20 000
      holdMs,
      keepAliveMs,
      // An open GET stream renews its session on each keep-alive: the timeout must outlast the gap.
      sessionTimeoutMs: Math.max(1_000, 3 * keepAliveMs),
      sweepIntervalMs,
      concurrency: 50,
      stallMs: 1_000,
      tolerance,
      settleMs,
    },
    calls: {
      calls: clamp(1_000_000 * scale, 100, 100_000_000),
      connections: 50,
      modernPerTen: 2,
      progressPerTen: 1,
      sampleEveryMs: clamp(10_000 * scale * 10, 1_000, 10_000),
      tolerance,
    },
  };
}
