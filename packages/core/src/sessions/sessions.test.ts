/**
 * Session-layer guarantees that hold across instances, checked in one process with two servers
 * on one storage (the multi-process versions run on Redis in examples/conformance/src/scale-out.test.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as v from "valibot";
import { createServer } from "../create-server.js";
import type { Server } from "../server.js";
import { memoryStorage } from "../storage/memory.js";
import type { Bus, Storage } from "../storage/types.js";
import { ENDPOINT, initialize, post } from "../test-support/requests.js";
import { sseEvents } from "../test-support/sse-events.js";

const open: Server[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((server) => server.close()));
});
const track = (server: Server) => (open.push(server), server);

/** Reads SSE events (id + data) one at a time, with a bounded wait each. */
const events = sseEvents;

const getStream = (server: Server, sessionId: string, lastEventId?: string) =>
  server.handle(new Request(ENDPOINT, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId, ...(lastEventId ? { "last-event-id": lastEventId } : {}) } }));

describe("one GET stream per session, across instances", () => {
  it("a second GET on another instance gets 409; Last-Event-ID takes the stream over under a fresh stream id; a closed stream frees the lease", async () => {
    const storage = memoryStorage();
    const a = track(createServer({ name: "s", version: "1", storage, sse: { retry: 50 } }).tool("t", { description: "A tool" }, () => "ok"));
    const b = track(createServer({ name: "s", version: "1", storage, sse: { retry: 50 } }).tool("t", { description: "A tool" }, () => "ok"));
    const sessionId = await initialize(a);

    const onA = events(await getStream(a, sessionId));
    const priming = await onA.next();
    expect(priming?.data).toBe("");
    const primingId = priming!.id!;
    expect((await getStream(b, sessionId)).status).toBe(409);

    const takeover = await getStream(b, sessionId, primingId);
    expect(takeover.status).toBe(200);
    expect(await onA.next()).toBeUndefined(); // A's stream ended
    const onB = events(takeover);
    const streamOf = (id: string) => id.slice(0, id.lastIndexOf("_"));
    const reprimed = await onB.next(); // names the new stream, so the next resume can reach it
    expect(reprimed?.data).toBe("");
    expect(streamOf(reprimed!.id!)).not.toBe(streamOf(primingId)); // no id can repeat what A wrote
    await b.notifyListChanged("tools");
    const live = await onB.next();
    expect(live?.data).toContain("notifications/tools/list_changed");
    expect(streamOf(live!.id!)).toBe(streamOf(reprimed!.id!));

    await onB.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await getStream(a, sessionId);
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });
});

/** The memory bus, except that while `down` the control channel's messages are lost, as Redis pub/sub loses them on a dropped connection. */
function lossyStorage(): { storage: Storage; drop: (on: boolean) => void; resume: () => void } {
  const base = memoryStorage();
  let down = false;
  const resumers = new Set<() => void>();
  const bus: Bus = {
    publish: (channel, message) => (down && channel.endsWith(":control") ? Promise.resolve() : base.bus.publish(channel, message)),
    async subscribe(channel, listener, options) {
      if (options?.onResume) resumers.add(options.onResume);
      const stop = await base.bus.subscribe(channel, listener);
      return async () => {
        if (options?.onResume) resumers.delete(options.onResume);
        await stop();
      };
    },
  };
  return {
    storage: { ...base, bus },
    drop: (on) => void (down = on),
    resume: () => {
      for (const resume of resumers) resume();
    },
  };
}

