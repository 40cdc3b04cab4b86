/**
 * Issue 12, faults (d): isolation under load, on Node. 200 2025-era sessions and 200 stateless
 * 2026-07-28 clients at once, all with the same JSON-RPC ids and the same progress token, call
 * `mark`: progress carrying the caller's tag, and (2025) a tool registered for that session only,
 * whose list_changed only that session's GET stream may hear. No client ever sees another's data.
 */
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProcess, startFaultServer } from "./proc.js";
import { type Json, type Opened, type Target, answerOf, exchange, getStream, legacySession, listen, open, rpc, textOf, toolCall } from "./wire.js";

const SESSIONS = 200;
const MODERN_CLIENTS = 200;
const LISTENERS = 10;
const TOKEN = "same-token-for-everyone";

describe("isolation under load (Node)", () => {
  let server: FaultProcess;
  const agent = new Agent({ keepAlive: true, maxSockets: 450 });
  beforeAll(async () => {
    server = await startFaultServer("node", { FAULT_SHUTDOWN_MS: "500" });
  }, 40_000);
  afterAll(async () => {
    agent.destroy();
    await server?.stop();
  });

  it(`${SESSIONS} 2025 sessions and ${MODERN_CLIENTS} 2026 clients at once: progress, results, per-session tools and list_changed reach only their own client`, async () => {
    const { url } = server;
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => void (ok || problems.push(what));

    /** A mark call's messages: progress only with our tag, then our result. */
    const checkMark = (who: string, exchanged: Awaited<ReturnType<typeof exchange>>, tag: string, sessionId: string | null) => {
      const progress = exchanged.messages.filter((m) => m.method === "notifications/progress");
      check(progress.length === 2, `${who}: ${progress.length} progress notifications`);
      for (const p of progress) check(p.params.progressToken === TOKEN && String(p.params.message).startsWith(`${tag}:`), `${who}: foreign progress ${JSON.stringify(p)}`);
      const others = exchanged.messages.filter((m) => m.method !== undefined && m.method !== "notifications/progress");
      check(others.length === 0, `${who}: unexpected messages ${JSON.stringify(others)}`);
      const answer = answerOf(exchanged);
      check(answer !== undefined && JSON.stringify(JSON.parse(textOf(answer.result))) === JSON.stringify({ tag, sessionId }), `${who}: answer ${JSON.stringify(answer)}`);
    };

    // 2025 sessions, each with its GET stream open; 2026 listeners for tools/list_changed.
    const sessions: { tag: string; target: Target; stream: Opened }[] = await Promise.all(
      Array.from({ length: SESSIONS }, async (_, i) => {
        const target: Target = { url, era: "2025", sessionId: await legacySession(url, agent, `iso-${i}`) };
        const stream = open(url, getStream(target), { agent: false, timeoutMs: 60_000 });
        expect((await stream.response).statusCode).toBe(200);
        return { tag: `s${i}`, target, stream };
      }),
    );
    const listeners = await Promise.all(
      Array.from({ length: LISTENERS }, async (_, i) => {
        const stream = open(url, listen(url, `listen-${i}`), { agent: false, timeoutMs: 60_000 });
        expect(await stream.message((m) => m.method === "notifications/subscriptions/acknowledged", 5_000)).toBeDefined();
        return stream;
      }),
    );

    // Everyone at once: two mark calls each (2025: each registers a tool for its session).
    const legacyRuns = sessions.map(async ({ tag, target }) => {
      for (const n of [1, 2]) {
        const done = await exchange(url, toolCall(target, n, "mark", { tag, register: `own_${tag}_${n}` }, TOKEN), { agent, timeoutMs: 30_000 });
        checkMark(`${tag} call ${n}`, done, tag, target.sessionId!);
      }
    });
    const modern: Target = { url, era: "2026" };
    const modernRuns = Array.from({ length: MODERN_CLIENTS }, async (_, i) => {
      const tag = `m${i}`;
      for (const n of [1, 2]) checkMark(`${tag} call ${n}`, await exchange(url, toolCall(modern, 1, "mark", { tag }, TOKEN), { agent, timeoutMs: 30_000 }), tag, null);
    });
    await Promise.all([...legacyRuns, ...modernRuns]);

    // Each session lists and runs its own tools only; another session's tool is unknown to it.
    await Promise.all(
      sessions.map(async ({ tag, target }, i) => {
        const listed = answerOf(await exchange(url, rpc(target, 3, "tools/list"), { agent }));
        const own = (listed?.result?.tools as Json[] | undefined)?.map((t) => t.name as string).filter((name) => name.startsWith("own_"));
        check(JSON.stringify(own?.sort()) === JSON.stringify([`own_${tag}_1`, `own_${tag}_2`]), `${tag}: tools/list shows ${JSON.stringify(own)}`);
        const ran = answerOf(await exchange(url, toolCall(target, 4, `own_${tag}_1`), { agent }));
        check(ran?.result !== undefined && textOf(ran.result) === JSON.stringify({ data: { tag }, sessionId: target.sessionId }), `${tag}: own tool answered ${JSON.stringify(ran)}`);
        const foreign = `own_s${(i + 1) % SESSIONS}_1`;
        const refused = answerOf(await exchange(url, toolCall(target, 5, foreign), { agent }));
        check(refused?.error?.code === -32602, `${tag}: ${foreign} answered ${JSON.stringify(refused)}`);
      }),
    );
    const modernList = answerOf(await exchange(url, rpc(modern, 6, "tools/list"), { agent }));
    check(!(modernList?.result?.tools as Json[]).some((t) => String(t.name).startsWith("own_")), "a 2026 tools/list shows per-session tools");

    // Each GET stream heard exactly its own two list_changed; 2026 listeners heard none.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const { tag, stream } of sessions) {
      stream.cut();
      const done = await stream.done;
      const methods = done.messages.map((m) => m.method);
      check(JSON.stringify(methods) === JSON.stringify(["notifications/tools/list_changed", "notifications/tools/list_changed"]), `${tag}: GET stream carried ${JSON.stringify(methods)}`);
    }
    for (const [i, stream] of listeners.entries()) {
      stream.cut();
      const heard = (await stream.done).messages.filter((m) => m.method !== "notifications/subscriptions/acknowledged");
      check(heard.length === 0, `listener ${i} heard ${JSON.stringify(heard)}`);
    }
    expect(problems.slice(0, 20), `${problems.length} problems`).toEqual([]);
  }, 60_000);
});
