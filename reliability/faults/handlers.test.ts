/**
 * Issue 12, faults (b): handlers that fail. On Node, Bun and Deno, in both eras: a tool that
 * throws, never returns (callTimeout 500 ms), returns what JSON cannot encode, or blocks the event
 * loop for 300 ms. The client gets the right JSON-RPC answer, another client is held up by at most
 * the blocked time, and the server serves normally afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProcess, RUNTIMES, startFaultServer } from "./proc.js";
import { type Era, type Json, type Target, callTool, now, target, textOf } from "./wire.js";

const CALL_TIMEOUT_MS = 500;
const BLOCK_MS = 300;
const ERAS: Era[] = ["2025", "2026"];

describe.each(RUNTIMES)("handlers that fail, on %s", (runtime) => {
  let server: FaultProcess;
  const targets = {} as Record<Era, Target>;
  beforeAll(async () => {
    server = await startFaultServer(runtime, { FAULT_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS), FAULT_SHUTDOWN_MS: "200" });
    for (const era of ERAS) targets[era] = await target(server.url, era, false);
  }, 40_000);
  afterAll(async () => {
    await server?.stop();
  });

  const call = (era: Era, name: string, args: Json) => callTool(targets[era], name, args, { agent: false, timeoutMs: 10_000 });

  it.each(ERAS)("%s: a thrown Error → isError result with its message; McpError → that error; a thrown non-Error → -32603 Internal error", async (era) => {
    const error = await call(era, "throws", { kind: "error" });
    expect(error.result).toMatchObject({ content: [{ type: "text", text: "boom" }], isError: true });
    const mcp = await call(era, "throws", { kind: "mcp" });
    expect(mcp.error).toEqual({ code: -32042, message: "custom failure", data: { detail: 1 } });
    const value = await call(era, "throws", { kind: "value" });
    expect(value.error).toEqual({ code: -32603, message: "Internal error" });
  });

  it.each(ERAS)(`%s: a handler that never returns is answered -32001 after callTimeout (${CALL_TIMEOUT_MS} ms) and its ctx.signal aborts`, async (era) => {
    const tag = `never-${era}-${Math.random().toString(36).slice(2)}`;
    const sent = now();
    const answer = await call(era, "never", { tag });
    const answeredAfter = now() - sent;
    expect(answer.error?.code, JSON.stringify(answer)).toBe(-32001);
    expect(answer.error.message).toMatch(/^Request timed out: .*500 ms \(the server's callTimeout\)$/);
    // The sweep runs every min(1 s, callTimeout): the answer comes between 1× and 2× the timeout.
    expect(answeredAfter).toBeGreaterThanOrEqual(CALL_TIMEOUT_MS - 5);
    expect(answeredAfter).toBeLessThan(2 * CALL_TIMEOUT_MS + 300);
    const aborted = await server.events.wait("aborted", tag, 1_000);
    expect(aborted, "the handler's ctx.signal never fired").toBeDefined();
    expect(aborted!.reason).toMatch(/Request timed out/);
  });

  it.each(ERAS)("%s: a result JSON cannot encode (a cycle, a BigInt) → -32603 at once", async (era) => {
    for (const kind of ["cycle", "bigint"]) {
      const sent = now();
      const answer = await call(era, "circular", { kind });
      expect(answer.error, kind).toEqual({ code: -32603, message: "Internal error" });
      expect(now() - sent, kind).toBeLessThan(1_000);
    }
  });

  it.each(ERAS)(`%s: a handler blocking the event loop ${BLOCK_MS} ms holds another client's call up by at most that; then all is normal`, async (era) => {
    // The other client: the other era, so a different session (or none) and its own connection.
    const other: Era = era === "2025" ? "2026" : "2025";
    const blocked = call(era, "block", { ms: BLOCK_MS });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const sent = now();
    const quick = await call(other, "quick", {});
    const quickMs = now() - sent;
    expect(textOf(quick.result)).toBe("ok");
    expect(textOf((await blocked).result)).toBe(`blocked ${BLOCK_MS} ms`);
    expect(quickMs).toBeLessThan(BLOCK_MS + 150);
    // Afterwards: ordinary calls in both eras answer at once.
    for (const each of ERAS) {
      const started = now();
      expect(textOf((await call(each, "quick", {})).result)).toBe("ok");
      expect(now() - started).toBeLessThan(100);
    }
  });

  it("after all of that, SIGTERM stops the process cleanly (exit 0)", async () => {
    const ended = await server.stop();
    expect(ended).toEqual({ code: 0, signal: null });
    expect(server.output()).toMatch(/stopped in \d+ ms/);
  });
});
