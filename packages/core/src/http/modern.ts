import { ErrorCode, HttpError } from "../protocol/errors.js";
import type { Exchange, Outcome } from "./exchange.js";
import type { HostContext } from "./handle.js";
import type { LegacyDeps } from "./legacy.js";

/**
 * Requests that carry `_meta["io.modelcontextprotocol/protocolVersion"]` (2026-07-28).
 * The stateless leg arrives with the next milestone; until then such clients are told
 * which versions we speak, so a dual-era client falls back to `initialize`.
 */
export async function modernPost(
  _deps: LegacyDeps,
  body: unknown,
  _ask: { exchange: Exchange; host: HostContext | undefined; headers: Record<string, string>; canStream: boolean },
): Promise<Outcome> {
  const requested = (body as { params: { _meta: Record<string, unknown> } }).params._meta["io.modelcontextprotocol/protocolVersion"];
  throw new HttpError(400, ErrorCode.UnsupportedProtocolVersion, `Unsupported protocol version: ${String(requested)}`, {
    supported: [],
    requested,
  });
}