describe("control messages survive a lost bus message", () => {
  it("a reply published while the waiting instance's subscription was down reaches the tool when the subscription resumes", async () => {
    const lossy = lossyStorage();
    const build = () =>
      track(
        createServer({ name: "s", version: "1", storage: lossy.storage }).tool("ask", { description: "Asks a name" }, async (_args, ctx) => {
          const answer = await ctx.elicit({ message: "Name?", schema: v.object({ name: v.string() }) });
          return answer.action === "accept" ? `Hello, ${answer.content.name}` : "no";
        }),
      );
    const a = build();
    const b = build();
    const sessionId = await initialize(a, "2025-11-25", { elicitation: {} });
    const call = events(await post(a, { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "ask" } }, { "mcp-session-id": sessionId }));
    let request: { id: string; method: string } | undefined;
    while (!request) {
      const event = await call.next();
      if (event?.data) request = JSON.parse(event.data);
    }
    expect(request.method).toBe("elicitation/create");

    lossy.drop(true);
    const answered = await post(b, { jsonrpc: "2.0", id: request.id, result: { action: "accept", content: { name: "Ada" } } }, { "mcp-session-id": sessionId });
    expect(answered.status).toBe(202);
    lossy.drop(false);
    lossy.resume(); // the driver says: live again, you may have missed something

    let result: { id: number; result: { content: { text: string }[] } } | undefined;
    while (!result) {
      const event = await call.next();
      if (event?.data) result = JSON.parse(event.data);
    }
    expect(result).toMatchObject({ id: 7, result: { content: [{ type: "text", text: "Hello, Ada" }] } });
  });
});

describe("the caller named by an onRequest hook", () => {
  it("binds the session even when the hook sets the deprecated host.principal", async () => {
    const server = track(
      createServer({ name: "s", version: "1" })
        .tool("t", { description: "A tool" }, () => "ok")
        .onRequest((request, host) => {
          const user = request.header("x-user");
          if (user) host.principal = user; // the pre-`auth` way a hook named the caller
        }),
    );
    const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } };
    const opened = await post(server, init, { "x-user": "alice" });
    const sessionId = opened.headers.get("mcp-session-id")!;
    const ping = { jsonrpc: "2.0", id: 2, method: "ping" };
    expect((await post(server, ping, { "mcp-session-id": sessionId, "x-user": "alice" })).status).toBe(200);
    expect((await post(server, ping, { "mcp-session-id": sessionId, "x-user": "mallory" })).status).toBe(404);
    expect((await post(server, ping, { "mcp-session-id": sessionId })).status).toBe(404);
  });
});

