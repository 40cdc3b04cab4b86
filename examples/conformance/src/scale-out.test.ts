/**
 * Scale-out on Node: several conformance fixture processes on one Redis (REDIS_URL) behind a
 * plain round-robin proxy must act as ONE server. Real processes on 127.0.0.1: one
 * redis-server per fleet, 2–3 fixture processes (`node --import tsx src/main.ts`), the proxy.
 * A scenario that needs "on A" / "on B" talks to that instance directly (members[0], [1], [2]).
 *
 * Fleets (each started once for its describe, stopped after it):
 * - main: 3 instances, keep-alive 500 ms (GET lease TTL 1.5 s), principals from a test header;
 * - polling: 2 instances that close GET streams after 600 ms (WISP_POLL_AFTER_MS);
 * - timeouts: 2 instances with a 1.5 s session timeout.
 * Some scenarios use the tools of fixture-fleet.ts (a slow progress tool, a resource "touch"),
 * which the fixture registers with its other sets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectClean, runRequirements } from "../../../test-kit/conformance.js";
import {
  type Json,
  SseStream,
  answerOf,
  controlChannelKey,
  eventually,
  expectElicitationAnsweredElsewhere,
  expectFleetTools,
  expectResumeOnAnotherInstance,
  expectSessionLifecycleAcrossInstances,
  numsub,
  openSession,
  sessionCall,
  sessionDelete,
  sessionGet,
  sessionKeys,
  sessionPost,
  slowProgressCall,
  storedSession,
  streamOf,
  useFleet,
} from "../../../test-kit/fleet.js";
import { modernMeta, modernPost } from "../../../test-kit/mcp.js";
import { sleep, withTimeout } from "../../../test-kit/process.js";
import { type RoundRobin, startRoundRobin } from "../../../test-kit/round-robin.js";

const KEEPALIVE_MS = 500;
/** The GET stream lease lives 3 keep-alives. */
const LEASE_TTL_MS = 3 * KEEPALIVE_MS;
const PRINCIPAL_HEADER = "x-test-principal";
const TASKS = { extensions: { "io.modelcontextprotocol/tasks": {} }, elicitation: {} };
const SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";
const BROADCAST = "wisp:bus:wisp:broadcast";

/** A stateless (2026-07-28) request on `url`, answered in full. */
async function modern(url: string, id: number, method: string, params: Json, capabilities: Json = {}) {
  // Mcp-Name mirrors params.name, or params.taskId for the tasks extension's methods.
  const headers: Record<string, string> = method.startsWith("tasks/") ? { "mcp-name": String(params.taskId) } : {};
  const res = await withTimeout(modernPost(url, { id, method, params: { ...params, _meta: modernMeta(capabilities) } }, headers), 10_000, `the answer to ${method}`);
  return answerOf(res, `the answer to ${method}`);
}

/** A 2026 `subscriptions/listen` stream on `url`, acknowledged. */
async function listen(url: string, id: number, notifications: Json): Promise<SseStream> {
  const stream = new SseStream(await withTimeout(modernPost(url, { id, method: "subscriptions/listen", params: { notifications, _meta: modernMeta() } }), 10_000, "the listen stream"));
  expect(stream.response.status).toBe(200);
  const ack = await stream.waitFor((m) => m.method === "notifications/subscriptions/acknowledged", 5_000, "the listen acknowledgement");
  expect(ack.message).toEqual({ jsonrpc: "2.0", method: "notifications/subscriptions/acknowledged", params: { _meta: { [SUBSCRIPTION_ID]: id }, notifications } });
  return stream;
}

/** Raises tools/list_changed on `url` through the fixture's 2026 tool. */
async function triggerToolChange(url: string): Promise<void> {
  const answer = await modern(url, 99, "tools/call", { name: "test_trigger_tool_change", arguments: {} });
  expect(answer.status).toBe(200);
  expect(answer.body!.result.content).toEqual([{ type: "text", text: "Sent tools/list_changed." }]);
}

const listChanged = (m: Json) => m.method === "notifications/tools/list_changed";

