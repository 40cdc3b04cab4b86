/**
 * The expected answer to a request, as a ladder of rules read top to bottom: the first rule that
 * applies decides. Derived from shared/spec/protocol-checklist.md (§1 status codes, §2 era
 * classification, §3.2 the 2026 validation ladder, §4 error codes, §5 headers, §6 sessions) and
 * the 2025-11-25 Streamable HTTP transport; where the spec leaves a choice, every allowed answer
 * is listed. Nothing here is read from the server's code.
 */
import type { SessionFacts, TargetName, WireRequest } from "../model.js";
import { type Parsed, type RequestId, claimsModern, envelopeOf, isLegacyVersion, isModernHeader, isRecord, isValidId, readings } from "./envelope.js";
import { modernLadder } from "./expect-modern.js";
import { legacyRequest } from "./expect-legacy.js";
import { accepts, headerOf } from "./request-facts.js";

/** One acceptable answer. */
export type Answer =
  /** A JSON-RPC error: HTTP status, allowed codes (any standard code when left out), and which id it must carry. */
  | { kind: "error"; status: number[]; codes?: number[]; id: "null" | "echo" | "echo-or-null"; requestId?: RequestId }
  /** 202 with an empty body: notifications and responses. */
  | { kind: "accepted" }
  /** 200 with the JSON-RPC response to `id`, as JSON or on an event stream. */
  | { kind: "reply"; era: "legacy" | "modern"; id: RequestId; outcome: "result" | "error" | "either"; codes?: number[] }
  /** 200 event stream that stays open (GET stream, subscriptions/listen). */
  | { kind: "stream"; era: "legacy" | "modern" }
  /** 200 initialize result with a session id. */
  | { kind: "initialize"; id: RequestId; requested: unknown }
  /** 200 array of replies (2025-03-26 batch), or 202 when it held no request. */
  | { kind: "batch"; items: unknown[] }
  /** CORS preflight: 2xx. */
  | { kind: "preflight" }
  /** Only the status is specified. */
  | { kind: "status"; status: number[] };

export interface Expectation {
  rule: string;
  answer: Answer;
}

export interface Subject {
  target: TargetName;
  request: WireRequest;
  session: SessionFacts;
}

const pathOf = (request: WireRequest) => request.path.split("?")[0];
const METADATA = "/.well-known/oauth-protected-resource";
const isMetadataPath = (path: string) => path === METADATA || path.startsWith(`${METADATA}/`);
/** The Node adapter serves /mcp and its RFC 9728 metadata paths; handle() is mounted by its host. */
const servedByAdapter = (path: string) => path === "/mcp" || path === METADATA || path === `${METADATA}/mcp`;

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]", "::1"];
/** Batches up to this size must be served whole; larger ones may be refused with -32600. */
const MAX_BATCH_SERVED = 100;

/** Default origin policy (README "Options"): http(s) origins on a loopback host, any port. */
function originAllowed(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && LOOPBACK.includes(url.hostname);
  } catch {
    return false;
  }
}

/** Bound to 127.0.0.1, the server must check Host against loopback names (checklist §14). */
function hostAllowed(subject: Subject): boolean {
  const host = headerOf(subject.request, "host");
  // No Host header: the Node client always sends one (127.0.0.1:port); handle() takes the URL's.
  if (host === undefined) return true;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
  return name !== "" && LOOPBACK.includes(name.toLowerCase());
}

export const transportError = (rule: string, ...status: number[]): Expectation => ({ rule, answer: { kind: "error", status, id: "echo-or-null" } });

const contentTypeIsJson = (s: Subject) => headerOf(s.request, "content-type")?.split(";")[0].trim().toLowerCase() === "application/json";
/** A missing or empty Accept is served (simple clients); one that names neither JSON nor SSE is refused. */
const acceptRefusesBoth = (s: Subject) => {
  const accept = headerOf(s.request, "accept");
  return !!accept && !accepts(accept, "application/json") && !accepts(accept, "text/event-stream");
};
const originRefused = (s: Subject) => {
  const origin = headerOf(s.request, "origin");
  return origin !== undefined && !originAllowed(origin);
};

interface Row {
  /** When the rule applies. */
  when: (s: Subject) => boolean;
  /** What may be answered then: a status with a JSON-RPC error body, or a sub-ladder. */
  then: number | ((s: Subject) => Expectation[]);
  rule: string;
}

