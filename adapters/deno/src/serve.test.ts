/**
 * @wisp/deno on real Deno (the `deno` binary from the npm package, a devDependency): every
 * server here is a Deno process started from Node, talked to over 127.0.0.1, and stopped by PID.
 * Deno resolves `@wisp/core` and `@wisp/deno` through the import map in the repository's
 * deno.json (JSR-style names, local sources) and npm packages from node_modules, offline.
 * - serve.fixture.ts: path routing, remoteIp and assigns, the Host check, shutdown through an
 *   AbortSignal that ends SSE streams cleanly;
 * - examples/deno: `deno serve` on `export default server`, and main.ts with serve(), under the
 *   official clients of both protocol eras;
 * - `deno check`: the adapter, the example and the fixture type-check against Deno's own types.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { modernMeta, textOf } from "../../../test-kit/mcp.js";
import { type Running, type Spawned, exitCodeOf, freePort, root, spawnProcess, stopAfterEach, useRunning, waitForHttp, waitForUrl } from "../../../test-kit/process.js";
import { expectDefaultExportExample, expectGracefulStop, expectMainExample, itServesTheFixture, openSessionStream } from "../../../test-kit/runtimes.js";

const DENO = join(root, "node_modules/.bin/deno");
const DENO_ENV = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
const PERMISSIONS = ["--cached-only", "--allow-net", "--allow-env", "--allow-read"];
const META = modernMeta({}, "deno-adapter-test");

function spawnDeno(args: string[], env: Record<string, string> = {}): Spawned {
  if (!existsSync(DENO)) throw new Error(`${DENO} is missing: run npm ci (the deno package is a devDependency of @wisp/deno)`);
  return spawnProcess(DENO, args, { env: { ...DENO_ENV, ...env } });
}

/** Spawns `deno run … script` and resolves with the first URL it prints (bounded). */
function startDeno(script: string, env: Record<string, string> = {}, pattern = /listening on (http:\/\/\S+)/): Promise<Running> {
  return waitForUrl(spawnDeno(["run", ...PERMISSIONS, script], env), { pattern, timeoutMs: 30_000, what: `deno run ${script}` });
}

// ---------- the adapter ----------

describe("@wisp/deno serve() on Deno", () => {
  const server = useRunning(() => startDeno("adapters/deno/src/serve.fixture.ts", { PORT: "0" }), 40_000);

  itServesTheFixture(server, "wisp-deno-test", META);

  it("aborting the signal (on SIGTERM) ends an open SSE stream cleanly, shuts down and exits 0", async () => {
    const stream = await openSessionStream(server().url);
    expect(textOf((await stream.call(1, "slow", { ms: 1_000 })).result)).toBe("done after 1000 ms");
    expect(stream.state.end, "the GET stream ended early").toBeUndefined();

    await expectGracefulStop(server(), stream);
  }, 20_000);
});

// ---------- examples/deno ----------

describe("examples/deno on Deno", () => {
  const stopped = stopAfterEach();

  it("`deno serve` on `export default server` (server.fetch as is): the v1 SDK client calls a tool with elicitation", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const { child } = stopped(spawnDeno(["serve", ...PERMISSIONS, "--host", "127.0.0.1", "--port", String(port), "examples/deno/src/server.ts"]));
    await waitForHttp(url, child, { timeoutMs: 30_000 });
    await expectDefaultExportExample(url, "wisp-deno-example");
  }, 40_000);

  it("main.ts with serve(): the v2 client pinned to 2026-07-28 sees its own address, answers input_required, reads the resource; SIGTERM exits 0", async () => {
    const main = stopped(await startDeno("examples/deno/src/main.ts", { PORT: "0" }, /MCP endpoint at (http:\/\/\S+)/));
    await expectMainExample(main, /^Deno\//);
  }, 40_000);
});

// ---------- types ----------

describe("deno check", () => {
  it("the adapter, the example and the conformance entry type-check against Deno's own types, offline", async () => {
    const { child, output } = spawnDeno(["check", "--cached-only", "adapters/deno/src/index.ts", "examples/deno/src/main.ts", "examples/deno/src/server.ts", "examples/conformance/src/main-deno.ts"]);
    const code = await exitCodeOf(child, 90_000, "deno check");
    expect(code, output()).toBe(0);
  }, 100_000);
});
