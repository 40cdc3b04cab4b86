/**
 * Judges one answer: rules every answer obeys (bounded time, no 5xx but a deliberate 503, never
 * -32603 for client input), then whether it is one of the answers the ladder allows.
 */
import type { Violation, WireResponse } from "../model.js";
import { type RequestId, envelopeOf, isRecord, isValidId, parseText } from "./envelope.js";
import { type Answer, type Expectation, type Subject, expectFor } from "./expect.js";
import { messagesOf, parseEvents } from "./sse.js";

/** How long any answer may take (headers and a JSON body, or an event stream's final response). */
export const ANSWER_BOUND_MS = 5_000;

const LEGACY_VERSIONS = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];
const RESULT_TYPES = ["complete", "input_required", "task"];

type Finding = Pick<Violation, "rule" | "detail">;

/** The JSON-RPC messages of an answer: the JSON body (one or a batch) or the stream's events. */
function messagesIn(response: WireResponse): { messages: unknown[]; problem?: string } {
  if (response.sse) {
    const { messages, unparsable } = messagesOf(parseEvents(response.text));
    return { messages, problem: unparsable.length ? `event data is not JSON: ${unparsable[0]}` : undefined };
  }
  if (response.text === "") return { messages: [] };
  const parsed = parseText(response.text);
  if (!parsed.json) return { messages: [], problem: `body is not JSON: ${response.text.slice(0, 120)}` };
  return { messages: Array.isArray(parsed.value) ? parsed.value : [parsed.value] };
}

/** JSON-RPC 2.0 error object: integer code, non-empty message (§4). */
function errorProblem(message: Record<string, unknown>): string | undefined {
  if (message.jsonrpc !== "2.0") return 'error response without jsonrpc "2.0"';
  if (!(message.id === null || isValidId(message.id))) return `error id ${JSON.stringify(message.id)} is not a string, integer or null`;
  const error = message.error;
  if (!isRecord(error)) return "error member is not an object";
  if (!Number.isInteger(error.code)) return `error.code ${JSON.stringify(error.code)} is not an integer`;
  if (typeof error.message !== "string" || error.message === "") return "error.message is not a non-empty string";
  if ("result" in message) return "response carries both result and error";
  return undefined;
}

/**
 * Rules every answer obeys, whatever was asked. A 5xx or an internal error explains the exchange
 * on its own, so the caller reports nothing else for it (one defect, one finding).
 */
function universal(subject: Subject, response: WireResponse): Finding[] {
  if (response.failure) {
    // Past the size limit a server may close the connection before reading the rest (413 or a reset).
    const oversize = (subject.request.body?.byteLength ?? 0) > 1_048_576;
    return !oversize || /timed out/.test(response.failure) ? [{ rule: "every request gets an HTTP answer within the bound", detail: response.failure }] : [];
  }
  if (response.status >= 500 && !(response.status === 503 && response.headers["retry-after"])) {
    return [{ rule: "no 5xx except a deliberate 503 with Retry-After", detail: `status ${response.status}: ${response.text.slice(0, 160)}` }];
  }
  for (const message of messagesIn(response).messages) {
    if (isRecord(message) && isRecord(message.error) && message.error.code === -32603) {
      return [{ rule: "client input never causes -32603 Internal error", detail: `status ${response.status}: ${JSON.stringify(message.error).slice(0, 200)}` }];
    }
  }
  // Streams are read up to the bound and judged by what arrived; a whole JSON answer must fit in it.
  if (!response.sse && response.ms > ANSWER_BOUND_MS) return [{ rule: "answered within the bound", detail: `took ${response.ms} ms` }];
  return [];
}

