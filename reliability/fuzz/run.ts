/**
 * npm run fuzz [-- --runs N] [-- --seed S] [-- --concurrency C]
 * Fuzzes the Node adapter over HTTP and server.handle() directly (100 000 plans each by default),
 * prints a summary, and exits non-zero on any violation.
 */
import { parseArgs } from "node:util";
import { runCampaign } from "./campaign.js";
import { formatCrashes, formatMemory, formatTarget } from "./report.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "100000" }, seed: { type: "string" }, concurrency: { type: "string", default: "16" } },
});
const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed) || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error("usage: npm run fuzz -- [--runs N] [--seed S] [--concurrency C]  (positive integers)");
  process.exit(2);
}

const started = Date.now();
// The fixture keeps the default 30 s session timeout; the memory store sweeps every 5 s.
const result = await runCampaign({ runs, seed, concurrency, log: (line) => console.log(line), settleMs: 37_000 });
console.log("");
for (const report of result.reports) console.log(formatTarget(report), "\n");
console.log(formatCrashes(result.crashes));
console.log(`after-check (normal 2025 and 2026 clients): ${result.afterCheckFailures.length === 0 ? "ok on both targets" : result.afterCheckFailures.join("; ")}`);
console.log(formatMemory(result.memory.before, result.memory.after));
if (result.memory.settled) console.log(`after the session timeout: ${formatMemory(result.memory.before, result.memory.settled)}`);
console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${seed}, violations ${result.violationCount}`);
console.log(`replay: npm run fuzz -- --runs ${runs} --seed ${seed}`);
process.exit(result.violationCount === 0 ? 0 : 1);
