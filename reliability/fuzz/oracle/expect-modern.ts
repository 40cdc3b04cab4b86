/**
 * The 2026-07-28 validation ladder (checklist §3.2, order as given there), then what each method
 * answers. Every error on this leg echoes the request id and carries a JSON-RPC body.
 */
import { FIXTURE } from "../server.js";
import { type RequestId, isRecord } from "./envelope.js";
import type { Expectation, Subject } from "./expect.js";
import { accepts, headerOf } from "./request-facts.js";
import { decodeMirrored, mirrorsValue } from "./header-values.js";

const META_VERSION = "io.modelcontextprotocol/protocolVersion";
const META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
const META_LOG_LEVEL = "io.modelcontextprotocol/logLevel";
const TASKS = "io.modelcontextprotocol/tasks";
const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

/** Methods 2026-07-28 removed or never had: 404 -32601 (§3.2, §19). */
const REMOVED = ["initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"];
const SERVED = ["tools/list", "tools/call", "resources/list", "resources/read", "resources/templates/list", "prompts/list", "prompts/get", "completion/complete"];
const TASK_METHODS = ["tasks/get", "tasks/update", "tasks/cancel"];
/** Which params field Mcp-Name mirrors (§5). */
const NAME_FIELD: Record<string, string> = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri", "tasks/get": "taskId", "tasks/update": "taskId", "tasks/cancel": "taskId" };

export function modernLadder(subject: Subject, message: Record<string, unknown>): Expectation[] {
  const hasId = "id" in message;
  const id = (hasId ? message.id : null) as RequestId | null;
  const fail = (rule: string, status: number, code: number): Expectation[] => [
    { rule, answer: { kind: "error", status: [status], codes: [code], id: hasId ? "echo" : "echo-or-null", requestId: id ?? undefined } },
  ];
  if (typeof message.method !== "string") return fail("2026: a response from the client → 400 -32600", 400, -32600);
  const method = message.method;
  const params = message.params as Record<string, unknown>;
  const meta = params._meta as Record<string, unknown>;
  const version = meta[META_VERSION];
  if (typeof version !== "string") return fail("2026: _meta protocolVersion not a string → 400 -32602 (§3.2 step 1)", 400, -32602);
  if (!isRecord(meta[META_CAPABILITIES])) return fail("2026: _meta clientCapabilities missing or not an object → 400 -32602 (§3.2 step 1)", 400, -32602);
  const capabilities = meta[META_CAPABILITIES] as Record<string, unknown>;
  if (headerOf(subject.request, "mcp-protocol-version") !== version) return fail("2026: MCP-Protocol-Version header ≠ _meta version → 400 -32020 (§3.2 step 2)", 400, -32020);
  if (version !== "2026-07-28") return fail("2026: version not served → 400 -32022 (§3.2 step 3)", 400, -32022);
  const headerProblem = standardHeaderProblem(subject, method, params);
  if (headerProblem) return fail(`2026: ${headerProblem} → 400 -32020 (§5)`, 400, -32020);
  if (!hasId) return [{ rule: "2026: notification → 202 (§1)", answer: { kind: "accepted" } }];
  const requestId = id as RequestId;
  const logLevel = meta[META_LOG_LEVEL];
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel as string)) return fail("2026: unknown logLevel → -32602 (§10)", 400, -32602).concat(inBand(requestId, [-32602]));

  if (method === "server/discover") return [{ rule: "2026: server/discover → result (§3.2)", answer: { kind: "reply", era: "modern", id: requestId, outcome: "result" } }];
  if (method === "subscriptions/listen") {
    const accept = headerOf(subject.request, "accept");
    if (accept && !accepts(accept, "text/event-stream")) return [{ rule: "2026: listen without text/event-stream in Accept → 406", answer: { kind: "error", status: [406], id: "echo-or-null", requestId } }];
    return [
      { rule: "2026: subscriptions/listen → event stream (§9)", answer: { kind: "stream", era: "modern" } },
      { rule: "2026: subscriptions/listen with bad params → -32602", answer: { kind: "reply", era: "modern", id: requestId, outcome: "error", codes: [-32602] } },
      ...fail("2026: subscriptions/listen with bad params → 400 -32602", 400, -32602),
    ];
  }
  if (TASK_METHODS.includes(method)) {
    if (!declaresTasks(capabilities)) return fail("2026: tasks/* without the tasks extension → 400 -32021 (§13)", 400, -32021);
    return inBand(requestId, [-32602], "2026: tasks/* on an id never issued → -32602 (§13)");
  }
  if (REMOVED.includes(method) || !SERVED.includes(method)) return fail("2026: removed or unknown method → 404 -32601 (§3.2 step 5)", 404, -32601);
  if (method === "tools/call") return toolCall(subject, requestId, params, capabilities, fail);
  if (method === "prompts/get" && !FIXTURE.prompts.includes(params.name as never)) return inBand(requestId, [-32602], "2026: unknown prompt → -32602 (§11)");
  if (method === "resources/read") return resourceRead(requestId, params);
  return [{ rule: `2026: ${method} → result or an error in band (§3.2 step 7)`, answer: { kind: "reply", era: "modern", id: requestId, outcome: "either" } }];
}