describe("scale-out on Node: 3 instances, one Redis, round-robin", () => {
  const fleet = useFleet({ size: 3, env: { WISP_KEEPALIVE_MS: String(KEEPALIVE_MS), WISP_PRINCIPAL_HEADER: PRINCIPAL_HEADER } });
  const url = (index: number) => fleet().members[index].url;

  it("serves the scale-out tools of fixture-fleet.ts on every instance", async () => {
    await expectFleetTools(fleet());
  });

  it("1. initialize on A; list, call, setLevel, subscribe on B; DELETE on C → 404 everywhere, A's GET and in-flight POST streams close", async () => {
    await expectSessionLifecycleAcrossInstances(fleet());
  });

  it("2. elicitation asked on A, answered on B: the tool resumes once", async () => {
    await expectElicitationAnsweredElsewhere(fleet(), { dropPubsub: false });
  });

  it("2b. the same with every pub/sub connection killed before the reply: A re-reads it from storage", async () => {
    await expectElicitationAnsweredElsewhere(fleet(), { dropPubsub: true });
  });

  it("3. notifications/cancelled sent to B aborts the handler on A", async () => {
    const sessionId = await openSession(url(0), { capabilities: { elicitation: {} } });
    const call = new SseStream(await sessionPost(url(0), { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "test_elicitation", arguments: { message: "Still there?" } } }, { sessionId }));
    try {
      const asked = await call.waitFor((m) => m.method === "elicitation/create", 5_000, "the elicitation request");
      const cancel = await sessionPost(url(1), { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7, reason: "the user gave up" } }, { sessionId });
      await cancel.body?.cancel();
      expect(cancel.status).toBe(202);
      await call.waitEnd(5_000, "the cancelled call's stream to end");
      // The handler on A was aborted: it withdrew its own elicitation, saying why.
      expect(call.messages).toContainEqual({
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { requestId: asked.message!.id, reason: "elicitation/create was abandoned: the user gave up" },
      });
      // No result for the cancelled request.
      expect(call.messages.filter((m) => m.id === 7 && "result" in m)).toEqual([]);
      // The session is fine afterwards, on any instance.
      const after = await sessionCall(url(2), { jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: "test_simple_text", arguments: {} } }, { sessionId });
      expect(after.status).toBe(200);
    } finally {
      await call.cancel();
    }
  });

  it("4. kill -9 A mid-stream: B replays every stored event once, in order; a result produced after the client left is replayed by B", async () => {
    await expectResumeOnAnotherInstance(fleet());
  });

  it("5. GET lease: 409 on B while A streams; Last-Event-ID on B takes over (no id repeats); after A dies, a fresh GET on B once the lease expired", async () => {
    const { redis } = fleet();
    const sessionId = await openSession(fleet().url);
    const onA = new SseStream(await sessionGet(url(0), sessionId));
    let onB: SseStream | undefined;
    let again: SseStream | undefined;
    let fresh: SseStream | undefined;
    let killed = false;
    try {
      expect(onA.response.status).toBe(200);
      const priming = await onA.waitForCount(1, 5_000, "A's priming event");
      const conflict = await answerOf(await sessionGet(url(1), sessionId), "the 409 body");
      expect({ status: conflict.status, body: conflict.body }).toEqual({
        status: 409,
        body: { jsonrpc: "2.0", id: null, error: { code: -32000, message: "Conflict: this session already has an open GET stream" } },
      });

      const streamA = streamOf(priming.id!);
      await triggerToolChange(url(2));
      await onA.waitForCount(2, 5_000, "list_changed on A's stream");
      await triggerToolChange(url(2));
      await onA.waitForCount(3, 5_000, "a second list_changed on A's stream");
      expect(onA.events.map(({ id, message }) => ({ id, message }))).toEqual([
        { id: `${streamA}_0`, message: undefined },
        { id: `${streamA}_1`, message: { jsonrpc: "2.0", method: "notifications/tools/list_changed" } },
        { id: `${streamA}_2`, message: { jsonrpc: "2.0", method: "notifications/tools/list_changed" } },
      ]);

      // The client saw up to _1: B replays _2, then goes on under a stream id of its own.
      onB = new SseStream(await sessionGet(url(1), sessionId, { lastEventId: `${streamA}_1` }));
      expect(onB.response.status).toBe(200);
      await onA.waitEnd(5_000, "A's stream to end once B took it over");
      await onB.waitForCount(2, 5_000, "the replay of what the client missed, then B's own priming event");
      await triggerToolChange(url(2));
      await onB.waitForCount(3, 5_000, "list_changed on B's stream");
      await sleep(200);
      const [replayed, primed, ...live] = onB.events;
      expect({ id: replayed.id, message: replayed.message }).toEqual({ id: `${streamA}_2`, message: { jsonrpc: "2.0", method: "notifications/tools/list_changed" } });
      // B names its own stream at once, so the client's next Last-Event-ID reaches what B collects.
      expect(primed.message).toBeUndefined();
      expect(streamOf(primed.id!)).not.toBe(streamA);
      expect(live.map((event) => event.message)).toEqual([{ jsonrpc: "2.0", method: "notifications/tools/list_changed" }]);
      expect(live.every((event) => streamOf(event.id!) === streamOf(primed.id!))).toBe(true);
      // New events never reuse an id: not A's stream id, not any id A sent, none twice.
      const newIds = [primed, ...live].map((event) => event.id!);
      expect(newIds.every((id) => streamOf(id) !== streamA && !onA.ids.includes(id))).toBe(true);
      expect(new Set(onB.ids).size).toBe(onB.ids.length);
      // B now holds it: a fresh GET anywhere is refused.
      expect((await answerOf(await sessionGet(url(0), sessionId), "409")).status).toBe(409);

      // Hand the stream back to A, then kill A while it holds the lease.
      await onB.cancel();
      again = new SseStream(await eventually(async () => {
        const res = await sessionGet(url(0), sessionId);
        if (res.status === 200) return res;
        await res.body?.cancel();
        return undefined;
      }, 5_000, "a fresh GET on A after B let go"));
      await again.waitForCount(1, 5_000, "A's priming event");
      await fleet().kill(0);
      killed = true;
      const killedAt = Date.now();
      const refused = await answerOf(await sessionGet(url(1), sessionId), "409");
      expect(refused.status).toBe(409); // the dead holder's lease still runs
      const res = await eventually(async () => {
        const r = await sessionGet(url(1), sessionId);
        if (r.status === 200) return r;
        await r.body?.cancel();
        expect(r.status).toBe(409);
        return undefined;
      }, LEASE_TTL_MS + 3_000, "a fresh GET on B once the dead holder's lease expired", 100);
      const waited = Date.now() - killedAt;
      fresh = new SseStream(res);
      await fresh.waitForCount(1, 5_000, "B's priming event");
      expect(waited).toBeLessThanOrEqual(LEASE_TTL_MS + 1_000);
      expect(redis.cli("EXISTS", `wisp:{${sessionId}}:lease`).trim()).toBe("1");
    } finally {
      await Promise.all([onA.cancel(), onB?.cancel(), again?.cancel(), fresh?.cancel()]);
      if (killed) await fleet().restart(0); // a failure before the kill must not be hidden by this
    }
  });

  it("7. a subscriptions/listen stream on A receives tools/list_changed raised on B exactly once (and nothing it did not ask for)", async () => {
    const stream = await listen(url(0), 41, { toolsListChanged: true });
    try {
      const prompts = await modern(url(1), 1, "tools/call", { name: "test_trigger_prompt_change", arguments: {} });
      expect(prompts.status).toBe(200);
      await triggerToolChange(url(1));
      await stream.waitFor(listChanged, 5_000, "tools/list_changed from B");
      await sleep(500);
      expect(stream.messages.slice(1)).toEqual([{ jsonrpc: "2.0", method: "notifications/tools/list_changed", params: { _meta: { [SUBSCRIPTION_ID]: 41 } } }]);
    } finally {
      await stream.cancel();
    }
  });

  it("7b. resources/updated raised on B reaches, once each, a listen stream on A that asked for the URI and a GET stream on C whose session subscribed; nobody else", async () => {
    const WATCHED = "test://watched-resource";
    const stream = await listen(url(0), 42, { resourceSubscriptions: [WATCHED] });
    const subscriber = await openSession(url(1));
    const bystander = await openSession(url(1));
    const subscribed = await sessionCall(url(2), { jsonrpc: "2.0", id: 1, method: "resources/subscribe", params: { uri: WATCHED } }, { sessionId: subscriber });
    expect(subscribed.status).toBe(200);
    const onC = new SseStream(await sessionGet(url(2), subscriber));
    const onA = new SseStream(await sessionGet(url(0), bystander));
    try {
      await Promise.all([onC.waitForCount(1, 5_000, "C's priming event"), onA.waitForCount(1, 5_000, "A's priming event")]);
      for (const uri of ["test://static-text", WATCHED]) {
        const touched = await sessionCall(url(1), { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "fleet_touch_resource", arguments: { uri } } }, { sessionId: bystander });
        expect(touched.body).toEqual({ jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text: `Touched ${uri}` }] } });
      }
      const updated = (m: Json) => m.method === "notifications/resources/updated";
      await Promise.all([stream.waitFor(updated, 5_000, "resources/updated on the listen stream"), onC.waitFor(updated, 5_000, "resources/updated on C's GET stream")]);
      await sleep(500);
      expect(stream.messages.slice(1)).toEqual([{ jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri: WATCHED, _meta: { [SUBSCRIPTION_ID]: 42 } } }]);
      expect(onC.messages).toEqual([{ jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri: WATCHED } }]);
      expect(onA.messages).toEqual([]);
    } finally {
      await Promise.all([stream.cancel(), onC.cancel(), onA.cancel()]);
    }
  });

  it("8a. 50 concurrent resources/subscribe split over A and B all end up in the session record", async () => {
    const sessionId = await openSession(url(0));
    const uris = Array.from({ length: 50 }, (_, i) => `test://template/${i}/data`);
    const answers = await Promise.all(
      uris.map((uri, i) => sessionCall(url(i % 2), { jsonrpc: "2.0", id: 100 + i, method: "resources/subscribe", params: { uri } }, { sessionId })),
    );
    expect(answers.map((a) => ({ status: a.status, body: a.body }))).toEqual(uris.map((_, i) => ({ status: 200, body: { jsonrpc: "2.0", id: 100 + i, result: {} } })));
    const record = storedSession(fleet().redis, sessionId)!;
    expect([...record.subscriptions].sort()).toEqual([...uris].sort());
    expect(record.subscriptions).toHaveLength(50);
    // And it shows: each of them, touched on C, reaches the session's GET stream on A.
    const stream = new SseStream(await sessionGet(url(0), sessionId));
    try {
      await stream.waitForCount(1, 5_000, "the priming event");
      const other = await openSession(url(2));
      for (const uri of [uris[0], uris[37], uris[49]]) {
        const touched = await sessionCall(url(2), { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "fleet_touch_resource", arguments: { uri } } }, { sessionId: other });
        expect(touched.status).toBe(200);
        await stream.waitFor((m) => m.params?.uri === uri, 5_000, `resources/updated for ${uri}`);
      }
      expect(stream.messages.map((m) => m.params.uri)).toEqual([uris[0], uris[37], uris[49]]);
    } finally {
      await stream.cancel();
    }
  });

  it("8b. tasks/update on A and tasks/cancel on B at once leave the task cancelled", async () => {
    const started = await Promise.all([0, 1, 2, 3, 4].map((i) => modern(url(i % 2), i, "tools/call", { name: "multi_input", arguments: {} }, TASKS)));
    const taskIds = started.map((answer) => {
      expect(answer.status).toBe(200);
      expect(answer.body!.result).toMatchObject({ resultType: "task", status: "working" });
      return answer.body!.result.taskId as string;
    });
    for (const taskId of taskIds) {
      await eventually(async () => {
        const got = await modern(url(1), 1, "tasks/get", { taskId }, TASKS);
        return got.body?.result?.status === "input_required" && Object.keys(got.body.result.inputRequests ?? {}).length === 2;
      }, 5_000, `task ${taskId} to ask for input`);
    }
    const raced = await Promise.all(
      taskIds.flatMap((taskId, i) => [
        modern(url(i % 2), 10 + i, "tasks/update", { taskId, inputResponses: { first: { action: "accept", content: { name: "Ada" } } } }, TASKS),
        modern(url((i + 1) % 2), 20 + i, "tasks/cancel", { taskId }, TASKS),
      ]),
    );
    for (const answer of raced) expect({ status: answer.status, result: answer.body?.result }).toEqual({ status: 200, result: { resultType: "complete" } });
    await sleep(500); // a handler that was not stopped would have moved the task on by now
    for (const taskId of taskIds) {
      for (const index of [0, 1, 2]) {
        const got = await modern(url(index), 30, "tasks/get", { taskId }, TASKS);
        expect({ taskId, status: got.body?.result?.status, message: got.body?.result?.statusMessage }).toEqual({ taskId, status: "cancelled", message: "Cancelled by the client" });
      }
    }
  });

  it("11. a session opened by one principal on A answers 404 to another principal (and to none) on B", async () => {
    const alice = { [PRINCIPAL_HEADER]: "alice" };
    const bob = { [PRINCIPAL_HEADER]: "bob" };
    const sessionId = await openSession(url(0), { headers: alice });
    expect(storedSession(fleet().redis, sessionId)).toMatchObject({ principal: "alice" });
    const notFound = { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found: it ended or expired; send initialize to start a new one" } };
    for (const headers of [bob, {}]) {
      const post = await sessionCall(url(1), { jsonrpc: "2.0", id: 1, method: "tools/list" }, { sessionId, headers });
      expect({ status: post.status, body: post.body }).toEqual({ status: 404, body: notFound });
      const get = await answerOf(await sessionGet(url(1), sessionId, { headers }), "the GET answer");
      expect({ status: get.status, body: get.body }).toEqual({ status: 404, body: notFound });
      const del = await sessionDelete(url(1), sessionId, headers);
      expect({ status: del.status, code: del.body?.error?.code }).toEqual({ status: 404, code: -32001 });
    }
    // Still alive for alice, on every instance.
    for (const index of [0, 1, 2]) {
      const mine = await sessionCall(url(index), { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "test_simple_text", arguments: {} } }, { sessionId, headers: alice });
      expect(mine.status).toBe(200);
    }
    expect((await sessionDelete(url(2), sessionId, alice)).status).toBe(200);
  });

  describe("12. the official conformance suite against two instances behind the proxy", () => {
    let pair: RoundRobin;
    beforeAll(async () => {
      pair = await startRoundRobin(fleet().members.slice(0, 2).map((m) => `http://127.0.0.1:${m.port}`));
    });
    afterAll(async () => {
      await pair?.close();
    });

    it("0.2.0-alpha.12 --requirements 2025-11-25: no failures, no warnings", async () => {
      expectClean(await runRequirements(`${pair.url}/mcp`, "2025-11-25"), ["server-initialize", "tools-call-elicitation", "server-sse-multiple-streams", "server-sse-polling", "server-session-lifecycle"], 33);
      expect(new Set(pair.log.map((entry) => entry.upstream))).toEqual(new Set([0, 1]));
    }, 120_000);

    it("0.2.0-alpha.12 --requirements 2026-07-28: no failures, no warnings", async () => {
      expectClean(await runRequirements(`${pair.url}/mcp`, "2026-07-28"), ["server-stateless", "input-required-result-multi-round", "input-required-result-tampered-state", "tasks-lifecycle", "tasks-mrtr-input"], 50);
    }, 120_000);
  });

  // Last: it empties Redis.
  it("9. Redis stopped mid-run: 503 + Retry-After + a JSON-RPC error within a bounded time; full service and subscriptions back after the restart", async () => {
    const { redis } = fleet();
    const sessionId = await openSession(url(0), { capabilities: { elicitation: {} } });
    // Every instance listens on the broadcast channel.
    const streams = await Promise.all([0, 1, 2].map((index) => listen(url(index), 50 + index, { toolsListChanged: true })));
    try {
      expect(numsub(redis, BROADCAST)).toBe(3);
      await redis.stop();

      const outage = [
        (index: number) => sessionPost(url(index), { jsonrpc: "2.0", id: 1, method: "tools/list" }, { sessionId }),
        (index: number) => sessionPost(url(index), { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } }),
        (index: number) => sessionGet(url(index), sessionId),
        (index: number) => fetch(url(index), { method: "DELETE", headers: { "mcp-session-id": sessionId }, signal: AbortSignal.timeout(10_000) }),
      ];
      for (const index of [0, 1, 2]) {
        for (const send of outage) {
          const startedAt = Date.now();
          const answer = await answerOf(await send(index), "the 503");
          const tookMs = Date.now() - startedAt;
          expect({ index, status: answer.status, retryAfter: answer.headers.get("retry-after") }).toEqual({ index, status: 503, retryAfter: "1" });
          expect(answer.body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32603, message: expect.stringMatching(/^Service unavailable: .*; retry in 1 s$/) } });
          expect(tookMs).toBeLessThan(3_000);
        }
      }

      await redis.start();
      // Each instance serves again: a new session on A, used on B and C.
      const fresh = await eventually(async () => {
        for (const index of [0, 1, 2]) {
          const res = await sessionPost(url(index), { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } });
          await res.body?.cancel();
          if (res.status !== 200) return undefined;
        }
        return openSession(url(0), { capabilities: { elicitation: {} } });
      }, 10_000, "every instance to serve again after the restart", 200);
      for (const index of [1, 2]) {
        const listed = await sessionCall(url(index), { jsonrpc: "2.0", id: 2, method: "tools/list" }, { sessionId: fresh });
        expect(listed.status).toBe(200);
      }
      // The old session went with Redis's data.
      expect((await sessionCall(url(1), { jsonrpc: "2.0", id: 3, method: "tools/list" }, { sessionId })).status).toBe(404);
      // The subscriptions are back, and carry messages again.
      await eventually(() => numsub(redis, BROADCAST) === 3, 10_000, "three broadcast subscribers after the restart");
      await triggerToolChange(url(2));
      for (const stream of streams) await stream.waitFor(listChanged, 5_000, "list_changed after the restart");
      // The bus works across instances again: elicitation on A, answered on B.
      const call = new SseStream(await sessionPost(url(0), { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "test_elicitation", arguments: { message: "Back?" } } }, { sessionId: fresh }));
      const asked = await call.waitFor((m) => m.method === "elicitation/create", 5_000, "the elicitation after the restart");
      expect(numsub(redis, controlChannelKey(fresh))).toBe(1);
      const reply = await sessionPost(url(1), { jsonrpc: "2.0", id: asked.message!.id, result: { action: "decline" } }, { sessionId: fresh });
      expect(reply.status).toBe(202);
      await call.waitEnd(5_000, "the call to finish");
      expect(call.messages.at(-1)).toEqual({ jsonrpc: "2.0", id: 4, result: { content: [{ type: "text", text: "User response: action=decline" }] } });
    } finally {
      await Promise.all(streams.map((stream) => stream.cancel()));
    }
  });
});

