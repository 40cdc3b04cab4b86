/**
 * The real thing: examples/next is built with `next build` and served with `next start` on
 * 127.0.0.1, then the official clients talk to both of its routes, `/mcp` (Node.js runtime) and
 * `/edge/mcp` (Edge runtime), which serve the same Wisp server module through createNextHandler:
 * - the v1 SDK (2025 era): initialize → tools/call with a real elicitation/create → resources/read → DELETE;
 * - the v2 client pinned to 2026-07-28: tools/call answered `input_required`, retried with the answer.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { legacyFlow, modernFlow } from "../../../test-kit/mcp.js";
import { type Spawned, freePort, spawnProcess, stop, waitForHttp } from "../../../test-kit/process.js";

const APP_DIR = fileURLToPath(new URL("../../../examples/next/", import.meta.url));
const NEXT_BIN = fileURLToPath(new URL("../../../node_modules/next/dist/bin/next", import.meta.url));
const BUILD_TIMEOUT = 300_000;
const READY_TIMEOUT = 30_000;

const nextEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_ENV: "production", // vitest sets "test", which Next rejects as non-standard
  NEXT_TELEMETRY_DISABLED: "1",
  WISP_REQUEST_STATE_SECRET: "a-test-secret-that-is-at-least-32-bytes!",
});

/** Runs `next build`, bounded; resolves with its duration in ms, rejects with its output on failure. */
function nextBuild(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, "build", "--webpack"], { cwd: APP_DIR, env: nextEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`next build took longer than ${BUILD_TIMEOUT} ms:\n${output}`));
    }, BUILD_TIMEOUT);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`next build failed (${code ?? signal}):\n${output}`));
    });
  });
}

let next: Spawned | undefined;
let base: string;

/** Starts `next start` and polls until it answers 2xx, bounded; fails early if the process exits. */
async function nextStart(): Promise<void> {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  next = spawnProcess(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: APP_DIR, env: nextEnv() });
  await waitForHttp(`${base}/`, next.child, { timeoutMs: READY_TIMEOUT, method: "GET", ok: true, intervalMs: 200, requestTimeoutMs: 2_000, output: next.output });
}

beforeAll(async () => {
  const ms = await nextBuild();
  console.info(`[next-app.test] next build took ${(ms / 1000).toFixed(1)} s`);
  await nextStart();
}, BUILD_TIMEOUT + READY_TIMEOUT + 10_000);

afterAll(async () => {
  if (next) await stop(next.child);
}, 15_000);

const ROUTES = [
  { path: "/mcp", runtime: "nodejs" },
  { path: "/edge/mcp", runtime: "edge" },
] as const;

describe.each(ROUTES)("examples/next under `next start`: $path ($runtime runtime)", ({ path, runtime }) => {
  it("2025 era: the v1 SDK initializes, answers an elicitation, reads a resource and DELETEs its session", async () => {
    await legacyFlow(`${base}${path}`, {
      serverInfo: { name: "next-example", version: "1.0.0" },
      deployed: `deploy: confirmed (legacy, ${runtime})`,
      note: `Served by Next.js (${runtime}).`,
    });
  });

  it("2026 era: the v2 client completes tools/call through an input_required round", async () => {
    await modernFlow(`${base}${path}`, { rolledBack: `rollback: confirmed (modern, ${runtime})` });
  });
});

describe("examples/next: the OAuth protected-resource metadata route", () => {
  it("reaches the Wisp server (which, with no auth hook configured, answers its own 404 JSON-RPC error)", async () => {
    for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect((await response.json()).error.message).toMatch(/no protected-resource metadata/);
    }
  });
});

describe("next start", () => {
  it("logged no errors while serving both routes", () => {
    expect(next?.output() ?? "").not.toMatch(/\b(Error|TypeError|ReferenceError)\b/);
  });
});
