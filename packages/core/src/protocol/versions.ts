/** Every 2025-era revision, oldest first. They share `initialize` and sessions. */
export const LEGACY_VERSIONS = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] as const;
export type LegacyVersion = (typeof LEGACY_VERSIONS)[number];
export const LATEST_LEGACY_VERSION: LegacyVersion = "2025-11-25";

/** Stateless revisions: no `initialize`, per-request `_meta`. */
export const MODERN_VERSIONS = ["2026-07-28"] as const;
export type ModernVersion = (typeof MODERN_VERSIONS)[number];

const legacySet: ReadonlySet<string> = new Set(LEGACY_VERSIONS);
const modernSet: ReadonlySet<string> = new Set(MODERN_VERSIONS);

export const isLegacyVersion = (v: unknown): v is LegacyVersion => typeof v === "string" && legacySet.has(v);
export const isModernVersion = (v: unknown): v is ModernVersion => typeof v === "string" && modernSet.has(v);

/** `initialize` answers with the client's version when we speak it, else our newest 2025-era one. */
export function negotiateLegacyVersion(requested: unknown): LegacyVersion {
  return isLegacyVersion(requested) ? requested : LATEST_LEGACY_VERSION;
}

// Feature checks, one per wire difference between revisions. Versions are date-shaped, so they
// compare lexically; every revision check in the code goes through one of these names.

/** 2026-07-28 and later are stateless: a version this new never opens a session. */
export const isStatelessEra = (version: string): boolean => version >= "2026-07-28";

/** JSON-RPC batches exist in exactly one revision. */
export const allowsBatches = (version: string): boolean => version === "2025-03-26";

/**
 * SSE streams open with a priming event (an id, empty data, `retry:`), so a client can resume
 * even before the first message, and the server may close a stream for polling (SEP-1699).
 */
export const hasPrimingEvents = (version: string): boolean => version >= "2025-11-25";

/** Tool argument errors are a tool result the model can act on, not a protocol error (SEP-1303). */
export const reportsToolInputErrorsInResult = (version: string): boolean => version >= "2025-11-25";

/** `elicitation/create` names its mode (`form` or `url`). */
export const elicitationHasModes = (version: string): boolean => version >= "2025-11-25";