describe("scale-out on Node: SSE polling (WISP_POLL_AFTER_MS)", () => {
  const POLL_AFTER_MS = 600;
  const fleet = useFleet({ size: 2, env: { WISP_KEEPALIVE_MS: "500", WISP_POLL_AFTER_MS: String(POLL_AFTER_MS) } });
  const url = (index: number) => fleet().members[index].url;

  it("6. a GET stream closed for polling on A and resumed on B loses nothing (a notification raised while none was open arrives)", async () => {
    const sessionId = await openSession(url(0));
    const first = new SseStream(await sessionGet(url(0), sessionId));
    expect(first.response.status).toBe(200);
    const priming = await first.waitForCount(1, 5_000, "the priming event");
    expect(priming.retry).toBeGreaterThan(0);
    await first.waitEnd(POLL_AFTER_MS + 3_000, "A to close the stream for polling");
    // No stream is open: raise a notification on B.
    await triggerToolChange(url(1));
    const second = new SseStream(await sessionGet(url(1), sessionId, { lastEventId: priming.id }));
    expect(second.response.status).toBe(200);
    const missed = await second.waitFor(listChanged, 5_000, "the notification raised while no stream was open");
    expect(missed.id).toBe(`${streamOf(priming.id!)}_1`);
    await second.waitEnd(POLL_AFTER_MS + 3_000, "B to close the stream for polling");
    expect(second.messages.filter(listChanged)).toHaveLength(1);

    // And back: raised on A while nothing is open, resumed on A from B's last event.
    await triggerToolChange(url(0));
    const third = new SseStream(await sessionGet(url(0), sessionId, { lastEventId: second.ids.at(-1) }));
    try {
      expect(third.response.status).toBe(200);
      await third.waitFor(listChanged, 5_000, `the notification raised on A while no stream was open, resumed from B's last event id ${second.ids.at(-1)}`);
      await sleep(200);
      expect(third.messages.filter(listChanged)).toHaveLength(1);
      const all = [...first.ids, ...second.ids, ...third.ids];
      expect(new Set(all).size).toBe(all.length);
    } finally {
      await third.cancel();
    }
  });
});

