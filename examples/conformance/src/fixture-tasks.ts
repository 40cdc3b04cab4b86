/**
 * Fixtures of the 2026 tasks extension scenarios (conformance.md §10.6). Task-capable tools
 * become tasks for clients that declare `io.modelcontextprotocol/tasks`; `greet` stays sync.
 */
import { McpError, type Server, text } from "@wisp/core";
import * as v from "valibot";
import type { FixtureSet } from "./fixture.js";

const CONFIRM_SCHEMA = { type: "object", properties: { confirm: { type: "boolean" } }, required: ["confirm"] };
const NAME_SCHEMA = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };

/** Sleeps, but wakes up with an error when the call is cancelled. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error("cancelled"));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(new Error("cancelled"))), { once: true });
  });
}

export const taskTools: FixtureSet = (server: Server) => {
  server
    .tool("greet", { era: "modern", description: "Greets synchronously; never a task", input: v.object({ name: v.string() }) }, ({ name }) => `Hello, ${name}!`)
    .tool(
      "slow_compute",
      { era: "modern", task: "optional", description: "Sleeps for `seconds`, then reports the label", input: v.object({ seconds: v.number(), label: v.optional(v.string(), "job") }) },
      async ({ seconds, label }, ctx) => {
        await sleep(seconds * 1000, ctx.signal);
        return `Computed ${label} in ${seconds} s`;
      },
    )
    .tool("failing_job", { era: "modern", task: "required", description: "Runs as a task and reports a tool error after about a second" }, async (_args, ctx) => {
      await sleep(1000, ctx.signal);
      return { content: [text("The job failed: the input was rejected")], isError: true };
    })
    .tool("protocol_error_job", { era: "modern", task: "required", description: "Runs as a task and fails with a protocol error" }, async (_args, ctx) => {
      await sleep(200, ctx.signal);
      throw new McpError(-32603, "The job crashed");
    })
    .tool(
      "confirm_delete",
      { era: "modern", task: "optional", description: "Asks for confirmation before deleting a file", input: v.object({ filename: v.string() }) },
      async ({ filename }, ctx) => {
        await sleep(100, ctx.signal); // finds the file first, so the call is a task when it asks
        const answer = await ctx.elicit({ message: `Delete ${filename}?`, schema: CONFIRM_SCHEMA, key: "confirm_delete" });
        return answer.action === "accept" && answer.content.confirm === true ? `Deleted ${filename}` : `Kept ${filename}`;
      },
    )
    .tool("multi_input", { era: "modern", task: "optional", description: "Asks two questions at once" }, async (_args, ctx) => {
      await sleep(100, ctx.signal);
      const [first, second] = await Promise.all([
        ctx.elicit({ message: "First answer?", schema: NAME_SCHEMA, key: "first" }),
        ctx.elicit({ message: "Second answer?", schema: NAME_SCHEMA, key: "second" }),
      ]);
      return `Answers: ${first.action}, ${second.action}`;
    })
    .tool("test_tool_with_task", { era: "modern", task: "required", description: "Asks for a name in an input round, then works as a task" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "What is your name?", schema: NAME_SCHEMA, key: "user_name" });
      const name = answer.action === "accept" ? String(answer.content.name) : "stranger";
      await sleep(300, ctx.signal);
      return `Finished the task for ${name}`;
    });
};
