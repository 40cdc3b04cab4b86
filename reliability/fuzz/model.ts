/**
 * The data the fuzzer passes around. Plans are plain values that fast-check generates and shrinks;
 * a plan becomes a concrete wire request only when it is sent (session ids exist only then).
 */

/**
 * A JSON document as bytes will carry it: ordered entries so duplicate keys survive, raw literal
 * text for numbers JSON.stringify cannot write (1e400, -0), nesting generated as text (10 000 levels
 * would overflow a recursive builder), and raw bytes for invalid UTF-8.
 */
export type JNode =
  | { t: "lit"; text: string }
  | { t: "obj"; entries: [string, JNode][] }
  | { t: "arr"; items: JNode[] }
  | { t: "deep"; depth: number; shape: "obj" | "arr" | "mixed" }
  | { t: "bytes"; bytes: number[] };

export type BodyPlan =
  | { kind: "none" }
  | { kind: "json"; node: JNode; bom?: boolean }
  /** The JSON text cut after `keep` of its bytes (0 < keep < 1): truncated input. */
  | { kind: "truncated"; node: JNode; keep: number }
  | { kind: "text"; text: string }
  /** Larger than the server's 1 MiB limit. */
  | { kind: "oversize"; bytes: number };

/** A header value: left out, copied from the body (what a correct client sends), or given. */
export type HeaderChoice =
  | { v: "absent" }
  | { v: "mirror"; style: "plain" | "base64" | "padded" }
  | { v: "lit"; value: string };

export interface HeadersPlan {
  contentType: HeaderChoice;
  accept: HeaderChoice;
  origin: HeaderChoice;
  host: HeaderChoice;
  protocolVersion: HeaderChoice;
  mcpMethod: HeaderChoice;
  mcpName: HeaderChoice;
  mcpParamRegion: HeaderChoice;
  lastEventId: HeaderChoice;
  authorization: HeaderChoice;
  /** Anything else, including Mcp-Param-* names no tool declares. */
  extra: [string, string][];
}

/**
 * Which session a request names. Live sessions come from a pool per target; "own" is a session
 * made for this plan alone (so a DELETE or a sequence never disturbs another plan); "deleted" has
 * been ended with DELETE; "unknown" was never issued.
 */
export type SessionRef =
  | "none"
  | "live"
  | "live-0326"
  | "live-elicit"
  | "own"
  | "deleted"
  | "unknown"
  | { lit: string };

export type HttpMethod = "GET" | "POST" | "DELETE" | "PUT" | "OPTIONS" | "PATCH" | "HEAD";

export interface RequestPlan {
  method: HttpMethod;
  path: string;
  session: SessionRef;
  headers: HeadersPlan;
  body: BodyPlan;
}

/** One generated case: usually one request, or a short sequence sharing one "own" session. */
export interface Plan {
  label: string;
  steps: RequestPlan[];
}

/** What is actually sent. Header names are lower-case. */
export interface WireRequest {
  method: HttpMethod;
  path: string;
  headers: [string, string][];
  body: Uint8Array | null;
}

/** What the session named by a request is, as far as the harness knows. */
export interface SessionFacts {
  state: "none" | "live" | "deleted" | "unknown";
  /** The negotiated version of a live session. */
  version?: string;
}

export type TargetName = "http" | "handle";

/** A response as read within the time bound. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  /** The whole body (JSON and others), or what was read of an event stream. */
  text: string;
  /** True when the body is an event stream (read until the final response or the bound). */
  sse: boolean;
  /** True when the event stream was still open when we stopped reading. */
  cutOff: boolean;
  ms: number;
  /** Set when no HTTP answer arrived (socket error, timeout). */
  failure?: string;
}

export interface Violation {
  target: TargetName;
  rule: string;
  detail: string;
  request: WireRequest;
  response?: Pick<WireResponse, "status" | "text" | "ms" | "failure">;
}
