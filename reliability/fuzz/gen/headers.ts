/**
 * Header sets: what a correct client of the era sends, with each header now and then left out,
 * slightly wrong, or garbage. "mirror" headers are filled in from the body when the request is built.
 */
import fc from "fast-check";
import type { HeaderChoice, HeadersPlan } from "../model.js";
import { garbageHeaderValue, headerText } from "./values.js";

const absent: HeaderChoice = { v: "absent" };
const given = (...values: string[]) => fc.constantFrom(...values).map((value): HeaderChoice => ({ v: "lit", value }));
const garbage = garbageHeaderValue.map((value): HeaderChoice => ({ v: "lit", value }));
const mirror = (style: "plain" | "base64" | "padded" = "plain"): HeaderChoice => ({ v: "mirror", style });

/** Usually `usual`, sometimes one of the near misses, rarely noise. */
const mostly = (usual: fc.Arbitrary<HeaderChoice>, near: fc.Arbitrary<HeaderChoice>) =>
  fc.oneof({ weight: 60, arbitrary: usual }, { weight: 2, arbitrary: near }, { weight: 1, arbitrary: garbage });

const contentType = mostly(
  given("application/json"),
  fc.oneof(
    given("application/json; charset=utf-8", "APPLICATION/JSON", "application/json;charset=latin1", "text/plain", "application/jsonx", "application/json-rpc", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "", "application/json, text/plain"),
    fc.constant(absent),
  ),
);

const accept = mostly(
  given("application/json, text/event-stream"),
  fc.oneof(given("application/json", "text/event-stream", "*/*", "application/*", "text/*", "text/html", "", "application/json;q=0.5, text/event-stream;q=0.9", "image/png"), fc.constant(absent)),
);

/** Origin and Host: absent or loopback (allowed), and foreign or malformed (403). */
const origin = fc.oneof(
  { weight: 200, arbitrary: fc.constant(absent) },
  { weight: 3, arbitrary: given("http://localhost:3000", "http://127.0.0.1", "https://[::1]:8443", "http://LOCALHOST") },
  { weight: 3, arbitrary: given("https://evil.example", "null", "", "http://localhost.evil.com", "file://", "http://127.0.0.2", "ftp://localhost") },
  { weight: 1, arbitrary: garbage },
);
const host = fc.oneof(
  { weight: 200, arbitrary: fc.constant(absent) },
  { weight: 3, arbitrary: given("localhost", "LOCALHOST:80", "127.0.0.1:1", "[::1]:80", "localhost:99999") },
  { weight: 3, arbitrary: given("evil.com", "127.0.0.1.nip.io", "", "[::2]", "localhost.") },
  { weight: 1, arbitrary: garbage },
);

const modernVersionHeader = mostly(fc.constant(mirror()), fc.oneof(given("2025-11-25", "2026-07-28 ", "2099-01-01", "", "2026-07-28, 2026-07-28"), fc.constant(absent)));
const legacyVersionHeader = fc.oneof(
  { weight: 12, arbitrary: fc.constant(mirror()) },
  { weight: 6, arbitrary: fc.constant(absent) },
  { weight: 2, arbitrary: given("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25") },
  { weight: 2, arbitrary: given("2026-07-28", "1999-01-01", "2025-11-25 ", "latest", "") },
  { weight: 1, arbitrary: garbage },
);

/** Mcp-Method / Mcp-Name: a modern client mirrors the body (plain or base64); a legacy one leaves them out. */
const mirrored = (forModern: boolean) =>
  forModern
    ? mostly(
        fc.oneof({ weight: 6, arbitrary: fc.constant(mirror()) }, { weight: 1, arbitrary: fc.constant(mirror("base64")) }, { weight: 1, arbitrary: fc.constant(mirror("padded")) }),
        fc.oneof(fc.constant(absent), given("tools/list", "TOOLS/CALL", "echo", "=?base64?###?=", "=?base64?dG9vbHMvY2FsbA=?=", "=?base64?dG9vbHMvY2FsbA==?="), headerText(12).map((value): HeaderChoice => ({ v: "lit", value }))),
      )
    : fc.oneof({ weight: 12, arbitrary: fc.constant(absent) }, { weight: 2, arbitrary: fc.constant(mirror()) }, { weight: 1, arbitrary: garbage });

/** Last-Event-ID: never issued, malformed, or shaped like ours but from nowhere. */
const lastEventId = (forGet: boolean) =>
  forGet
    ? fc.oneof(
        { weight: 4, arbitrary: fc.constant(absent) },
        { weight: 3, arbitrary: given("pAAAAAAAAAA_3", "gAAAAAAAAAA_0", "control_1", "p_1", "g_0", "_5", "g", "p", "pXYZ_-1", "gXYZ_1e3", "1", "", "pAAAAAAAAAA_99999999999999999999") },
        { weight: 1, arbitrary: garbage },
      )
    : fc.oneof({ weight: 30, arbitrary: fc.constant(absent) }, { weight: 1, arbitrary: given("gAAAAAAAAAA_0", "x") });

const authorization = fc.oneof({ weight: 20, arbitrary: fc.constant(absent) }, { weight: 1, arbitrary: given("Bearer abc", "Basic Zm9vOmJhcg==", "Bearer", "") }, { weight: 1, arbitrary: garbage });

/** Header names that are ordinary tokens; hop-by-hop and framing headers are left to the client. */
const extraName = fc.constantFrom("mcp-param-region", "mcp-param-unknown", "mcp-param-", "x-forwarded-for", "cookie", "content-encoding", "accept-encoding", "x-mcp", "mcp-session-id-2", "referer");
const extra = fc.array(fc.tuple(extraName, garbageHeaderValue), { maxLength: 2 });

export type HeaderFlavour = "modern" | "legacy" | "get" | "other";

export function headersPlan(flavour: HeaderFlavour): fc.Arbitrary<HeadersPlan> {
  const modern = flavour === "modern";
  return fc.record({
    contentType: flavour === "get" ? fc.oneof({ weight: 8, arbitrary: fc.constant(absent) }, { weight: 1, arbitrary: contentType }) : contentType,
    accept: flavour === "get" ? mostly(given("text/event-stream"), fc.oneof(given("application/json", "*/*", "text/*", ""), fc.constant(absent))) : accept,
    origin,
    host,
    protocolVersion: modern ? modernVersionHeader : legacyVersionHeader,
    mcpMethod: mirrored(modern),
    mcpName: mirrored(modern),
    mcpParamRegion: modern ? fc.oneof({ weight: 4, arbitrary: fc.constant(mirror()) }, { weight: 1, arbitrary: fc.constant(absent) }, { weight: 1, arbitrary: given("eu-west", "=?base64?ZXUtd2VzdA==?=", "42", "=?base64?%%%?=") }) : fc.constant(absent),
    lastEventId: lastEventId(flavour === "get"),
    authorization,
    extra,
  });
}
