import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

/**
 * The size budget of @wisp/core (the issue "Benchmark against the official SDK and the raw
 * floor, and a bundle-size budget"): every export of the core, bundled for the web (what a
 * Workers/Bun/Deno user ships), minified by esbuild and gzipped (level 9), must fit in 15 KB.
 *
 * Not counted: the user's schema library. valibot and @valibot/to-json-schema (valibot's own
 * JSON Schema converter, which the core calls only for valibot schemas), zod and arktype are
 * external here: a server ships whichever one it chose, with or without Wisp.
 * Counted: everything the core itself always ships, the raw-JSON-Schema validator
 * @cfworker/json-schema (the core imports it unconditionally, whatever schema library the user
 * picked) and nanoid (ids; under 0.5 KB).
 *
 * `npm run bench` reports the same number, with the quickstart server and the SDK for comparison.
 */
/**
 * The target is 15 KB; today the core is ≈ 36.5 KB (the issue note has the esbuild breakdown:
 * @cfworker/json-schema, the RFC 6570 matcher and both protocol legs). Until it is cut, this guard
 * holds today's size plus 1 KB so nothing grows unnoticed; lower it as the core shrinks.
 * Raised once, from 36 KB: scale-out (leases, compare-and-swap, control messages that survive a
 * dropped bus, storage errors as 503) and the OAuth seams (per-feature scopes, metadata paths)
 * added ≈ 1.6 KB. Raised again, from 37.5 KB: issue 12's hardening (calls in flight with
 * callTimeout and a graceful close, bounded SSE buffers, batch limits, requestState claims, the
 * envelope check) added ≈ 0.5 KB. Issue 13 moves this guard to its new budget.
 */
const TARGET_BYTES = 15 * 1024;
const BUDGET_BYTES = 38.5 * 1024;
const SCHEMA_LIBRARIES = ["valibot", "@valibot/to-json-schema", "zod", "zod/*", "arktype", "arktype/*"];

async function bundleCore() {
  const result = await build({
    entryPoints: [join(import.meta.dirname, "index.ts")],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    conditions: ["wisp-source"],
    external: SCHEMA_LIBRARIES,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs)
    .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, inputs };
}

describe("@wisp/core bundle size", () => {
  it("leaves the user's schema library out and counts the core's own dependencies", async () => {
    const { inputs } = await bundleCore();
    const paths = inputs.map((i) => i.path);
    expect(paths.filter((p) => /node_modules\/(valibot|@valibot|zod|arktype)\//.test(p))).toEqual([]);
    expect(paths.some((p) => p.includes("@cfworker/json-schema"))).toBe(true);
  });

  it(`stays under its ${BUDGET_BYTES / 1024} KB guard minified + gzipped, without the schema library (target ${TARGET_BYTES / 1024} KB)`, async () => {
    const { minBytes, gzipBytes, inputs } = await bundleCore();
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    const breakdown = inputs
      .slice(0, 15)
      .map((i) => `  ${kb(i.bytes).padStart(8)} min  ${i.path.replace(/^.*?node_modules\//, "").replace(/^.*?packages\/core\/src\//, "core/")}`)
      .join("\n");
    expect(
      gzipBytes,
      `@wisp/core is ${kb(gzipBytes)} min+gz (${kb(minBytes)} min), over its ${kb(BUDGET_BYTES)} budget. Largest inputs:\n${breakdown}`,
    ).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
