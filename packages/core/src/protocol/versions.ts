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

/** Date-shaped version strings compare lexically; 2026-07-28 and later are stateless. */
export const claimsModernEra = (v: string): boolean => v >= "2026-07-28";

/** `initialize` answers with the client's version when we speak it, else our newest 2025-era one. */
export function negotiateLegacyVersion(requested: unknown): LegacyVersion {
  return isLegacyVersion(requested) ? requested : LATEST_LEGACY_VERSION;
}

/** True when `version` is at least `since` (both date-shaped). */
export const atLeast = (version: string, since: string): boolean => version >= since;
