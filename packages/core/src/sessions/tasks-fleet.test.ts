/**
 * 2025-11-25 tasks in a fleet: two Wisp instances on real HTTP (127.0.0.1) sharing a real
 * redis-server. The official v1 SDK client starts tasks on instance A; the same session polls,
 * lists, waits for and cancels them on instance B (raw 2025 POSTs), a 2026 request on B reads
 * the same record, and a cancel on B stops the handler running on A.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { createServer } from "@wisp/core";
import { type RunningServer, serve } from "@wisp/node";
import { redisStorage } from "@wisp/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Json, LATEST, lastMessage, legacyPost, modernMeta, modernPost } from "../../../../test-kit/mcp.js";
import { withTimeout } from "../../../../test-kit/process.js";
import { type RedisServer, startRedis } from "../../../../test-kit/redis.js";

let redis: RedisServer;
const instances: RunningServer[] = [];
const stopped: string[] = [];

async function instance(name: string): Promise<RunningServer> {
  const storage = await redisStorage({ url: redis.url });
  const server = createServer({ name: "fleet-tasks", version: "1.0.0", storage, tasks: { pollIntervalMs: 50 } })
    .tool("wait", { description: "Runs until cancelled", task: "required" }, async (_args, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
      stopped.push(name);
      return "stopped";
    })
    .tool("quick", { description: "Answers after a moment", task: "optional" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return `done on ${name}`;
    });
  return serve(server, { port: 0 });
}

beforeAll(async () => {
  redis = await startRedis();
  instances.push(await instance("A"), await instance("B"));
});
afterAll(async () => {
  await Promise.all(instances.map((running) => running.close()));
  await redis?.stop();
});

/** One 2025 request of `sessionId` on instance B, answered in full. */
async function onB(sessionId: string, id: number, method: string, params: Json): Promise<Json> {
  return lastMessage(await withTimeout(legacyPost(instances[1].url, sessionId, { jsonrpc: "2.0", id, method, params }, LATEST), 10_000, method), method);
}

describe("2025-11-25 tasks across instances on Redis", () => {
  it("a task started on A is polled, listed, awaited and cancelled on B; its handler on A stops", async () => {
    const client = new Client({ name: "fleet-tasks", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(instances[0].url));
    await withTimeout(client.connect(transport), 10_000, "connect to A");
    const sessionId = transport.sessionId!;
    const call = (name: string) => client.request({ method: "tools/call", params: { name, arguments: {} } }, CreateTaskResultSchema, { task: {} });

    const quick = (await call("quick")).task;
    const result = await onB(sessionId, 1, "tasks/result", { taskId: quick.taskId });
    expect(result.result).toMatchObject({ content: [{ type: "text", text: "done on A" }], _meta: { "io.modelcontextprotocol/related-task": { taskId: quick.taskId } } });
    const meta = modernMeta({ extensions: { "io.modelcontextprotocol/tasks": {} } });
    const modern = await lastMessage(await modernPost(instances[1].url, { id: 2, method: "tasks/get", params: { taskId: quick.taskId, _meta: meta } }, { "mcp-name": quick.taskId }));
    expect(modern.result).toMatchObject({ taskId: quick.taskId, status: "completed", result: { content: [{ type: "text", text: "done on A" }] } });

    const wait = (await call("wait")).task;
    expect((await onB(sessionId, 3, "tasks/get", { taskId: wait.taskId })).result).toMatchObject({ status: "working" });
    const listed = (await onB(sessionId, 4, "tasks/list", {})).result.tasks as Json[];
    expect(listed.map((task) => task.taskId)).toEqual([quick.taskId, wait.taskId]);
    expect((await onB(sessionId, 5, "tasks/cancel", { taskId: wait.taskId })).result).toMatchObject({ taskId: wait.taskId, status: "cancelled" });
    await expect.poll(() => stopped, { timeout: 5000 }).toEqual(["A"]);
    expect(await client.experimental.tasks.getTask(wait.taskId)).toMatchObject({ status: "cancelled" });
    await client.close();
  });
});
