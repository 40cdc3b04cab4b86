/**
 * @wisp/bun on real Bun (the `bun` binary from the npm package, a devDependency): every server
 * here is a Bun process started from Node, talked to over 127.0.0.1, and stopped by PID.
 * - serve.fixture.ts: path routing, remoteIp and assigns, the Host check, no idle cut of slow
 *   calls and quiet SSE streams, graceful stop on SIGTERM;
 * - examples/bun: `export default server` as is, and main.ts with serve(), under the official
 *   clients of both protocol eras.
 */
import { existsSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ACCEPT, modernHeaders, modernMeta, textOf } from "../../../test-kit/mcp.js";
import { type Running, freePort, root, spawnProcess, startProcess, stopAfterEach, useRunning, waitForHttp, withTimeout } from "../../../test-kit/process.js";
import { expectDefaultExportExample, expectGracefulStop, expectMainExample, itServesTheFixture, openSessionStream } from "../../../test-kit/runtimes.js";

const BUN = join(root, "node_modules/.bin/bun");
const META = modernMeta({}, "bun-adapter-test");

/** The bun binary, with the "wisp-source" condition, from the repository root. */
function bun(): string {
  if (!existsSync(BUN)) throw new Error(`${BUN} is missing: run npm ci (the bun package is a devDependency of @wisp/bun)`);
  return BUN;
}

/** Spawns `bun args…` and resolves with the first URL it prints (bounded). */
function startBun(args: string[], env: Record<string, string> = {}, pattern = /listening on (http:\/\/\S+)/): Promise<Running> {
  return startProcess(bun(), ["--conditions=wisp-source", ...args], { env, pattern, timeoutMs: 20_000, what: `bun ${args.join(" ")}` });
}

/**
 * One request on its own keep-alive connection; resolves with the response's content type and
 * how long after the response the server closed the then idle connection.
 */
function idleCloseAfter(url: string, headers: Record<string, string>, body: string): Promise<{ type: string; ms: number }> {
  const { hostname, port, pathname } = new URL(url);
  const agent = new Agent({ keepAlive: true });
  return withTimeout(
    new Promise<{ type: string; ms: number }>((resolve, reject) => {
      const req = httpRequest({ hostname, port, path: pathname, method: "POST", agent, headers }, (res) => {
        res.resume();
        res.once("end", () => {
          const ended = Date.now();
          req.socket!.once("close", () => resolve({ type: res.headers["content-type"] ?? "", ms: Date.now() - ended }));
        });
      });
      req.once("error", reject);
      req.end(body);
    }),
    9_000,
    "the server to close an idle keep-alive connection",
  ).finally(() => agent.destroy());
}

// ---------- the adapter ----------

describe("@wisp/bun serve() on Bun", () => {
  // idleTimeout 1 s: Bun would cut an idle connection after ~1–4 s; MCP requests must outlive it.
  const server = useRunning(() => startBun(["adapters/bun/src/serve.fixture.ts"], { PORT: "0", IDLE_TIMEOUT: "1" }), 30_000);

  itServesTheFixture(server, "wisp-bun-test", META);

  it("a slow tool call and a quiet SSE stream outlive Bun's idle timeout, idle keep-alive connections don't; SIGTERM ends the stream cleanly and exits 0", async () => {
    const stream = await openSessionStream(server().url);

    // Responses that are complete give the idle timeout back: their keep-alive connections are closed.
    const json = idleCloseAfter(
      server().url,
      modernHeaders("tools/call", "whoami"),
      JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "whoami", arguments: {}, _meta: META } }),
    );
    const sse = idleCloseAfter(
      server().url,
      { ...stream.session, accept: ACCEPT, "content-type": "application/json" },
      JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "slow", arguments: { ms: 10 }, _meta: { progressToken: "p" } } }),
    );

    // 6 s without a byte on either connection, against idleTimeout: 1.
    expect(textOf((await stream.call(1, "slow", { ms: 6_000 })).result)).toBe("done after 6000 ms");
    expect(stream.state.error, "the GET stream was cut while idle").toBeUndefined();
    expect(stream.state.end, "the GET stream ended early").toBeUndefined();
    const closed = await Promise.all([json, sse]);
    expect(closed.map((c) => c.type)).toEqual([expect.stringMatching(/^application\/json/), expect.stringMatching(/^text\/event-stream/)]);
    for (const { ms } of closed) expect(ms).toBeLessThan(6_000);

    await expectGracefulStop(server(), stream);
  }, 30_000);
});

// ---------- examples/bun ----------

describe("examples/bun on Bun", () => {
  const stopped = stopAfterEach();

  it("`export default server` is served as is (server.fetch): the v1 SDK client calls a tool with elicitation", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    // Bun serves a default export with a fetch method itself, on $PORT.
    const { child } = stopped(spawnProcess(bun(), ["--conditions=wisp-source", "examples/bun/src/server.ts"], { env: { PORT: String(port) } }));
    await waitForHttp(url, child);
    await expectDefaultExportExample(url, "wisp-bun-example");
  }, 30_000);

  it("main.ts with serve(): the v2 client pinned to 2026-07-28 sees its own address, answers input_required, reads the resource; SIGTERM exits 0", async () => {
    const main = stopped(await startBun(["examples/bun/src/main.ts"], { PORT: "0" }, /MCP endpoint at (http:\/\/\S+)/));
    await expectMainExample(main, /^Bun\//);
  }, 30_000);
});
