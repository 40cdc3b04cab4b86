/**
 * A request plan becomes bytes and headers here, once the session it names exists. "mirror"
 * headers copy what the body says, as a correct client would (plain, base64-wrapped or padded).
 */
import { bodyBytes } from "./jnode.js";
import type { HeaderChoice, RequestPlan, WireRequest } from "./model.js";

/** What the body says that headers may mirror; everything optional because bodies may be junk. */
export interface BodyFacts {
  method?: string;
  name?: string;
  metaVersion?: string;
  region?: unknown;
}

const NAME_FIELD: Record<string, string> = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri", "tasks/get": "taskId", "tasks/update": "taskId", "tasks/cancel": "taskId" };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export function bodyFacts(body: Uint8Array | null): BodyFacts {
  if (!body) return {};
  let message: unknown;
  try {
    message = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return {};
  }
  if (!isRecord(message)) return {};
  const facts: BodyFacts = {};
  if (typeof message.method === "string") facts.method = message.method;
  const params = isRecord(message.params) ? message.params : {};
  const nameField = facts.method && Object.hasOwn(NAME_FIELD, facts.method) ? NAME_FIELD[facts.method] : undefined;
  if (nameField && typeof params[nameField] === "string") facts.name = params[nameField] as string;
  const meta = isRecord(params._meta) ? params._meta : {};
  const version = meta["io.modelcontextprotocol/protocolVersion"];
  if (typeof version === "string") facts.metaVersion = version;
  if (isRecord(params.arguments) && Object.hasOwn(params.arguments, "region")) facts.region = params.arguments.region;
  return facts;
}

/** Header values both clients can send: HTAB, SP, VCHAR, obs-text. */
const SENDABLE = /^[\t\x20-\x7e\x80-\xff]*$/;

const base64 = (value: string) => `=?base64?${Buffer.from(value, "utf8").toString("base64")}?=`;

function resolve(choice: HeaderChoice, mirrored: string | undefined): string | undefined {
  if (choice.v === "absent") return undefined;
  if (choice.v === "lit") return choice.value;
  if (mirrored === undefined) return undefined;
  // A value a header cannot carry as it is goes base64-wrapped, as the 2026 rules say a client does.
  if (choice.style === "base64" || !SENDABLE.test(mirrored)) return base64(mirrored);
  return choice.style === "padded" ? ` \t${mirrored} ` : mirrored;
}

export interface Resolved {
  /** The Mcp-Session-Id to send, if any. */
  sessionId?: string;
  /** The session's negotiated version, mirrored into MCP-Protocol-Version on 2025-era requests. */
  sessionVersion?: string;
}

export function materialize(plan: RequestPlan, session: Resolved): WireRequest {
  const body = plan.method === "GET" || plan.method === "HEAD" ? null : bodyBytes(plan.body);
  const facts = bodyFacts(body);
  const h = plan.headers;
  const headers: [string, string | undefined][] = [
    ["content-type", resolve(h.contentType, undefined)],
    ["accept", resolve(h.accept, undefined)],
    ["origin", resolve(h.origin, undefined)],
    ["host", resolve(h.host, undefined)],
    ["mcp-protocol-version", resolve(h.protocolVersion, facts.metaVersion ?? session.sessionVersion ?? "2025-11-25")],
    ["mcp-method", resolve(h.mcpMethod, facts.method)],
    ["mcp-name", resolve(h.mcpName, facts.name)],
    ["mcp-param-region", resolve(h.mcpParamRegion, facts.region === undefined || facts.region === null ? undefined : String(facts.region))],
    ["last-event-id", resolve(h.lastEventId, undefined)],
    ["authorization", resolve(h.authorization, undefined)],
    ["mcp-session-id", session.sessionId],
  ];
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const [name, value] of [...headers, ...h.extra]) {
    // One value per name: a repeated header would be joined differently by the two clients.
    if (value === undefined || seen.has(name) || !SENDABLE.test(value)) continue;
    seen.add(name);
    out.push([name, value]);
  }
  return { method: plan.method, path: plan.path, headers: out, body };
}
