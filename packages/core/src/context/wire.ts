/**
 * What a handler's context needs from the transport, whatever the era:
 * a 2025 session stream, a 2026 stateless response, or stdio.
 */
export interface RequestWire {
  /** Sends a notification tied to this request (progress, log). May switch the response to SSE. */
  notify(method: string, params: Record<string, unknown>): void;
  /**
   * Sends a server→client request and resolves with the client's result. On a 2026 request
   * the answer comes from the retry's `inputResponses[key]` instead (see StatelessCallResponse).
   */
  ask(method: string, params: Record<string, unknown>, signal: AbortSignal, key?: string): Promise<Record<string, unknown>>;
  /** Ends the HTTP connection of this request's SSE stream without ending the stream (SSE polling). */
  closeStream(): void;
  /** Aborted on cancellation, session end, or (2026 era) when the client drops the response. */
  readonly signal: AbortSignal;
}

/**
 * Thrown inside a handler on a 2026 request when it needs an answer the client has not
 * given yet; Wisp answers `input_required`. Let it propagate (rethrow if you catch errors).
 */
export class InputRequired extends Error {
  override name = "InputRequired";
  constructor() {
    super("This request needs input from the client (input_required); do not catch this error in a handler");
  }
}
