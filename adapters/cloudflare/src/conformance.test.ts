import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConformanceResult, runConformance } from "../../../scripts/conformance.mjs";

// The official MCP conformance suite against the fixture on workerd, started the way
// `npm run fixture:workerd` starts it: two isolates of the fixture Worker behind a round-robin
// router, one Durable Object namespace. One real process for every run below.
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
let fixture: ChildProcess;
let url: string;

beforeAll(async () => {
  fixture = spawn(join(root, "node_modules/.bin/tsx"), ["--conditions=wisp-source", join(root, "examples/conformance/src/main-workerd.ts")], {
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the workerd fixture did not start within 45 s")), 45_000);
    fixture.once("exit", (code) => reject(new Error(`the workerd fixture exited early with code ${code}`)));
    fixture.stdout!.on("data", (chunk: Buffer) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
}, 60_000);

afterAll(async () => {
  if (!fixture || fixture.exitCode !== null) return;
  const exited = new Promise((resolve) => fixture.once("exit", resolve));
  fixture.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  if (fixture.exitCode === null) fixture.kill("SIGKILL");
});

const describeProblems = (result: ConformanceResult) =>
  [...result.failures, ...result.warnings].map((row) => `[${row.scenario}] ${row.id} ${row.status}: ${row.message}`).join("\n");

function expectClean(result: ConformanceResult, mustHaveRun: string[]) {
  expect(describeProblems(result)).toBe("");
  expect(result.code).toBe(0);
  for (const scenario of mustHaveRun) {
    expect(result.scenarios[scenario], `scenario ${scenario} did not run`).toBeDefined();
    expect(result.scenarios[scenario].SUCCESS).toBeGreaterThan(0);
  }
}

describe("official conformance suite on workerd", () => {
  it("0.2.0-alpha.12 --requirements 2025-11-25: no failures, no warnings (pending scenarios included)", async () => {
    const result = await runConformance({ url, version: "0.2.0-alpha.12", args: ["--requirements", "2025-11-25"], quiet: true });
    expectClean(result, ["server-initialize", "tools-call-elicitation", "tools-call-sampling", "server-sse-multiple-streams", "server-sse-polling", "resources-subscribe", "server-session-lifecycle"]);
    expect(Object.keys(result.scenarios).length).toBeGreaterThanOrEqual(33);
  }, 300_000);

  it("0.2.0-alpha.12 --requirements 2026-07-28: no failures, no warnings (pending, tasks extension included)", async () => {
    const result = await runConformance({ url, version: "0.2.0-alpha.12", args: ["--requirements", "2026-07-28"], quiet: true });
    expectClean(result, [
      "server-stateless",
      "caching",
      "input-required-result-multi-round",
      "input-required-result-tampered-state",
      "http-header-validation",
      "http-custom-header-server-validation",
      "tasks-lifecycle",
      "tasks-mrtr-input",
      "tasks-mrtr-composition",
    ]);
    expect(Object.keys(result.scenarios).length).toBeGreaterThanOrEqual(50);
  }, 300_000);

  it("0.1.16, every scenario (active and pending): no failures, no warnings", async () => {
    const result = await runConformance({ url, version: "0.1.16", args: ["--suite", "all"], quiet: true });
    expectClean(result, ["server-initialize", "tools-call-sampling", "server-sse-polling"]);
    expect(Object.keys(result.scenarios).length).toBeGreaterThanOrEqual(32);
  }, 300_000);
});
