/**
 * Tasks on the 2025-11-25 leg, through the official v1 SDK client's experimental tasks API
 * (`client.experimental.tasks`) against a real Node server on 127.0.0.1: the capability and
 * `execution.taskSupport` a 2025-11-25 session sees (and a 2025-06-18 one does not),
 * CreateTaskResult, tasks/get, tasks/result, tasks/list, tasks/cancel (aborting `ctx.signal`),
 * the spec's errors, and one store shared with the 2026 tasks extension.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, CreateTaskResultSchema, ElicitRequestSchema, McpError as SdkError, TaskStatusNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { McpError, ToolError, createServer, memoryStorage } from "@wisp/core";
import { type RunningServer, serve } from "@wisp/node";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskRecord } from "../features/task-support.js";
import { lastMessage, legacyPost, modernMeta, modernPost } from "../../../../test-kit/mcp.js";
import { withTimeout } from "../../../../test-kit/process.js";

const storage = memoryStorage();
let running: RunningServer;
const gates = new Map<string, () => void>();
const aborted: string[] = [];

beforeAll(async () => {
  const server = createServer({ name: "tasks-2025", version: "1.0.0", storage, tasks: { pollIntervalMs: 50 } })
    .tool("slow", { description: "Finishes when the test says so", task: "optional" }, async (_args, ctx) => {
      await new Promise<void>((resolve) => gates.set(String(ctx.request.id), resolve));
      return "slow done";
    })
    .tool("forever", { description: "Runs until cancelled", task: "required" }, async (_args, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
      aborted.push(String(ctx.request.id));
      throw new McpError(-32001, "stopped");
    })
    .tool("broken", { description: "Fails as a tool", task: "optional" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new ToolError("no luck");
    })
    .tool("confirm", { description: "Asks the user, then answers", task: "optional" }, async (_args, ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const answer = await ctx.elicit({ message: "Go on?", schema: v.object({ go: v.boolean() }) });
      return answer.action === "accept" && answer.content.go ? "went on" : "stopped";
    })
    .tool("plain", { description: "No task support" }, () => "plain");
  running = await serve(server, { port: 0 });
});
afterAll(async () => {
  for (const release of gates.values()) release();
  await running?.close();
});

async function connect(): Promise<Client> {
  const client = new Client({ name: "tasks-test", version: "1.0.0" }, { capabilities: { elicitation: {} } });
  await withTimeout(client.connect(new StreamableHTTPClientTransport(new URL(running.url))), 10_000, "connect");
  return client;
}

/** Releases the running `slow` call once its handler started. */
async function release(): Promise<void> {
  await expect.poll(() => gates.size, { timeout: 5000 }).toBeGreaterThan(0);
  for (const [key, resolve] of gates) {
    gates.delete(key);
    resolve();
  }
}

const createTask = (client: Client, name: string, ttl?: number) =>
  client.request({ method: "tools/call", params: { name, arguments: {} } }, CreateTaskResultSchema, { task: ttl === undefined ? {} : { ttl } });

async function rejection(promise: Promise<unknown>): Promise<SdkError> {
  const error = await withTimeout(promise.then(() => undefined, (e: unknown) => e), 10_000, "the request");
  expect(error).toBeInstanceOf(SdkError);
  return error as SdkError;
}