describe("per-session components", () => {
  it("two registrations made at once both stay (each applies to the record as stored, not to a stale copy)", async () => {
    const server = track(
      createServer({ name: "s", version: "1" })
        .toolHandler("h", () => "from a session tool")
        .tool("register_two", { description: "Registers two tools at once" }, async (_args, ctx) => {
          await Promise.all([ctx.registerTool("one", { description: "One", handler: "h" }), ctx.registerTool("two", { description: "Two", handler: "h" })]);
          return "registered";
        }),
    );
    const sessionId = await initialize(server);
    const called = await post(server, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "register_two" } }, { "mcp-session-id": sessionId });
    expect(called.status).toBe(200);
    const listed = await (await post(server, { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": sessionId })).json();
    expect(listed.result.tools.map((tool: { name: string }) => tool.name).sort()).toEqual(["one", "register_two", "two"]);
  });
});

describe("found by the soak (reliability/soak)", () => {
  it("an open GET stream keeps its session alive even when sessionTimeout is shorter than sse.keepAlive", async () => {
    const server = track(createServer({ name: "s", version: "1", sessionTimeout: 300, sse: { keepAlive: 5_000 }, storage: memoryStorage({ sweepInterval: 50 }) }).tool("t", { description: "A tool" }, () => "ok"));
    const sessionId = await initialize(server);
    const stream = await getStream(server, sessionId);
    expect(stream.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // over three session timeouts, no keep-alive yet
    const answer = await post(server, { jsonrpc: "2.0", id: 1, method: "tools/list" }, { "mcp-session-id": sessionId });
    expect(answer.status).toBe(200);
    await stream.body?.cancel();
  });
});

describe("found in CI (scale-out scenario 4): an event reaches the client only once it is stored", () => {
  it("a progress notification waits for its append; killed in between, no client would hold an id the store lacks", async () => {
    const base = memoryStorage();
    let release!: () => void;
    let holding = false;
    const held = new Promise<void>((resolve) => (release = resolve));
    const stored: string[] = [];
    const storage: Storage = {
      ...base,
      events: {
        ...base.events,
        async append(sessionId, streamId, events, ttl) {
          if (holding) await held;
          for (const event of Array.isArray(events) ? events : [events]) stored.push(event.id);
          return base.events.append(sessionId, streamId, events, ttl);
        },
      },
    };
    let step!: () => void;
    const stepped = new Promise<void>((resolve) => (step = resolve));
    const server = track(createServer({ name: "s", version: "1", storage }).tool("slow", { description: "Two steps" }, async (_a, ctx) => {
      ctx.progress(1, 2);
      await stepped;
      ctx.progress(2, 2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return "done";
    }));
    const sessionId = await initialize(server);
    const response = await post(server, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "slow", arguments: {}, _meta: { progressToken: "p" } } }, { "mcp-session-id": sessionId });
    const stream = events(response);
    const first = [await stream.next(), await stream.next()]; // priming, progress 1
    expect(first.map((e) => e!.id)).toEqual(stored);
    holding = true;
    step();
    const second = stream.next();
    const early = await Promise.race([second, new Promise((resolve) => setTimeout(() => resolve("not yet"), 100))]);
    expect(early).toBe("not yet"); // progress 2 is not sent while its append is pending
    release();
    const event = await second;
    expect(event?.data).toContain('"progress":2');
    expect(stored).toContain(event!.id);
  });
});

describe("initialize's capabilities follow registrations made after earlier sessions", () => {
  it("a tool, a prompt and a completion registered later show up in the next initialize (and in server/discover)", async () => {
    const server = createServer({ name: "late", version: "1" });
    const capabilitiesOf = async () => {
      const response = await post(server, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } } });
      return (await response.json()).result.capabilities;
    };
    expect(await capabilitiesOf()).toEqual({ logging: {} });
    server.tool("t", { description: "A tool" }, () => "ok");
    expect(await capabilitiesOf()).toEqual({ logging: {}, tools: { listChanged: true } });
    server.prompt("p", { description: "A prompt" }, () => "hi").completion({ type: "ref/prompt", name: "p" }, "a", () => []);
    expect(await capabilitiesOf()).toEqual({ logging: {}, tools: { listChanged: true }, prompts: { listChanged: true }, completions: {} });
    server.removeTool("t");
    expect(await capabilitiesOf()).toEqual({ logging: {}, prompts: { listChanged: true }, completions: {} });
    expect(server.capabilities("modern")).toEqual({ prompts: { listChanged: true }, completions: {} });
  });

  it("answers each negotiated version with its own result, for any id, and follows a task tool registered later", async () => {
    const server = createServer({ name: "late", version: "1", instructions: "Be brief." });
    const initialize = async (id: string | number, protocolVersion: string) => {
      const response = await post(server, { jsonrpc: "2.0", id, method: "initialize", params: { protocolVersion, capabilities: {}, clientInfo: { name: "c", version: "1" } } });
      return response.text();
    };
    const expected = (id: string | number, protocolVersion: string, capabilities: object) =>
      JSON.stringify({ jsonrpc: "2.0", id, result: { protocolVersion, capabilities, serverInfo: { name: "late", version: "1" }, instructions: "Be brief." } });
    expect(await initialize(1, "2025-11-25")).toBe(expected(1, "2025-11-25", { logging: {} }));
    expect(await initialize('quote " and \\ backslash', "2025-06-18")).toBe(expected('quote " and \\ backslash', "2025-06-18", { logging: {} }));
    server.tool("slow", { description: "May run as a task", task: "optional" }, () => "done");
    const tools = { logging: {}, tools: { listChanged: true } };
    expect(await initialize(2, "2025-11-25")).toBe(expected(2, "2025-11-25", { ...tools, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } }));
    expect(await initialize(3, "2025-06-18")).toBe(expected(3, "2025-06-18", tools));
    // What initialize serialises once cannot be edited behind its back.
    expect(Object.isFrozen(server.info)).toBe(true);
  });
});
