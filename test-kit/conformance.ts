/**
 * The official MCP conformance suite (through scripts/conformance.mjs) against a fixture
 * process: start the fixture, run a requirement set, and insist on a clean result.
 */
import { join } from "node:path";
import { expect } from "vitest";
import { type ConformanceResult, runConformance } from "../scripts/conformance.mjs";
import { type Running, root, startProcess, useRunning } from "./process.js";

/** The suite version the requirement sets are pinned to. */
export const SUITE = "0.2.0-alpha.12";

/** Runs one requirement set (strict, quiet) against `url`. */
export function runRequirements(url: string, requirements: "2025-11-25" | "2026-07-28"): Promise<ConformanceResult> {
  return runConformance({ url, version: SUITE, args: ["--requirements", requirements], quiet: true });
}

/** Runs every scenario (active and pending) of the older 0.1.16 suite against `url`. */
export function runEveryScenario(url: string): Promise<ConformanceResult> {
  return runConformance({ url, version: "0.1.16", args: ["--suite", "all"], quiet: true });
}

/** Every failure and warning, one line each ("" when there are none). */
export const describeProblems = (result: ConformanceResult) =>
  [...result.failures, ...result.warnings].map((row) => `[${row.scenario}] ${row.id} ${row.status}: ${row.message}`).join("\n");

/** No failures, no warnings, exit 0; each of `mustHaveRun` ran with a success; at least `atLeast` scenarios ran. */
export function expectClean(result: ConformanceResult, mustHaveRun: string[], atLeast: number) {
  expect(describeProblems(result)).toBe("");
  expect(result.code).toBe(0);
  for (const scenario of mustHaveRun) {
    expect(result.scenarios[scenario], `scenario ${scenario} did not run`).toBeDefined();
    expect(result.scenarios[scenario].SUCCESS).toBeGreaterThan(0);
  }
  expect(Object.keys(result.scenarios).length).toBeGreaterThanOrEqual(atLeast);
}

/**
 * Starts `tsx --conditions=wisp-source <entry>` (relative to the root) on port 0, with `env`
 * added, before the file's tests, its stderr shown, and stops it after them.
 */
export function useTsxFixture(entry: string, timeoutMs: number, what: string, env: Record<string, string> = {}): () => Running {
  const tsx = join(root, "node_modules/.bin/tsx");
  return useRunning(() => startProcess(tsx, ["--conditions=wisp-source", join(root, entry)], { env: { PORT: "0", ...env }, stderr: "inherit", timeoutMs, what }), 60_000);
}