describe("tasks on the 2025-11-25 leg (v1 SDK experimental tasks API)", () => {
  it("advertises the tasks capability and each tool's execution.taskSupport", async () => {
    const client = await connect();
    expect(client.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await client.listTools();
    const support = Object.fromEntries(tools.map((tool) => [tool.name, tool.execution?.taskSupport]));
    expect(support).toEqual({ slow: "optional", forever: "required", broken: "optional", confirm: "optional", plain: undefined });
    await client.close();
  });

  it("runs a tool as a task: CreateTaskResult, tasks/get while working, tasks/result blocks until the result", async () => {
    const client = await connect();
    const { task } = await withTimeout(createTask(client, "slow", 60_000), 10_000, "task creation");
    expect(task).toMatchObject({ status: "working", ttl: 60_000, pollInterval: 50 });
    expect(Date.parse(task.createdAt)).not.toBeNaN();

    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ taskId: task.taskId, status: "working" });
    const result = client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    let settled = false;
    void result.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(settled).toBe(false); // blocks while the task works
    await release();
    const answer = await withTimeout(result, 10_000, "tasks/result");
    expect(answer.content).toEqual([{ type: "text", text: "slow done" }]);
    expect(answer._meta).toEqual({ "io.modelcontextprotocol/related-task": { taskId: task.taskId } });
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: "completed" });
    expect((await client.experimental.tasks.listTasks()).tasks).toContainEqual(expect.objectContaining({ taskId: task.taskId, status: "completed" }));
    await client.close();
  });

  it("callToolStream: taskCreated, taskStatus, then the result", async () => {
    const client = await connect();
    await client.listTools(); // the client learns which tools are tasks
    const seen: string[] = [];
    const stream = client.experimental.tasks.callToolStream({ name: "slow", arguments: {} });
    const done = (async () => {
      for await (const message of stream) {
        seen.push(message.type);
        if (message.type === "taskStatus" && seen.filter((t) => t === "taskStatus").length === 1) void release();
        if (message.type === "result") expect(message.result.content).toEqual([{ type: "text", text: "slow done" }]);
        if (message.type === "error") throw message.error;
      }
    })();
    await withTimeout(done, 10_000, "the task stream");
    expect(seen[0]).toBe("taskCreated");
    expect(seen).toContain("taskStatus");
    expect(seen.at(-1)).toBe("result");
    await client.close();
  });

  it("tasks/cancel aborts the handler's ctx.signal; the task stays cancelled; a second cancel is -32602", async () => {
    const client = await connect();
    const { task } = await createTask(client, "forever");
    const cancelled = await client.experimental.tasks.cancelTask(task.taskId);
    expect(cancelled).toMatchObject({ taskId: task.taskId, status: "cancelled" });
    await expect.poll(() => aborted.length, { timeout: 5000 }).toBe(1);
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: "cancelled" });
    const again = await rejection(client.experimental.tasks.cancelTask(task.taskId));
    expect(again.code).toBe(-32602);
    expect(again.message).toContain("terminal status 'cancelled'");
    expect((await rejection(client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema))).code).toBe(-32602);
    await client.close();
  });

  it("a tool result with isError is a failed task, and tasks/result returns that result", async () => {
    const client = await connect();
    const { task } = await createTask(client, "broken");
    const result = await withTimeout(client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema), 10_000, "tasks/result");
    expect(result).toMatchObject({ isError: true, content: [{ type: "text", text: "no luck" }] });
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: "failed" });
    await client.close();
  });

  it("answers the spec's errors: unknown task -32602, a required task tool called plainly -32601, task on a tool without support -32601", async () => {
    const client = await connect();
    const unknown = await rejection(client.experimental.tasks.getTask("no-such-task"));
    expect(unknown.code).toBe(-32602);
    expect(unknown.message).toContain("Task not found");
    const plainCall = await rejection(client.request({ method: "tools/call", params: { name: "forever", arguments: {} } }, CallToolResultSchema));
    expect(plainCall.code).toBe(-32601);
    expect(plainCall.message).toContain('"required"');
    const forbidden = await rejection(createTask(client, "plain"));
    expect(forbidden.code).toBe(-32601);
    // Without `task`, a task-capable tool still answers normally.
    expect(await client.callTool({ name: "plain", arguments: {} })).toMatchObject({ content: [{ type: "text", text: "plain" }] });
    await client.close();
  });

  it("scopes tasks to their session without an authorization context: another session neither lists nor reads them", async () => {
    const [owner, other] = await Promise.all([connect(), connect()]);
    const { task } = await createTask(owner, "broken");
    expect((await owner.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toContain(task.taskId);
    expect((await other.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).not.toContain(task.taskId);
    expect((await rejection(other.experimental.tasks.getTask(task.taskId))).code).toBe(-32602);
    await Promise.all([owner.close(), other.close()]);
  });

  it("asks the user from inside a task: input_required, elicitation/create on the GET stream tagged with the task, then the result; status notifications", async () => {
    const client = await connect();
    const statuses: string[] = [];
    const asked: Record<string, unknown>[] = [];
    client.setNotificationHandler(TaskStatusNotificationSchema, (notification) => void statuses.push(notification.params.status));
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request.params);
      return { action: "accept", content: { go: true } };
    });
    const { task } = await createTask(client, "confirm");
    const result = await withTimeout(client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema), 10_000, "tasks/result");
    expect(result.content).toEqual([{ type: "text", text: "went on" }]);
    expect(asked).toHaveLength(1);
    expect(asked[0]._meta).toEqual({ "io.modelcontextprotocol/related-task": { taskId: task.taskId } });
    await expect.poll(() => statuses, { timeout: 5000 }).toEqual(["input_required", "working", "completed"]);
    await client.close();
  });

  it("a 2025-06-18 session never sees tasks: no capability, no execution, `task` ignored", async () => {
    const init = await legacyPost(running.url, undefined, {
      jsonrpc: "2.0", id: 0, method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "old", version: "1" } },
    });
    const initialized = await lastMessage(init);
    expect(initialized.result.protocolVersion).toBe("2025-06-18");
    expect(initialized.result.capabilities.tasks).toBeUndefined();
    const sessionId = init.headers.get("mcp-session-id")!;
    const list = await lastMessage(await legacyPost(running.url, sessionId, { jsonrpc: "2.0", id: 1, method: "tools/list" }, "2025-06-18"));
    expect(list.result.tools.some((tool: { execution?: unknown }) => tool.execution)).toBe(false);
    const call = await lastMessage(await legacyPost(running.url, sessionId, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "plain", arguments: {}, task: {} } }, "2025-06-18"));
    expect(call.result.content).toEqual([{ type: "text", text: "plain" }]);
    const get = await lastMessage(await legacyPost(running.url, sessionId, { jsonrpc: "2.0", id: 3, method: "tasks/get", params: { taskId: "x" } }, "2025-06-18"));
    expect(get.error.code).toBe(-32601);
  });

  it("shares one store with the 2026 tasks extension: a 2025 task is the 2026 record, readable by tasks/get of either era", async () => {
    const client = await connect();
    const { task } = await createTask(client, "broken");
    await withTimeout(client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema), 10_000, "tasks/result");
    const stored = (await storage.tasks.get(task.taskId)) as TaskRecord;
    expect(stored).toMatchObject({ taskId: task.taskId, status: "completed", ttlMs: task.ttl, pollIntervalMs: 50, result: { isError: true, resultType: "complete" } });

    // The 2026 leg reads the same record by id (no authorization context on either side).
    const meta = modernMeta({ extensions: { "io.modelcontextprotocol/tasks": {} } });
    const modern = await lastMessage(await modernPost(running.url, { id: 9, method: "tasks/get", params: { taskId: task.taskId, _meta: meta } }, { "mcp-name": task.taskId }));
    expect(modern.error).toBeUndefined();
    expect(modern.result).toMatchObject({ taskId: task.taskId, status: "completed", ttlMs: task.ttl, result: { isError: true } });

    // And a 2026 task is readable from a 2025-11-25 session by id.
    const created = await lastMessage(await modernPost(running.url, { id: 10, method: "tools/call", params: { name: "slow", arguments: {}, _meta: meta } }, { "mcp-name": "slow" }));
    expect(created.result.resultType).toBe("task");
    expect(await client.experimental.tasks.getTask(created.result.taskId)).toMatchObject({ taskId: created.result.taskId, status: "working" });
    await release();
    const result = await withTimeout(client.experimental.tasks.getTaskResult(created.result.taskId, CallToolResultSchema), 10_000, "tasks/result of a 2026 task");
    expect(result.content).toEqual([{ type: "text", text: "slow done" }]);
    await client.close();
  });
});