/**
 * The transport ladder, top to bottom; the first row that applies decides. The statuses are the
 * checklist's §1 table (and §14 for Origin/Host); bodies are JSON-RPC errors unless a sub-ladder says otherwise.
 */
const TRANSPORT: Row[] = [
  { when: (s) => s.target === "http" && !servedByAdapter(pathOf(s.request)), then: 404, rule: "path other than the endpoint (Node adapter)" },
  {
    when: (s) => isMetadataPath(pathOf(s.request)),
    // Public metadata may skip the Origin/Host guard or not: with a foreign one, 403 is fine too.
    then: (s) => [transportError("protected-resource metadata without an auth hook → 404", 404), ...(originRefused(s) || !hostAllowed(s) ? [transportError("foreign Origin/Host → 403", 403)] : [])],
    rule: "metadata",
  },
  { when: originRefused, then: 403, rule: "Origin present and not allowed (§14)" },
  { when: (s) => !hostAllowed(s), then: 403, rule: "Host not a loopback name (§14, DNS rebinding)" },
  { when: (s) => s.request.method === "OPTIONS", then: () => [{ rule: "CORS preflight → 2xx", answer: { kind: "preflight" } }], rule: "preflight" },
  { when: (s) => s.request.method === "GET", then: (s) => getLadder(s), rule: "GET" },
  { when: (s) => s.request.method === "DELETE", then: (s) => deleteLadder(s), rule: "DELETE" },
  { when: (s) => s.request.method !== "POST", then: 405, rule: "method other than GET/POST/DELETE (with Allow)" },
  { when: (s) => !contentTypeIsJson(s), then: 415, rule: "POST whose Content-Type is not application/json (§1)" },
  { when: acceptRefusesBoth, then: 406, rule: "POST whose Accept has neither application/json nor text/event-stream (§1)" },
  { when: (s) => (s.request.body?.byteLength ?? 0) > 1_048_576, then: 413, rule: "body over maxRequestSize (1 MiB)" },
  { when: () => true, then: (s) => readings(s.request.body).flatMap((reading) => postBody(s, reading)), rule: "POST body" },
];

/** The acceptable answers to a request (any one will do). */
export function expectFor(subject: Subject): Expectation[] {
  const row = TRANSPORT.find((candidate) => candidate.when(subject))!;
  return typeof row.then === "number" ? [transportError(`${row.rule} → ${row.then}`, row.then)] : row.then(subject);
}

/** Session checks shared by GET, DELETE and 2025-era POSTs (§5, §6). */
function sessionProblem(subject: Subject): Expectation[] | undefined {
  const version = headerOf(subject.request, "mcp-protocol-version");
  const sessionId = headerOf(subject.request, "mcp-session-id");
  if (sessionId === undefined || sessionId === "") return [transportError("no Mcp-Session-Id on a 2025-era request → 400 (§6)", 400)];
  const badVersion = version !== undefined && !isLegacyVersion(version);
  const gone = subject.session.state !== "live";
  // Both wrong: the spec orders neither check first.
  if (badVersion && gone) return [transportError("unsupported MCP-Protocol-Version → 400", 400), transportError("unknown or ended session → 404", 404)];
  if (badVersion) return [transportError("invalid or unsupported MCP-Protocol-Version → 400 (§1, MUST)", 400)];
  if (gone) return [transportError("unknown or ended session → 404 (§6, MUST)", 404)];
  return undefined;
}

function getLadder(subject: Subject): Expectation[] {
  const accept = headerOf(subject.request, "accept");
  if (accept && !accepts(accept, "text/event-stream")) return [transportError("GET whose Accept excludes text/event-stream → 406 (or 405)", 406, 405)];
  const problem = sessionProblem(subject);
  if (problem) return [...problem, transportError("GET stream refused → 405 (§1: a server MAY have none)", 405)];
  const lastEventId = headerOf(subject.request, "last-event-id");
  const stream: Expectation = { rule: "GET on a live session → event stream", answer: { kind: "stream", era: "legacy" } };
  if (lastEventId) return [stream, transportError("Last-Event-ID this server never issued → 400/404", 400, 404)];
  return [stream, transportError("a second GET stream for the session → 409", 409)];
}

function deleteLadder(subject: Subject): Expectation[] {
  const refuse = transportError("DELETE refused → 405 (§6: the server MAY)", 405);
  const problem = sessionProblem(subject);
  if (problem) return [...problem, refuse];
  return [{ rule: "DELETE of a live session → 2xx", answer: { kind: "status", status: [200, 202, 204] } }, refuse];
}

