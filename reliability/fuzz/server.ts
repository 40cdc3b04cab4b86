/**
 * The server the fuzzer attacks: one of each kind of feature, every handler bounded in time, so
 * that a slow or failed answer is the framework's doing and never the fixture's. (The conformance
 * fixture is not reused: several of its tools wait minutes for a client by design.)
 *
 * The oracle knows this catalogue (FIXTURE below) to tell an unknown tool from a known one.
 */
import { type Server, ToolError, createServer } from "@wisp/core";

/** Names the generators draw from and the oracle looks up; one place, so the two never drift. */
export const FIXTURE = {
  tools: ["echo", "no_args", "add", "ask", "progress", "fail", "region", "job", "legacy_only"],
  /** Tools whose 2026 call may answer input_required or -32021 (they ask the client for input). */
  askingTools: ["ask"],
  /** 2026 tools/call of this tool checks Mcp-Param-Region against arguments.region. */
  headerTool: { name: "region", argument: "region", header: "mcp-param-region" },
  taskTools: ["job"],
  /** Served to 2025-era sessions only: a 2026 call gets "unknown tool". */
  legacyOnlyTools: ["legacy_only"],
  resources: ["fuzz://static", "fuzz://binary"],
  templates: ["fuzz://items/{id}"],
  prompts: ["plain", "greet"],
} as const;

/** Keeps fuzz sessions and tasks short-lived enough that memory figures settle within a run. */
export const FIXTURE_OPTIONS = {
  clientRequestTimeout: 300, // a legacy elicitation nobody answers ends fast
  requestStateSecret: "wisp-fuzz-fixture-request-state-secret-000001",
  tasks: { ttlMs: 5_000, pollIntervalMs: 100 },
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

const ECHO_INPUT = { type: "object", properties: { text: { type: "string", maxLength: 10_000 } }, required: ["text"] };
const ADD_INPUT = { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] };
const REGION_INPUT = { type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" } } };
const CONFIRM = { type: "object", properties: { confirm: { type: "boolean" } }, required: ["confirm"] };
const NAME_ARGS = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };

export function createFuzzServer(): Server {
  return createServer({ name: "wisp-fuzz-fixture", version: "1.0.0", ...FIXTURE_OPTIONS })
    .tool("echo", { description: "Echoes text", input: ECHO_INPUT }, (args) => String(args.text))
    // No input schema: any arguments reach the handler, which never looks at them.
    .tool("no_args", { description: "Takes no arguments" }, () => "ok")
    .tool("add", { description: "Adds two numbers", input: ADD_INPUT }, (args) => String(Number(args.a) + Number(args.b)))
    // No input schema either, so hostile arguments reach the input-round machinery (requestState digest).
    .tool("ask", { description: "Asks the user to confirm (elicitation / input_required)" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "Proceed?", schema: CONFIRM, key: "confirm" });
      return answer.action === "accept" ? "confirmed" : `not confirmed (${answer.action})`;
    })
    .tool("progress", { description: "Reports three progress steps, then logs and finishes" }, async (_args, ctx) => {
      for (const step of [1, 2, 3]) {
        ctx.progress(step, 3, `step ${step}`);
        await sleep(2, ctx.signal);
      }
      ctx.log("info", "progress done");
      return "done";
    })
    // A deliberate ToolError is a result (isError), not a crash: it must never surface as -32603.
    .tool("fail", { description: "Always reports a tool error" }, () => {
      throw new ToolError("this tool always fails");
    })
    .tool("region", { description: "Echoes a region mirrored into Mcp-Param-Region", input: REGION_INPUT }, (args) => `region ${String(args.region)}`)
    .tool("job", { description: "A short job; a task for clients that declare the tasks extension", task: "optional" }, async (_args, ctx) => {
      await sleep(20, ctx.signal);
      return "job done";
    })
    .tool("legacy_only", { era: "legacy", description: "Served to 2025-era sessions only" }, () => "legacy")
    .resource("fuzz://static", { name: "static", mimeType: "text/plain" }, () => "static text")
    .resource("fuzz://binary", { name: "binary", mimeType: "application/octet-stream" }, () => ({ blob: new Uint8Array([0, 1, 2, 255]) }))
    .resourceTemplate("fuzz://items/{id}", { name: "item", mimeType: "text/plain" }, ({ params }) => `item ${String(params.id)}`)
    .prompt("plain", { description: "A prompt without arguments" }, () => "Say something.")
    .prompt("greet", { description: "Greets someone", args: NAME_ARGS }, (args) => `Greet ${String(args.name)}.`);
}