describe("tasks bound to the authorization context (auth.principal)", () => {
  let guarded: RunningServer;
  beforeAll(async () => {
    const server = createServer({ name: "tasks-auth", version: "1.0.0", tasks: { pollIntervalMs: 50 } })
      .tool("quick", { description: "Answers at once", task: "optional" }, async () => "quick")
      .onRequest((request, host) => {
        host.auth = { principal: request.header("x-user") ?? "nobody" };
      });
    guarded = await serve(server, { port: 0 });
  });
  afterAll(() => guarded?.close());

  const as = async (user: string) => {
    const client = new Client({ name: "tasks-auth", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(guarded.url), { requestInit: { headers: { "x-user": user } } }));
    return client;
  };

  it("the same principal lists and reads its tasks from any session; another principal gets -32602 and an empty list, on either era", async () => {
    const [alice, aliceAgain, bob] = await Promise.all([as("alice"), as("alice"), as("bob")]);
    const { task } = await createTask(alice, "quick");
    expect((await aliceAgain.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toEqual([task.taskId]);
    expect(await withTimeout(aliceAgain.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema), 10_000, "tasks/result")).toMatchObject({ content: [{ type: "text", text: "quick" }] });
    expect((await bob.experimental.tasks.listTasks()).tasks).toEqual([]);
    expect((await rejection(bob.experimental.tasks.getTask(task.taskId))).code).toBe(-32602);
    expect((await rejection(bob.experimental.tasks.cancelTask(task.taskId))).code).toBe(-32602);
    const meta = modernMeta({ extensions: { "io.modelcontextprotocol/tasks": {} } });
    const modernGet = async (user: string) =>
      lastMessage(await modernPost(guarded.url, { id: 1, method: "tasks/get", params: { taskId: task.taskId, _meta: meta } }, { "mcp-name": task.taskId, "x-user": user }));
    expect((await modernGet("alice")).result).toMatchObject({ taskId: task.taskId, status: "completed" });
    expect((await modernGet("bob")).error.code).toBe(-32602);
    await Promise.all([alice.close(), aliceAgain.close(), bob.close()]);
  });
});
