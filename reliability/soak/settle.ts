/**
 * Memory after a load is gone: sampled (after GC) from `notBefore` until heap and RSS are both
 * back within tolerance of the start, or `maxWaitMs` more has passed. Several samples, because
 * V8 hands freed pages back to the OS a few collections after the objects died, not at once.
 */
import type { MemoryReport } from "./memory-channel.js";
import type { SoakServer } from "./process.js";
import { backWithin, sleep } from "./util.js";

export interface Settled {
  after: MemoryReport;
  heapBack: boolean;
  rssBack: boolean;
  /** From `notBefore` to the sample reported. */
  waitedMs: number;
}

export async function settle(
  server: SoakServer,
  start: MemoryReport,
  tolerance: { fraction: number; slackBytes: number },
  { notBefore, maxWaitMs, everyMs = 2_000 }: { notBefore: number; maxWaitMs: number; everyMs?: number },
): Promise<Settled> {
  await sleep(notBefore - Date.now());
  const from = Date.now();
  for (;;) {
    const after = await server.memory();
    const heapBack = backWithin(after.heapUsed, start.heapUsed, tolerance.fraction, tolerance.slackBytes);
    const rssBack = backWithin(after.rss, start.rss, tolerance.fraction, tolerance.slackBytes);
    const waitedMs = Date.now() - from;
    if ((heapBack && rssBack) || waitedMs + everyMs > maxWaitMs) return { after, heapBack, rssBack, waitedMs };
    await sleep(everyMs);
  }
}
