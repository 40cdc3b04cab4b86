/**
 * The adapter on real workerd (Miniflare), with the official clients over HTTP on 127.0.0.1.
 *
 * The endpoint is a router in front of two copies of the Worker, each its own isolate (each
 * draws its own id, returned in `x-test-isolate`), both bound to one Durable Object namespace.
 * The clients' fetch alternates the copy on every request (`x-test-front`), so consecutive
 * requests of one session are always served by different isolates: a session only works if
 * its state really lives in its Durable Object.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ACCEPT, type Json, LATEST, MODERN, connectV1 as connectV1To, connectV2 as connectV2To, watchToolListChanged } from "../../../test-kit/mcp.js";
import { withTimeout } from "../../../test-kit/process.js";
import { type RunningWorkerd, TEST_HEADERS, startWorkerd } from "./workerd.js";

const ENTRY = fileURLToPath(new URL("./testing/test-worker.ts", import.meta.url));
const VARS = { SECRET: "a-workerd-test-secret-of-at-least-32-bytes", LABEL: "from env" };

/** One HTTP exchange as the client saw it. */
interface Seen {
  http: string;
  /** JSON-RPC method, "(response)" for a client's reply, "" for GET/DELETE. */
  method: string;
  sessionId: string | null;
  front: number;
  isolate: string | null;
  status: number;
  hasRequestState: boolean;
}

let running: RunningWorkerd;
const seen: Seen[] = [];
let turn = 0;

/** A fetch that sends each request to the other Worker copy than the last, and records who served it. */
const alternatingFetch: typeof fetch = async (input, init) => {
  const request = new Request(input as RequestInfo, init);
  const front = turn++ % 2;
  request.headers.set(TEST_HEADERS.front, String(front));
  let method = "";
  let hasRequestState = false;
  if (request.method === "POST") {
    const body = JSON.parse(await request.clone().text()) as Json;
    method = body.method ?? "(response)";
    hasRequestState = body.params?.requestState !== undefined;
  }
  // Recorded in the order the requests were sent; who served it is filled in on the answer.
  const entry: Seen = { http: request.method, method, sessionId: request.headers.get("mcp-session-id"), front, isolate: null, status: 0, hasRequestState };
  seen.push(entry);
  const response = await fetch(request);
  entry.isolate = response.headers.get(TEST_HEADERS.isolate);
  entry.status = response.status;
  return response;
};

function post(body: unknown, headers: Record<string, string> = {}) {
  return alternatingFetch(running.url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
    body: JSON.stringify(body),
  });
}

/** The JSON-RPC response to `id`, from a JSON body or the end of an SSE stream. */
async function replyOf(response: Response, id: number): Promise<Json> {
  const text = await withTimeout(response.text(), 5_000, "the response body");
  if ((response.headers.get("content-type") ?? "").startsWith("application/json")) return JSON.parse(text) as Json;
  for (const block of text.split("\n\n")) {
    const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("");
    if (!data) continue;
    const message = JSON.parse(data) as Json;
    if (message.id === id && !("method" in message)) return message;
  }
  throw new Error(`no response ${id} in ${text}`);
}

