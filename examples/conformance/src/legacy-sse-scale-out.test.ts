/**
 * The 2024-11-05 HTTP+SSE transport across real processes: two fixture processes with
 * `legacySse` on one redis-server (main-legacy-sse.ts). The official SDK v1 `SSEClientTransport`
 * holds its stream on A and POSTs everything to B (or through the round-robin proxy), and still
 * gets every answer, progress notification and server→client request on A's stream: B publishes
 * them on the bus, and the client's replies reach the call waiting on whichever instance runs it.
 */
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { CreateMessageRequestSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { useFleet } from "../../../test-kit/fleet.js";
import { root, withTimeout } from "../../../test-kit/process.js";

const fleet = useFleet({
  size: 2,
  command: { bin: process.execPath, args: ["--conditions=wisp-source", "--import", "tsx", join(root, "examples/conformance/src/main-legacy-sse.ts")] },
  env: { WISP_KEEPALIVE_MS: "500" },
});

const clients: Client[] = [];
afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
});

/** Sends `url`'s requests to `to` instead (same path and query): the stream stays where it was opened. */
let redirected = 0;
const redirectTo = (to: string): typeof fetch => (input, init) => {
  redirected++;
  const original = new URL(input instanceof Request ? input.url : String(input));
  const target = new URL(to);
  original.host = target.host;
  return fetch(original, init);
};

async function connect(streamOn: string, postTo?: string): Promise<Client> {
  const client = new Client({ name: "legacy-fleet", version: "1.0.0" }, { capabilities: { elicitation: {}, sampling: {} } });
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: "accept", content: { username: "ada", email: "ada@example.com" } }));
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: "assistant", model: "fleet-model", content: { type: "text", text: "forty-two" } }));
  clients.push(client);
  const transport = new SSEClientTransport(new URL(streamOn), {
    eventSourceInit: { fetch: (input, init) => fetch(input, init) },
    fetch: postTo ? redirectTo(postTo) : undefined,
  });
  await withTimeout(client.connect(transport), 10_000, "the SSE client to connect");
  return client;
}

describe("legacySse on two processes, one Redis", () => {
  it("answers on A's stream what was POSTed to B: initialize, list, progress, elicitation, sampling, errors", async () => {
    const [A, B] = fleet().members.map((member) => member.url);
    redirected = 0;
    const client = await connect(A, B);
    expect(client.getServerVersion()?.name).toBe("wisp-conformance-fixture");
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(["fleet_slow_progress", "test_elicitation", "test_sampling"]));

    const progress: number[] = [];
    const slow = await client.callTool({ name: "fleet_slow_progress", arguments: { steps: 3, intervalMs: 30 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(slow).toEqual({ content: [{ type: "text", text: "Finished 3 steps" }] });
    // The SDK client runs notification handlers a tick after responses: the last progress, when it
    // lands in the same read as the result, finds its handler gone (the client's quirk, on any transport).
    expect(progress.slice(0, 2)).toEqual([1, 2]);
    expect([[1, 2], [1, 2, 3]]).toContainEqual(progress);

    const elicited = await client.callTool({ name: "test_elicitation", arguments: { message: "Who are you?" } });
    expect(JSON.stringify(elicited)).toContain("ada@example.com");
    const sampled = await client.callTool({ name: "test_sampling", arguments: { prompt: "6 x 7?" } });
    expect(sampled).toEqual({ content: [{ type: "text", text: "LLM response: forty-two" }] });

    expect(await client.callTool({ name: "test_error_handling", arguments: {} })).toMatchObject({ isError: true });
    await expect(client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toMatchObject({ code: -32602 });
    // initialize, initialized, list, 5 calls and the two replies to elicitation and sampling: all on B.
    expect(redirected).toBe(10);
  });

  it("works through the round-robin proxy, where every request may land on either instance", async () => {
    const before = fleet().proxy.log.length;
    const client = await connect(fleet().url);
    for (let i = 0; i < 4; i++) {
      const result = await client.callTool({ name: "test_elicitation", arguments: { message: `Round ${i}` } });
      expect(JSON.stringify(result)).toContain("ada@example.com");
    }
    const upstreams = new Set(fleet().proxy.log.slice(before).map((route) => route.upstream));
    expect(upstreams).toEqual(new Set([0, 1]));
  });

  it("ends the session on every instance when the stream closes", async () => {
    const [A, B] = fleet().members.map((member) => member.url);
    const client = await connect(A, B);
    const endpoint = (client.transport as unknown as { _endpoint?: URL })._endpoint!; // the URL the endpoint event named
    await client.close();
    const onB = new URL(endpoint);
    onB.host = new URL(B).host;
    let status = 0;
    for (let tries = 0; tries < 50 && status !== 404; tries++) {
      const res = await fetch(onB, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) });
      status = res.status;
      await res.body?.cancel();
      if (status !== 404) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(404);
  });
});