/** What a POST body asks for, under one reading of its bytes. */
function postBody(subject: Subject, reading: Parsed): Expectation[] {
  if (!reading.json) return [{ rule: "body is not JSON → 400 -32700, id null (§4)", answer: { kind: "error", status: [400], codes: [-32700], id: "null" } }];
  const value = reading.value;
  const invalid = (why: string): Expectation => ({
    rule: `${why} → 400 -32600 (§4)`,
    answer: { kind: "error", status: [400], codes: [-32600], id: "echo-or-null", requestId: isRecord(value) && isValidId(value.id) ? value.id : undefined },
  });
  if (Array.isArray(value)) return batchLadder(subject, value, invalid);
  const envelope = envelopeOf(value);
  if (envelope === "invalid") return [invalid("JSON that is no JSON-RPC message")];
  const asMessage = messageLadder(subject, value as Record<string, unknown>);
  return envelope === "either" ? [invalid("JSON-RPC message MCP does not allow"), ...asMessage] : asMessage;
}

function batchLadder(subject: Subject, items: unknown[], invalid: (why: string) => Expectation): Expectation[] {
  if (items.length === 0) return [invalid("empty batch")];
  if (items.some(claimsModern)) return [invalid("batch holding a 2026-07-28 message (§2 row 2)")];
  const noMessage = items.every((item) => envelopeOf(item) !== "valid");
  const refusedWhole: Expectation[] = noMessage ? [invalid("batch of which no item is a message")] : [];
  // PRACTICE: a server may bound how many messages one batch carries (the spec sets no number),
  // and may check that before or after the session.
  const tooLarge = items.length > MAX_BATCH_SERVED ? [invalid(`batch of over ${MAX_BATCH_SERVED} items, past a server's bound`)] : [];
  const problem = sessionProblem(subject);
  if (problem) return [...refusedWhole, ...problem, ...tooLarge];
  if (subject.session.version !== "2025-03-26") return [...refusedWhole, invalid("batch outside a 2025-03-26 session (§1)"), ...tooLarge];
  return [...refusedWhole, ...tooLarge, { rule: "2025-03-26 batch → 200 array of replies, or 202", answer: { kind: "batch", items } }];
}

/** One well-formed message: which era owns it, then that era's rules (§2). */
function messageLadder(subject: Subject, message: Record<string, unknown>): Expectation[] {
  if (claimsModern(message)) return modernLadder(subject, message);
  const version = headerOf(subject.request, "mcp-protocol-version");
  const hasId = "id" in message;
  if (message.method === "initialize" && hasId) {
    if (isModernHeader(version)) return [transportError("initialize under a 2026 protocol header → 400 (§2 PRACTICE)", 400)];
    return initializeLadder(message);
  }
  if (isModernHeader(version) && typeof message.method === "string") {
    if (!hasId) return [{ rule: "notification under a 2026 header without _meta → 202 (§2 row 8)", answer: { kind: "accepted" } }];
    return [{ rule: "request under a 2026 header without _meta → 400 -32602 (§2 row 6)", answer: { kind: "error", status: [400], codes: [-32602], id: "echo-or-null", requestId: message.id as RequestId } }];
  }
  const problem = sessionProblem(subject);
  if (problem) return problem;
  if (!("method" in message) || !hasId) return [{ rule: "notification or response in a session → 202 (§1)", answer: { kind: "accepted" } }];
  return legacyRequest(message as { id: RequestId; method: string; params?: Record<string, unknown> }, subject.session.version);
}

function initializeLadder(message: Record<string, unknown>): Expectation[] {
  const params = isRecord(message.params) ? message.params : {};
  const id = message.id as RequestId;
  const capabilities = params.capabilities;
  const bad = { kind: "error" as const, codes: [-32602], id: "echo" as const, requestId: id };
  const refusals: Expectation[] = [
    { rule: "initialize with malformed params → -32602", answer: { ...bad, status: [400] } },
    { rule: "initialize with malformed params → -32602 in band", answer: { kind: "reply", era: "legacy", id, outcome: "error", codes: [-32602] } },
  ];
  const served: Expectation = { rule: "initialize → 200 result with a 2025-era version and a session id (§3.1)", answer: { kind: "initialize", id, requested: params.protocolVersion } };
  if (typeof params.protocolVersion !== "string") return refusals;
  if (capabilities === undefined) return [served, ...refusals]; // required by the schema; serving anyway is lenient
  if (capabilities === null) return [served, ...refusals];
  return isRecord(capabilities) ? [served] : refusals;
}