async function rawSession(): Promise<string> {
  const response = await post({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
  expect(response.status).toBe(200);
  await response.body?.cancel();
  const sessionId = response.headers.get("mcp-session-id")!;
  const initialized = await post({ jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-session-id": sessionId, "mcp-protocol-version": LATEST });
  expect(initialized.status).toBe(202);
  return sessionId;
}

/** The v1 SDK (2025 era, elicitation answered with confirm: true) through the alternating fetch. */
const connectV1 = () => connectV1To(running.url, alternatingFetch);

/** The v2 client pinned to 2026-07-28 (elicitation answered with confirm: true) through the alternating fetch. */
const connectV2 = () => connectV2To(running.url, alternatingFetch);

const textOf = (result: object) => ((result as { content: { type: string; text: string }[] }).content)[0].text;

beforeAll(async () => {
  running = await startWorkerd({ entry: ENTRY, isolates: 2, testHooks: true, vars: VARS });
}, 60_000);

afterAll(async () => {
  await running?.close();
});

beforeEach(() => {
  seen.length = 0;
  turn = 0;
});

describe("@wisp/cloudflare on workerd", () => {
  it("the two Worker copies are two isolates", async () => {
    const a = await post({ jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {} } } }, { "mcp-protocol-version": MODERN, "mcp-method": "server/discover" });
    const b = await post({ jsonrpc: "2.0", id: 2, method: "server/discover", params: { _meta: { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {} } } }, { "mcp-protocol-version": MODERN, "mcp-method": "server/discover" });
    expect([a.status, b.status]).toEqual([200, 200]);
    await Promise.all([a.body?.cancel(), b.body?.cancel()]);
    expect(seen[0].isolate).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[1].isolate).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[0].isolate).not.toBe(seen[1].isolate);
  });

  it("2025 era, v1 SDK: initialize → tools/call with elicitation → resources/read → DELETE, each request on the other isolate than the one before", async () => {
    const { client, transport, asked } = await withTimeout(connectV1(), 10_000, "the v1 client to connect");
    const sessionId = transport.sessionId!;
    expect(sessionId).toMatch(/^w1[A-Za-z0-9_-]{43}$/);

    const called = await withTimeout(client.callTool({ name: "confirm_action", arguments: { action: "deploy" } }), 10_000, "tools/call");
    expect(textOf(called)).toBe("deploy: confirmed (legacy)");
    expect(asked).toEqual([expect.objectContaining({ message: "Really deploy?" })]);

    const read = await withTimeout(client.readResource({ uri: "test://greeting" }), 5_000, "resources/read");
    expect(read.contents).toEqual([{ uri: "test://greeting", mimeType: "text/plain", text: "Hello from workerd" }]);

    await withTimeout(transport.terminateSession(), 5_000, "DELETE");
    await client.close();

    const session = seen.filter((s) => s.sessionId === sessionId || s.method === "initialize");
    const posts = session.filter((s) => s.http === "POST");
    expect(posts.map((s) => s.method)).toEqual(["initialize", "notifications/initialized", "tools/call", "(response)", "resources/read"]);
    expect(session.find((s) => s.http === "DELETE")?.status).toBe(200);
    // The elicitation reply arrived at the other isolate than the tools/call waiting for it.
    const call = posts.find((s) => s.method === "tools/call")!;
    const reply = posts.find((s) => s.method === "(response)")!;
    expect(call.isolate).not.toBe(reply.isolate);
    // Every request of the session, in order, alternated between the two isolates.
    const isolates = session.map((s) => s.isolate);
    expect(new Set(isolates).size).toBe(2);
    for (let i = 1; i < session.length; i++) {
      if (session[i].front !== session[i - 1].front) expect(isolates[i]).not.toBe(isolates[i - 1]);
    }
    expect(session.filter((s, i) => i > 0 && s.isolate !== session[i - 1].isolate).length).toBeGreaterThanOrEqual(4);

    // The session is over everywhere.
    const after = await post({ jsonrpc: "2.0", id: 9, method: "tools/list" }, { "mcp-session-id": sessionId, "mcp-protocol-version": LATEST });
    expect(after.status).toBe(404);
    expect(((await after.json()) as Json).error.code).toBe(-32001);
  });

  it("2026 era, v2 client: tools/call answers input_required and the retry, on the other isolate, completes", async () => {
    const { client, asked } = await withTimeout(connectV2(), 10_000, "the v2 client to connect");
    try {
      expect(client.getProtocolEra()).toBe("modern");
      const result = await withTimeout(client.callTool({ name: "confirm_action", arguments: { action: "rollback" } }), 10_000, "tools/call");
      expect(textOf(result)).toBe("rollback: confirmed (modern)");
      expect(asked).toEqual([expect.objectContaining({ message: "Really rollback?" })]);
      const calls = seen.filter((s) => s.method === "tools/call");
      expect(calls.map((s) => s.hasRequestState)).toEqual([false, true]);
      expect(calls.every((s) => s.sessionId === null)).toBe(true);
      // The second round was opened by another isolate than the one that sealed the requestState.
      expect(calls[0].isolate).not.toBe(calls[1].isolate);
    } finally {
      await client.close();
    }
  });

  it("env and ctx reach ctx.assigns in the Worker (2026) and in the session's Durable Object (2025)", async () => {
    const v2 = await connectV2();
    const v1 = await connectV1();
    try {
      const modern = JSON.parse(textOf(await v2.client.callTool({ name: "host_info", arguments: {} })));
      expect(modern).toEqual({ era: "modern", label: "from env", waitUntil: "function", session: null });
      const legacy = JSON.parse(textOf(await v1.client.callTool({ name: "host_info", arguments: {} })));
      expect(legacy).toEqual({ era: "legacy", label: "from env", waitUntil: "function", session: v1.transport.sessionId });
    } finally {
      await Promise.allSettled([v1.client.close(), v2.client.close()]);
    }
  });

  it("list_changed raised by a stateless call in one isolate reaches a 2026 listen stream (hub) and a 2025 session's GET stream", async () => {
    const [v1, v2] = await withTimeout(Promise.all([connectV1(), connectV2()]), 10_000, "both clients to connect");
    try {
      const { bothChanged } = await watchToolListChanged(v1.client, v2.client);
      // The v1 client opens its GET stream after initialization: wait until the session's object holds it.
      await withTimeout(
        (async () => {
          while (!seen.some((s) => s.http === "GET" && s.sessionId === v1.transport.sessionId && s.status === 200)) await new Promise((r) => setTimeout(r, 20));
        })(),
        5_000,
        "the v1 GET stream",
      );
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect(textOf(await v2.client.callTool({ name: "announce", arguments: {} }))).toBe("announced");
      await bothChanged();
    } finally {
      await Promise.allSettled([v1.client.close(), v2.client.close()]);
    }
  });

  it("a session survives its Durable Object's eviction: state comes back from the object's storage", async () => {
    const sessionId = await rawSession();
    const headers = { "mcp-session-id": sessionId, "mcp-protocol-version": LATEST };
    const level = await post({ jsonrpc: "2.0", id: 1, method: "logging/setLevel", params: { level: "error" } }, headers);
    expect((await replyOf(level, 1)).result).toEqual({});
    const before = level.headers.get(TEST_HEADERS.object);
    expect(before).toBeTruthy();

    const evicted = await post({ jsonrpc: "2.0", id: 2, method: "tools/list" }, { ...headers, [TEST_HEADERS.evict]: "1" });
    expect(evicted.status).toBe(500); // the object was reset under this request
    expect(((await evicted.json()) as Json).error.code).toBe(-32603);

    const after = await post({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "host_info", arguments: {} } }, headers);
    expect(after.status).toBe(200);
    // A new instance of the object (constructed again, memory empty) served it from storage.
    expect(after.headers.get(TEST_HEADERS.object)).toBeTruthy();
    expect(after.headers.get(TEST_HEADERS.object)).not.toBe(before);
    expect(JSON.parse((await replyOf(after, 3)).result.content[0].text)).toMatchObject({ era: "legacy", session: sessionId });
    const gone = await alternatingFetch(running.url, { method: "DELETE", headers });
    expect(gone.status).toBe(200);
  });

  it("internal headers from a client are ignored: it can neither choose its session id nor speak to the hub", async () => {
    const response = await post(
      { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: "raw", version: "1" } } },
      { "x-wisp-session-id": "attacker-chosen-session-id", "x-wisp-role": "hub", "x-wisp-op": "publish" },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toMatch(/^w1[A-Za-z0-9_-]{43}$/);
    await response.body?.cancel();
    const unknown = await post({ jsonrpc: "2.0", id: 1, method: "tools/list" }, { "mcp-session-id": "attacker-chosen-session-id" });
    expect(unknown.status).toBe(404);
    await unknown.body?.cancel();
  });
});