describe("scale-out on Node: session timeout (WISP_SESSION_TIMEOUT_MS)", () => {
  const TIMEOUT_MS = 1_500;
  const fleet = useFleet({ size: 2, env: { WISP_SESSION_TIMEOUT_MS: String(TIMEOUT_MS), WISP_KEEPALIVE_MS: "300", WISP_TASK_TTL_MS: "1500" } });
  const url = (index: number) => fleet().members[index].url;

  it("10. idle sessions' keys are gone after the timeout; an open GET stream or a call in flight keeps a session alive", async () => {
    const { redis } = fleet();
    const idle = await openSession(url(0));
    // An idle session that also left a stream behind (the client went away mid-call).
    const withEvents = await openSession(url(0));
    const left = new SseStream(await sessionPost(url(1), slowProgressCall(1, 2, 100), { sessionId: withEvents }));
    await left.waitFor((m) => m.params?.progress === 1, 5_000, "progress 1");
    await left.cancel();
    const streaming = await openSession(url(0));
    const get = new SseStream(await sessionGet(url(1), streaming));
    const busy = await openSession(url(1), { capabilities: { elicitation: {} } });
    const call = new SseStream(await sessionPost(url(0), { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "test_elicitation", arguments: { message: "Slow?" } } }, { sessionId: busy }));
    try {
      const asked = await call.waitFor((m) => m.method === "elicitation/create", 5_000, "the elicitation request");
      await eventually(() => sessionKeys(redis, withEvents).some((key) => key.includes(":events:p")), 5_000, "the left stream's events to be stored");
      expect(sessionKeys(redis, idle)).toEqual([`wisp:{${idle}}:session`]);

      await eventually(() => sessionKeys(redis, idle).length === 0 && sessionKeys(redis, withEvents).length === 0, TIMEOUT_MS * 3, "the idle sessions' keys to expire");
      const gone = await sessionCall(url(1), { jsonrpc: "2.0", id: 2, method: "tools/list" }, { sessionId: idle });
      expect(gone.status).toBe(404);

      // Well past the timeout, the streaming and the busy session are still there.
      await sleep(TIMEOUT_MS);
      expect(storedSession(redis, streaming)).toBeDefined();
      expect(storedSession(redis, busy)).toBeDefined();
      expect(get.ended).toBe(false);
      const reply = await sessionPost(url(1), { jsonrpc: "2.0", id: asked.message!.id, result: { action: "accept", content: { username: "ada", email: "ada@example.com" } } }, { sessionId: busy });
      expect(reply.status).toBe(202);
      await call.waitEnd(5_000, "the slow call to finish");
      expect(call.messages.at(-1)).toMatchObject({ id: 1, result: { content: [{ type: "text" }] } });
      expect((await sessionCall(url(1), { jsonrpc: "2.0", id: 3, method: "tools/list" }, { sessionId: streaming })).status).toBe(200);

      // Once the stream closes and the call is over, they idle out too.
      await get.cancel();
      await eventually(() => sessionKeys(redis, streaming).length === 0 && sessionKeys(redis, busy).length === 0, TIMEOUT_MS * 3 + 1_000, "the no longer busy sessions to expire");
    } finally {
      await Promise.all([get.cancel(), call.cancel()]);
    }
  });

  // WISP_TASK_TTL_MS (→ ServerOptions.tasks.ttlMs) is set on this fleet above.
  it("10b. a task's record is gone after its TTL", async () => {
    const { redis } = fleet();
    const started = await modern(url(0), 1, "tools/call", { name: "slow_compute", arguments: { seconds: 0.2, label: "ttl" } }, TASKS);
    expect(started.body!.result).toMatchObject({ resultType: "task" });
    const { taskId, ttlMs } = started.body!.result as { taskId: string; ttlMs: number };
    expect(ttlMs, "the fixture ignored WISP_TASK_TTL_MS (no knob for tasks.ttlMs)").toBe(1_500);
    await eventually(async () => (await modern(url(1), 2, "tasks/get", { taskId }, TASKS)).body?.result?.status === "completed", 5_000, "the task to complete");
    await eventually(() => redis.cli("EXISTS", `wisp:task:{${taskId}}`).trim() === "0", ttlMs * 2 + 1_000, "the task's key to expire");
    const got = await modern(url(1), 3, "tasks/get", { taskId }, TASKS);
    expect(got.body).toEqual({ jsonrpc: "2.0", id: 3, error: { code: -32602, message: `Unknown task: ${taskId} (it may have expired)` } });
  });
});