const declaresTasks = (capabilities: Record<string, unknown>) => isRecord(capabilities.extensions) && Object.hasOwn(capabilities.extensions, TASKS);

function inBand(id: RequestId, codes: number[], rule = "2026: error in band"): Expectation[] {
  return [{ rule, answer: { kind: "reply", era: "modern", id, outcome: "error", codes } }];
}

/** Mcp-Method must equal the body method; Mcp-Name the name field where the method has one (§5). */
function standardHeaderProblem(subject: Subject, method: string, params: Record<string, unknown>): string | undefined {
  const rawMethod = subject.request.headers.find(([name]) => name === "mcp-method")?.[1];
  if (rawMethod === undefined) return "Mcp-Method missing";
  const decodedMethod = decodeMirrored(rawMethod);
  if (!decodedMethod.ok) return "Mcp-Method not decodable";
  if (decodedMethod.value !== method) return "Mcp-Method ≠ body method";
  const field = Object.hasOwn(NAME_FIELD, method) ? NAME_FIELD[method] : undefined;
  if (!field) return undefined;
  const rawName = subject.request.headers.find(([name]) => name === "mcp-name")?.[1];
  if (rawName === undefined) return "Mcp-Name missing";
  const decodedName = decodeMirrored(rawName);
  if (!decodedName.ok) return "Mcp-Name not decodable";
  const bodyValue = params[field];
  if (typeof bodyValue === "string" && decodedName.value !== bodyValue) return `Mcp-Name ≠ params.${field}`;
  return undefined;
}

type Fail = (rule: string, status: number, code: number) => Expectation[];

function toolCall(subject: Subject, id: RequestId, params: Record<string, unknown>, capabilities: Record<string, unknown>, fail: Fail): Expectation[] {
  const name = params.name;
  const known = typeof name === "string" && (FIXTURE.tools as readonly string[]).includes(name) && !(FIXTURE.legacyOnlyTools as readonly string[]).includes(name);
  if (!known) return inBand(id, [-32602], "2026: tools/call of an unknown tool → -32602 (§11)");
  if (name === FIXTURE.headerTool.name) {
    const problem = paramHeaderProblem(subject, params.arguments);
    if (problem) return fail(`2026: ${problem} → 400 -32020 (§5)`, 400, -32020);
  }
  const either: Expectation = { rule: "2026: tools/call → result or an error in band", answer: { kind: "reply", era: "modern", id, outcome: "either" } };
  if ((FIXTURE.askingTools as readonly string[]).includes(name as string)) {
    // Asking needs the elicitation capability: -32021 without it, unless the answer is already here (§8).
    const missing = fail("2026: tool needs an input kind the request did not declare → 400 -32021 (§8)", 400, -32021);
    return isRecord(capabilities.elicitation) ? [either] : [either, ...missing];
  }
  return [either];
}

/** An argument annotated x-mcp-header must be mirrored when present (§5, "Mcp-Param-{Name}"). */
function paramHeaderProblem(subject: Subject, args: unknown): string | undefined {
  const raw = subject.request.headers.find(([name]) => name === FIXTURE.headerTool.header)?.[1];
  const value = isRecord(args) && Object.hasOwn(args, FIXTURE.headerTool.argument) ? args[FIXTURE.headerTool.argument] : undefined;
  if (value === undefined || value === null) {
    if (raw !== undefined && !decodeMirrored(raw).ok) return "Mcp-Param-Region not decodable";
    return undefined;
  }
  if (raw === undefined) return "Mcp-Param-Region missing while arguments.region is present";
  const decoded = decodeMirrored(raw);
  if (!decoded.ok) return "Mcp-Param-Region not decodable";
  if (!mirrorsValue(decoded.value, value)) return "Mcp-Param-Region ≠ arguments.region";
  return undefined;
}

function resourceRead(id: RequestId, params: Record<string, unknown>): Expectation[] {
  const uri = params.uri;
  const known = typeof uri === "string" && ((FIXTURE.resources as readonly string[]).includes(uri) || uri.startsWith("fuzz://items/"));
  if (known) return [{ rule: "2026: resources/read → result", answer: { kind: "reply", era: "modern", id, outcome: "either" } }];
  return inBand(id, [-32602], "2026: resources/read of a missing resource → -32602, never -32002 (§11)");
}
