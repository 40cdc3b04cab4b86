/**
 * One fuzz campaign, shared by the CLI and the bounded test: start both targets, fuzz each in
 * turn with the same seed, check a normal client still works, and measure memory around it all.
 */
import { afterCheck } from "./after-check.js";
import { type TargetReport, fuzzTarget } from "./harness.js";
import { type MemoryFigures, measure } from "./memory.js";
import { type Crash, startTargets } from "./targets/start.js";

export interface CampaignOptions {
  /** Plans per target. */
  runs: number;
  seed: number;
  concurrency?: number;
  shrinkLimit?: number;
  shrinkMs?: number;
  /** Progress lines (the CLI prints them; the test stays quiet). */
  log?: (line: string) => void;
  /**
   * Wait this long after the after-check before measuring again, so idle sessions reach their
   * timeout (30 s by default) and are swept: the second figure is what stays for good.
   */
  settleMs?: number;
}

export interface CampaignResult {
  reports: TargetReport[];
  crashes: Crash[];
  afterCheckFailures: string[];
  memory: { before: MemoryFigures; after: MemoryFigures; settled?: MemoryFigures };
  /** Violations of all kinds: oracle findings, handler crashes, setup and after-check failures. */
  violationCount: number;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const concurrency = options.concurrency ?? 16;
  const targets = await startTargets(concurrency);
  const before = await measure();
  const reports: TargetReport[] = [];
  let after: MemoryFigures = before;
  let settled: MemoryFigures | undefined;
  const afterCheckFailures: string[] = [];
  try {
    for (const target of [targets.http, targets.handle]) {
      options.log?.(`fuzzing ${target.name}: ${options.runs} plans, seed ${options.seed}, ${concurrency} in flight`);
      reports.push(await fuzzTarget(target, { runs: options.runs, seed: options.seed, concurrency, shrinkLimit: options.shrinkLimit, shrinkMs: options.shrinkMs }));
    }
    afterCheckFailures.push(...(await afterCheck("http", targets.url, targets.servers.http)));
    afterCheckFailures.push(...(await afterCheck("handle", targets.url, targets.servers.handle)));
    // Measured with both servers still up: what the traffic left behind, sessions not yet idle included.
    after = await measure();
    if (options.settleMs) {
      options.log?.(`waiting ${options.settleMs / 1000} s for idle sessions to time out`);
      await new Promise((resolve) => setTimeout(resolve, options.settleMs));
      settled = await measure();
    }
  } finally {
    await targets.close();
  }
  const found = reports.reduce((sum, report) => sum + report.violations.reduce((n, group) => n + group.count, 0) + report.setupFailures.length, 0);
  return { reports, crashes: targets.crashes, afterCheckFailures, memory: { before, after, settled }, violationCount: found + targets.crashes.length + afterCheckFailures.length };
}