describe("session expiry on workerd", () => {
  let short: RunningWorkerd;
  beforeAll(async () => {
    short = await startWorkerd({ entry: ENTRY, testHooks: true, vars: { ...VARS, SESSION_TIMEOUT: "300" } });
  }, 60_000);
  afterAll(async () => {
    await short?.close();
  });

  it("an idle session ends, and its object's alarm deletes it from storage", async () => {
    const init = await fetch(short.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: ACCEPT },
      body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: "raw", version: "1" } } }),
    });
    const sessionId = init.headers.get("mcp-session-id")!;
    await init.body?.cancel();
    const list = () =>
      fetch(short.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: ACCEPT, "mcp-session-id": sessionId },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
    // Any message of the session reaches its object; this header makes the object list its storage instead.
    const keys = async () => {
      const response = await fetch(short.url, {
        method: "POST",
        headers: { "content-type": "application/json", "mcp-session-id": sessionId, [TEST_HEADERS.keys]: "1" },
        body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      });
      return (await response.json()) as { keys: string[]; alarm: number | null };
    };
    const alive = await list();
    expect(alive.status).toBe(200);
    await alive.body?.cancel();
    const stored = await keys();
    expect(stored.keys).toEqual([`s:${sessionId}`]);
    expect(stored.alarm).toBeGreaterThan(Date.now() - 1_000);
    // The alarm fires at the expiry and empties the object, with nothing left scheduled.
    await withTimeout(
      (async () => {
        for (;;) {
          const now = await keys();
          if (now.keys.length === 0 && now.alarm === null) return;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })(),
      5_000,
      "the alarm to delete the session",
    );
    const ended = await list();
    expect(ended.status).toBe(404);
    await ended.body?.cancel();
  });
});
