/** Small helpers the soak phases share: bounded concurrency, latency histograms, memory figures. */
import { createHistogram } from "node:perf_hooks";
import type { MemoryReport } from "./memory-channel.js";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Runs `task(0 … count-1)` with at most `concurrency` in flight; `task` handles its own errors. */
export async function runBounded(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Latencies in microseconds (a perf_hooks histogram: constant memory whatever the count). */
export function latencies() {
  const histogram = createHistogram();
  return {
    /** Records the time since `startedAt` (a performance.now() value). */
    since(startedAt: number) {
      histogram.record(Math.max(1, Math.round((performance.now() - startedAt) * 1000)));
    },
    get count() {
      return histogram.count;
    },
    /** Milliseconds at percentile `p` (0–100). */
    ms: (p: number) => (histogram.count ? histogram.percentile(p) / 1000 : NaN),
    maxMs: () => (histogram.count ? histogram.max / 1000 : NaN),
  };
}
export type Latencies = ReturnType<typeof latencies>;

/** Errors by message (first few kept), so one broken path shows as one line, not a million. */
export function errorTally() {
  const byMessage = new Map<string, number>();
  let total = 0;
  return {
    add(error: unknown) {
      total++;
      const message = error instanceof Error ? error.message : String(error);
      const key = message.slice(0, 160);
      if (byMessage.size < 20 || byMessage.has(key)) byMessage.set(key, (byMessage.get(key) ?? 0) + 1);
    },
    get total() {
      return total;
    },
    summary: () => [...byMessage].map(([message, count]) => `${count}× ${message}`).join("; "),
  };
}
export type ErrorTally = ReturnType<typeof errorTally>;

export const MB = 1024 * 1024;
export const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
export const ms = (value: number) => (value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(2)} ms`);

/** "heap 12.3 MB, RSS 80.1 MB (anonymous 40.2 MB)": the anonymous part is what the process allocated, the rest mapped files. */
export const memoryText = (m: MemoryReport) => `heap ${mb(m.heapUsed)}, RSS ${mb(m.rss)}${m.rssAnon >= 0 ? ` (anonymous ${mb(m.rssAnon)})` : ""}`;

/** Whether `after` came back to within `fraction` (plus `slackBytes`) of `start`. */
export const backWithin = (after: number, start: number, fraction: number, slackBytes = 0) => after <= start * (1 + fraction) + slackBytes;
