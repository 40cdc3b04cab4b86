/**
 * The fuzz loop for one target: fast-check generates plans from a seed, a limiter keeps a fixed
 * number of them in flight, every answer is judged, and each distinct violation is shrunk to a
 * minimal reproduction by replaying its run (fast-check `seed` + `path`) with the same oracle.
 */
import fc from "fast-check";
import { type PlanOutcome, runPlan } from "./exchange.js";
import { planArbitrary } from "./gen/plans.js";
import { Limiter } from "./limiter.js";
import type { Plan, Violation } from "./model.js";
import { SessionPool } from "./sessions.js";
import type { Target } from "./targets/http.js";

export interface FuzzOptions {
  /** Plans to generate (each is one request, or a short sequence of them). */
  runs: number;
  seed: number;
  concurrency: number;
  /** Distinct violations to shrink (each replays its run alone, up to `shrinkBudget` times). */
  shrinkLimit?: number;
  shrinkBudget?: number;
  /** Time allowed to shrink one violation (ms). */
  shrinkMs?: number;
}

export interface ViolationGroup {
  key: string;
  count: number;
  /** The first one seen, as generated. */
  first: Violation;
  /** The same violation after shrinking, when it reproduced on its own. */
  minimal?: Violation;
  /** Whether shrinking was tried (only the first few distinct violations are shrunk). */
  shrinkTried?: boolean;
  run: number;
}

export interface TargetReport {
  target: Target["name"];
  seed: number;
  plans: number;
  requests: number;
  setupRequests: number;
  ms: number;
  statuses: Map<string, number>;
  /** How often each oracle rule was the one an answer satisfied: what the traffic exercised. */
  rules: Map<string, number>;
  violations: ViolationGroup[];
  setupFailures: string[];
}

/** Shrinking replays plans one at a time; a few seconds per distinct violation is plenty. */
const SHRINK_MS_PER_VIOLATION = 8_000;

/** Groups by rule and the start of the detail, so one defect hit a thousand times is one entry. */
const keyOf = (violation: Violation) => `${violation.target} | ${violation.rule} | ${violation.detail.replace(/"[^"]*"|\d+/g, "…").slice(0, 70)}`;

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

function count(statuses: Map<string, number>, rules: Map<string, number>, outcome: PlanOutcome): void {
  for (const { response, matched } of outcome.steps) {
    bump(statuses, response.failure ? `no answer (${response.failure.split(" ")[0]})` : `${response.status}${response.sse ? " sse" : ""}`);
    if (matched) bump(rules, matched);
  }
}

export async function fuzzTarget(target: Target, options: FuzzOptions): Promise<TargetReport> {
  const sessions = new SessionPool(target);
  const limiter = new Limiter(options.concurrency);
  const statuses = new Map<string, number>();
  const rules = new Map<string, number>();
  const groups = new Map<string, ViolationGroup>();
  let requests = 0;
  let run = 0;
  const started = Date.now();

  const property = fc.asyncProperty(planArbitrary, async (plan: Plan) => {
    const index = run++;
    await limiter.admit(async () => {
      const outcome = await runPlan(plan, target, sessions);
      requests += outcome.steps.length;
      count(statuses, rules, outcome);
      for (const violation of outcome.violations) {
        const key = keyOf(violation);
        const group = groups.get(key);
        if (group) group.count++;
        else groups.set(key, { key, count: 1, first: violation, run: index });
      }
    });
    return true;
  });
  const checked = await fc.check(property, { seed: options.seed, numRuns: options.runs });
  await limiter.drain();
  // The property only fails if the harness itself broke (a generator or the oracle threw).
  if (checked.failed) throw new Error(`the fuzz harness failed at run ${run}: ${String(checked.errorInstance ?? "")}`);
  const ms = Date.now() - started;

  let shrunk = 0;
  for (const group of groups.values()) {
    if (shrunk++ >= (options.shrinkLimit ?? 8)) break;
    group.shrinkTried = true;
    group.minimal = await shrink(group, target, sessions, options);
  }
  return { target: target.name, seed: options.seed, plans: run, requests, setupRequests: sessions.setupRequests, ms, statuses, rules, violations: [...groups.values()], setupFailures: sessions.setupFailures };
}

/**
 * Replays the run that first showed `group` and lets fast-check shrink it while the same kind of
 * violation keeps appearing. Returns the smallest violating exchange seen, or undefined when the
 * violation needed the company of concurrent requests to appear.
 */
async function shrink(group: ViolationGroup, target: Target, sessions: SessionPool, options: FuzzOptions): Promise<Violation | undefined> {
  let attempts = 0;
  let smallest: Violation | undefined;
  const budget = options.shrinkBudget ?? 150;
  const deadline = Date.now() + (options.shrinkMs ?? SHRINK_MS_PER_VIOLATION);
  const property = fc.asyncProperty(planArbitrary, async (plan: Plan) => {
    // Out of budget: every further candidate "passes", so fast-check stops at the smallest so far.
    if (attempts++ >= budget || Date.now() > deadline) return true;
    const outcome = await runPlan(plan, target, sessions);
    const same = outcome.violations.find((violation) => keyOf(violation) === group.key);
    if (same) smallest = same;
    return same === undefined;
  });
  await fc.check(property, { seed: options.seed, path: String(group.run), numRuns: group.run + 1 });
  return smallest;
}
