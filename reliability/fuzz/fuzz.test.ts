/**
 * The fuzzer, bounded: 1 500 plans per target with a fixed seed and with a fresh one, each
 * expected to find no violation, after which a normal client of each era must still be served.
 * `npm run fuzz` runs the same campaign at 100 000 plans per target.
 */
import { describe, expect, it } from "vitest";
import { runCampaign } from "./campaign.js";
import { formatCrashes, formatTarget } from "./report.js";

const RUNS = 1_500;
const FIXED_SEED = 20_260_728;

async function campaign(seed: number): Promise<void> {
  const result = await runCampaign({ runs: RUNS, seed, shrinkLimit: 2, shrinkMs: 2_000 });
  const summary = [
    `seed ${seed} (replay: npm run fuzz -- --runs ${RUNS} --seed ${seed})`,
    ...result.reports.map((report) => formatTarget(report, { rules: false })),
    formatCrashes(result.crashes),
    ...result.afterCheckFailures,
  ].join("\n");
  for (const report of result.reports) expect(report.requests, summary).toBeGreaterThanOrEqual(RUNS);
  expect(result.afterCheckFailures, summary).toEqual([]);
  expect(result.violationCount, summary).toBe(0);
}

describe("fuzz (bounded)", () => {
  it(`finds no violation in ${RUNS} plans per target (fixed seed ${FIXED_SEED})`, () => campaign(FIXED_SEED), 60_000);

  const randomSeed = Math.floor(Math.random() * 2 ** 31);
  it(`finds no violation in ${RUNS} plans per target (random seed ${randomSeed})`, () => campaign(randomSeed), 60_000);
});