/** Why `response` is not `answer`, or undefined when it is. */
function mismatch(answer: Answer, subject: Subject, response: WireResponse, bodyId: RequestId | undefined): string | undefined {
  const { status } = response;
  const head = subject.request.method === "HEAD";
  switch (answer.kind) {
    case "status":
      return answer.status.includes(status) ? undefined : `status ${status}, expected ${answer.status.join("/")}`;
    case "preflight":
      return status >= 200 && status < 300 ? undefined : `status ${status}, expected 2xx`;
    case "accepted":
      if (status !== 202) return `status ${status}, expected 202`;
      return response.text === "" ? undefined : "202 with a body";
    case "error": {
      if (!answer.status.includes(status)) return `status ${status}, expected ${answer.status.join("/")}`;
      if (status === 405 && !response.headers.allow) return "405 without an Allow header (RFC 9110)";
      if (head) return undefined;
      const { messages, problem } = messagesIn(response);
      if (problem) return problem;
      const message = messages[0];
      if (messages.length !== 1 || !isRecord(message)) return `expected one JSON-RPC error body, got ${response.text.slice(0, 120) || "(empty)"}`;
      const malformed = errorProblem(message);
      if (malformed) return malformed;
      const code = (message.error as { code: number }).code;
      if (answer.codes && !answer.codes.includes(code)) return `code ${code}, expected ${answer.codes.join("/")}`;
      const own = answer.requestId ?? bodyId;
      if (answer.id === "null" && message.id !== null) return `id ${JSON.stringify(message.id)}, expected null`;
      if (answer.id === "echo" && message.id !== own) return `id ${JSON.stringify(message.id)}, expected the request's ${JSON.stringify(own)}`;
      if (answer.id === "echo-or-null" && message.id !== null && message.id !== own) return `id ${JSON.stringify(message.id)} is neither null nor the request's`;
      return undefined;
    }
    case "reply":
    case "initialize":
      return replyMismatch(answer, response);
    case "stream": {
      if (status !== 200 || !response.sse) return `status ${status} ${response.sse ? "stream" : "not a stream"}, expected a 200 event stream`;
      const { messages, problem } = messagesIn(response);
      if (problem) return problem;
      if (answer.era === "modern") {
        const first = messages[0];
        if (!response.cutOff && messages.length === 0) return undefined; // closed by the server before anything: allowed
        if (!isRecord(first) || first.method !== "notifications/subscriptions/acknowledged") return "listen stream does not start with notifications/subscriptions/acknowledged (§9 MUST)";
        if (response.headers["mcp-session-id"]) return "2026 answer carries Mcp-Session-Id";
      }
      return undefined;
    }
    case "batch":
      return batchMismatch(answer.items, response);
  }
}

function replyMismatch(answer: Extract<Answer, { kind: "reply" | "initialize" }>, response: WireResponse): string | undefined {
  if (response.status !== 200) return `status ${response.status}, expected 200`;
  const { messages, problem } = messagesIn(response);
  if (problem) return problem;
  const final = messages.find((m) => isRecord(m) && m.id === answer.id && ("result" in m || "error" in m)) as Record<string, unknown> | undefined;
  const era = answer.kind === "reply" ? answer.era : "legacy";
  if (era === "modern") {
    if (messages.some((m) => isRecord(m) && "method" in m && "id" in m)) return "2026 stream carries a server→client request (§7 MUST NOT)";
    if (response.headers["mcp-session-id"]) return "2026 answer carries Mcp-Session-Id";
  }
  if (!final) return response.cutOff ? `no response with id ${JSON.stringify(answer.id)} within ${ANSWER_BOUND_MS} ms` : `no response with id ${JSON.stringify(answer.id)} in ${response.text.slice(0, 160) || "(empty)"}`;
  if (final.jsonrpc !== "2.0") return 'response without jsonrpc "2.0"';
  if ("error" in final) {
    const malformed = errorProblem(final);
    if (malformed) return malformed;
    if (answer.kind === "initialize") return `initialize failed: ${JSON.stringify(final.error).slice(0, 160)}`;
    if (answer.outcome === "result") return `error ${JSON.stringify(final.error).slice(0, 160)}, expected a result`;
    const code = (final.error as { code: number }).code;
    if (answer.codes && !answer.codes.includes(code)) return `code ${code}, expected ${answer.codes.join("/")}`;
    return undefined;
  }
  if (!isRecord(final.result)) return "result is not an object";
  if (answer.kind === "initialize") {
    const result = final.result;
    const version = result.protocolVersion;
    if (typeof version !== "string" || !LEGACY_VERSIONS.includes(version)) return `initialize negotiated ${JSON.stringify(version)}, not a 2025-era version (§3.1)`;
    if (typeof answer.requested === "string" && LEGACY_VERSIONS.includes(answer.requested) && version !== answer.requested) return `asked for ${answer.requested}, got ${version} (§3.1 MUST)`;
    if (!isRecord(result.serverInfo) || typeof result.serverInfo.name !== "string") return "initialize result without serverInfo.name";
    const session = response.headers["mcp-session-id"];
    if (session !== undefined && !/^[\x21-\x7e]+$/.test(session)) return `Mcp-Session-Id ${JSON.stringify(session)} has characters outside 0x21–0x7E (§6)`;
    return undefined;
  }
  if (answer.outcome === "error") return `result ${JSON.stringify(final.result).slice(0, 160)}, expected an error (${answer.codes?.join("/") ?? "any"})`;
  if (era === "modern" && !RESULT_TYPES.includes(final.result.resultType as string)) return `2026 result without a valid resultType (§12 MUST): ${JSON.stringify(final.result.resultType)}`;
  return undefined;
}

