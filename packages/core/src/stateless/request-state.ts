import { ErrorCode, McpError } from "../protocol/errors.js";

/**
 * `requestState` for 2026-era input rounds (MRTR). The client echoes it verbatim, so it is
 * attacker-controlled: we sign it (HMAC-SHA256) and bind it to an expiry, the method, a digest
 * of the original params and the caller's principal. The answers gathered in earlier rounds
 * ride inside it, which is what lets any instance continue the conversation.
 */
export interface StatePayload {
  /** Expiry, ms since epoch. */
  exp: number;
  /** The method it was issued for. */
  m: string;
  /** SHA-256 of the canonical original params (base64url). */
  d: string;
  /** Authenticated principal, when there is one. */
  p?: string;
  /** Answers collected so far, by input key. */
  a: Record<string, unknown>;
}

/**
 * Claims a token across every instance: resolves with a way to give the claim back, or
 * undefined when somebody already holds it (a replay).
 */
export type ClaimOnce = (signature: string, ttlMs: number) => Promise<(() => Promise<void>) | undefined>;

/** An opened requestState, and the claim to give back when its retry failed (the client may correct it and retry). */
export interface OpenedState {
  payload: StatePayload;
  unclaim?: () => Promise<void>;
}

const encoder = new TextEncoder();
let warned = false;

export class RequestStateSealer {
  readonly #key: Promise<CryptoKey>;
  readonly #randomKey: boolean;
  readonly ttlMs: number;

  constructor(secret: string | Uint8Array | undefined, ttlMs = 10 * 60_000) {
    this.ttlMs = ttlMs;
    this.#randomKey = secret === undefined;
    this.#key = importKey(secret);
    // Awaited by seal() and open(); until one of them runs, a failure must not count as unhandled.
    this.#key.catch(() => {});
  }

  /**
   * `overHttp` is false on stdio: one process serves its one client there, so every retry comes
   * back to the key that sealed it. Over HTTP nothing tells how many instances answer the
   * endpoint (a load balancer, serverless functions, Worker isolates, even with memory storage),
   * so the first input round served without a secret warns, once per process.
   */
  async seal(payload: StatePayload, overHttp = true): Promise<string> {
    if (overHttp && this.#randomKey && !warned) {
      warned = true;
      console.warn(
        "[wisp] No requestStateSecret configured: 2026-era input rounds (input_required) are signed with a random key of " +
          "this process, so a retry that reaches another instance is refused. If more than one instance serves this endpoint, " +
          "give each the same secret of at least 32 bytes: createServer({ requestStateSecret }), e.g. from a " +
          "WISP_REQUEST_STATE_SECRET environment variable.",
      );
    }
    const body = base64url(encoder.encode(JSON.stringify(payload)));
    const signature = await crypto.subtle.sign("HMAC", await this.#key, encoder.encode(body));
    return `${body}.${base64url(new Uint8Array(signature))}`;
  }

  /**
   * Verifies and decodes; every failure is the same -32602 so nothing leaks about why. With
   * `claim`, a token opens once at a time and for one successful retry: a replayed confirmation
   * must not run a destructive handler twice, so a second use is refused and the client starts
   * over. A retry that ended in an error gives the claim back (`unclaim`).
   */
  async open(token: unknown, expected: { method: string; digest: string; principal?: string }, claim?: ClaimOnce): Promise<OpenedState> {
    const invalid = (why: string) => new McpError(ErrorCode.InvalidParams, `Invalid requestState: ${why}; start over without requestState`);
    if (typeof token !== "string" || token.length > 1_000_000) throw invalid("not a string this server issued");
    const dot = token.indexOf(".");
    const body = token.slice(0, dot);
    const signature = fromBase64url(token.slice(dot + 1));
    if (dot <= 0 || !signature) throw invalid("not a string this server issued");
    const ok = await crypto.subtle.verify("HMAC", await this.#key, signature, encoder.encode(body));
    if (!ok) throw invalid("signature check failed");
    let payload: StatePayload;
    try {
      payload = JSON.parse(new TextDecoder().decode(fromBase64url(body)!)) as StatePayload;
    } catch {
      throw invalid("unreadable");
    }
    if (payload.exp < Date.now()) throw invalid("expired");
    if (payload.m !== expected.method) throw invalid(`issued for ${payload.m}, not ${expected.method}`);
    if (payload.d !== expected.digest) throw invalid("issued for different params");
    if ((payload.p ?? "") !== (expected.principal ?? "")) throw invalid("issued to another caller");
    if (!claim) return { payload };
    const unclaim = await claim(token.slice(dot + 1), payload.exp - Date.now() + 1_000);
    if (!unclaim) throw invalid("already used (each requestState answers one retry)");
    return { payload, unclaim };
  }
}

async function importKey(secret: string | Uint8Array | undefined): Promise<CryptoKey> {
  let bytes: Uint8Array<ArrayBuffer>;
  if (secret === undefined) {
    bytes = crypto.getRandomValues(new Uint8Array(32));
  } else {
    bytes = typeof secret === "string" ? encoder.encode(secret) : new Uint8Array(secret);
    if (bytes.length < 32) throw new TypeError("createServer: requestStateSecret must be at least 32 bytes");
  }
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** Deeper params than this are refused (-32602) rather than walked: the walk below recurses. */
export const MAX_PARAMS_DEPTH = 512;

/** SHA-256 of the params that identify a request, independent of key order and of the round's extras. */
export async function paramsDigest(method: string, params: Record<string, unknown>): Promise<string> {
  const { _meta: _m, inputResponses: _i, requestState: _r, ...rest } = params;
  if ((method === "tools/call" || method === "prompts/get") && rest.arguments === undefined) rest.arguments = {};
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(canonical(rest)));
  return base64url(new Uint8Array(digest));
}

function canonical(value: unknown, depth = 0): string {
  if (depth > MAX_PARAMS_DEPTH) throw new McpError(ErrorCode.InvalidParams, `Invalid params: nested deeper than ${MAX_PARAMS_DEPTH} levels`);
  if (Array.isArray(value)) return `[${value.map((item) => canonical(item, depth + 1)).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key], depth + 1)}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes canonical base64url only: unused bits in the last character would make one token many. */
function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return base64url(bytes) === text ? bytes : undefined;
  } catch {
    return undefined;
  }
}
