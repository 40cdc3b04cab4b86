/**
 * Warm-up before a memory baseline: every request path the phase uses runs a few hundred times
 * (so lazily loaded code and JIT output are in the baseline, not counted as retention), and the
 * sessions it opened are deleted again, so the baseline holds none.
 */
import type { Agent } from "node:http";
import { type Endpoint, MODERN_CALL_HEADERS, deleteSession, expectEcho, legacyCall, modernCall, openSession, post, sessionHeaders } from "./http.js";
import { runBounded } from "./util.js";

export async function warmUp(to: Endpoint, agent: Agent, sessions = 100): Promise<void> {
  await runBounded(sessions, 10, async (i) => {
    const sessionId = await openSession(to, agent);
    expectEcho(await post(to, agent, sessionHeaders(sessionId), legacyCall(1, "echo", "warm")), "warm");
    expectEcho(await post(to, agent, sessionHeaders(sessionId), legacyCall(2, "progress", "warm")), "warm", true);
    expectEcho(await post(to, agent, MODERN_CALL_HEADERS, modernCall(i, "warm")), "warm");
    const gone = await deleteSession(to, agent, sessionId);
    if (gone.status !== 200) throw new Error(`warm-up DELETE answered ${gone.status}`);
  });
}