function batchMismatch(items: unknown[], response: WireResponse): string | undefined {
  const isRequest = (item: unknown) => envelopeOf(item) === "valid" && isRecord(item) && "method" in item && "id" in item;
  const requests = items.filter(isRequest) as Record<string, unknown>[];
  // Items that are no message get an error (id null); those MCP may or may not allow, possibly one.
  const mustAnswer = requests.length + items.filter((item) => envelopeOf(item) === "invalid").length;
  const mayAnswer = mustAnswer + items.filter((item) => envelopeOf(item) === "either").length;
  if (response.status === 202) return mustAnswer === 0 && response.text === "" ? undefined : "202 for a batch that needs replies";
  if (response.status !== 200) return `status ${response.status}, expected 200 (or 202)`;
  if (mayAnswer === 0) return "200 for a batch of notifications and responses only";
  const parsed = parseText(response.text);
  if (!parsed.json || !Array.isArray(parsed.value)) return `batch answer is not a JSON array: ${response.text.slice(0, 120)}`;
  const replies = parsed.value;
  for (const reply of replies) {
    if (!isRecord(reply) || reply.jsonrpc !== "2.0") return `batch reply is not a JSON-RPC response: ${JSON.stringify(reply).slice(0, 120)}`;
    if ("error" in reply) {
      const malformed = errorProblem(reply);
      if (malformed) return malformed;
    } else if (!("result" in reply)) return "batch reply with neither result nor error";
  }
  const ids = replies.map((reply) => (reply as Record<string, unknown>).id);
  const missing = requests.find((request) => !ids.includes(request.id));
  if (missing) return `no reply for request id ${JSON.stringify(missing.id)}`;
  if (replies.length < mustAnswer || replies.length > mayAnswer) return `${replies.length} replies, expected ${mustAnswer === mayAnswer ? mustAnswer : `${mustAnswer}–${mayAnswer}`}`;
  return undefined;
}

/** The request's own id, read leniently, for "echo or null" checks. */
function bodyIdOf(subject: Subject): RequestId | undefined {
  if (!subject.request.body) return undefined;
  const parsed = parseText(new TextDecoder().decode(subject.request.body));
  return parsed.json && isRecord(parsed.value) && isValidId(parsed.value.id) ? parsed.value.id : undefined;
}

export interface Judgement {
  /** Every broken rule; empty when the answer is a correct one. */
  findings: Finding[];
  /** The ladder rule the answer satisfied (coverage of the table), when one did. */
  matched?: string;
}

export function judge(subject: Subject, response: WireResponse): Judgement {
  const findings = universal(subject, response);
  if (findings.length > 0) return { findings };
  const expectations: Expectation[] = expectFor(subject);
  const bodyId = bodyIdOf(subject);
  const problems = expectations.map((expectation) => ({ expectation, why: mismatch(expectation.answer, subject, response, bodyId) }));
  const passed = problems.find((p) => p.why === undefined);
  if (passed) return { findings, matched: passed.expectation.rule };
  const [first] = problems;
  const others = problems.slice(1).map((p) => `; or ${p.expectation.rule}: ${p.why}`).join("");
  findings.push({ rule: first.expectation.rule, detail: `${first.why}${others}` });
  return { findings };
}
