import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The size budget of @wisp/core (issue 13): what a server loads at startup, bundled for any
 * web-standard target (`--platform=neutral`, default conditions, no `node:` import possible),
 * minified by esbuild and gzipped (level 9), with code splitting on so that what loads only on
 * demand (the raw-JSON-Schema validator) is counted apart.
 *
 * Not counted: the user's schema library. valibot and @valibot/to-json-schema (valibot's own
 * JSON Schema converter, which the core calls only for valibot schemas), zod and arktype are
 * external here: a server ships whichever one it chose, with or without Wisp.
 *
 * Target 18 KB for a minimal server; the guard holds today's size plus a little so nothing grows
 * unnoticed (lower it as the core shrinks). Set at 32.5 KB when the guard moved here (31.2 KB
 * measured); raised to 33.5 KB by issue 14's older clients: the hooks of the 2024-11-05
 * transport and the checks of 2025 tasks (≈ 0.6 KB; their bodies load on demand). Lowered to 31.5 KB
 * (30.8 KB measured) when 2026 requestState signing and the 2026 tasks extension began to load on
 * their first use (−1.9 KB), and to 26 KB (25.7 KB measured) when the 2025 session leg began to
 * load with the first 2025-era request (−5.6 KB); 25 KB (24.7 KB measured) once resources, prompts
 * and completion loaded on their first call (−1 KB); 24 KB (23.4 KB measured) once the URI template
 * matcher and subscriptions/listen loaded on demand (−1.5 KB; `UriTemplate` moved to the
 * `@wisp/core/uri-template` entry, as esbuild's code splitting keeps a chunk that the root index
 * re-exports in the startup code even when nothing uses it). Issue 13's measure of where the rest goes: the
 * stateless leg (≈ 13 KB min), the HTTP layer, the registry and features, the RFC 6570 parser,
 * each a few KB; bench/README.md has the breakdown.
 */
const TARGET_BYTES = 18 * 1024;
const BUDGET_BYTES = 24 * 1024;
/**
 * The same server from `@wisp/core/stateless` (2026-07-28 only): target 12 KB; the guard is
 * today's size plus a little (26.7 KB when the entry landed, 24.9 KB once requestState signing
 * and 2026 tasks loaded on first use, 24.2 KB once resources, prompts and completion loaded on
 * their first call, 22.8 KB once the URI template matcher and subscriptions/listen loaded on
 * demand). What it still carries: the stateless leg (≈ 18 KB min), the HTTP layer, registration
 * and features, and the RFC 6570 parser that checks a template when it is registered.
 */
const STATELESS_TARGET_BYTES = 12 * 1024;
const STATELESS_BUDGET_BYTES = 23.5 * 1024;
const SCHEMA_LIBRARIES = ["valibot", "@valibot/to-json-schema", "zod", "zod/*", "arktype", "arktype/*"];

const work = mkdtempSync(join(tmpdir(), "wisp-size-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A minimal server as a Workers/Deno/Bun user writes it: one tool, no raw JSON Schema. */
const minimalServer = (entry: string) => `
import { createServer } from "${entry}";
const server = createServer({ name: "demo", version: "1.0.0" }).tool("ping", { description: "Answers pong" }, () => "pong");
export default { fetch: (request) => server.handle(request) };
`;
const MINIMAL_SERVER = minimalServer("@wisp/core");
const MINIMAL_STATELESS_SERVER = minimalServer("@wisp/core/stateless");

interface Bundle {
  /** Minified bytes of the entry and every chunk it imports statically: what loads at startup. */
  minBytes: number;
  gzipBytes: number;
  /** Source files in the startup code, largest first. */
  startupInputs: { path: string; bytes: number }[];
  /** Source files only in chunks loaded with import(). */
  lazyInputs: string[];
  code: string;
}

async function bundle(entrySource: string): Promise<Bundle> {
  const entry = join(work, `entry-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(entry, entrySource);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    splitting: true,
    format: "esm",
    platform: "neutral",
    conditions: ["wisp-source"],
    nodePaths: [join(import.meta.dirname, "../../../node_modules")],
    external: SCHEMA_LIBRARIES,
    outdir: join(work, "out"),
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const outputs = result.metafile.outputs as Metafile["outputs"];
  // Chunks loaded with import() are entry points too: the startup code starts at this file's output.
  const entryOut = Object.keys(outputs).find((path) => outputs[path].entryPoint?.endsWith(basename(entry)))!;
  const startup = new Set<string>();
  const visit = (path: string) => {
    if (startup.has(path)) return;
    startup.add(path);
    for (const imported of outputs[path].imports) if (imported.kind === "import-statement" && outputs[imported.path]) visit(imported.path);
  };
  visit(entryOut);
  const files = new Map(result.outputFiles.map((file) => [file.path.slice(file.path.indexOf("out/")), file.contents]));
  const startupBytes = [...startup].map((path) => files.get(path.slice(path.indexOf("out/")))!);
  const joined = Buffer.concat(startupBytes.map((bytes) => Buffer.from(bytes)));
  const startupInputs = [...startup]
    .flatMap((path) => Object.entries(outputs[path].inputs).map(([input, { bytesInOutput }]) => ({ path: input, bytes: bytesInOutput })))
    .sort((a, b) => b.bytes - a.bytes);
  const lazyInputs = Object.keys(outputs)
    .filter((path) => !startup.has(path))
    .flatMap((path) => Object.keys(outputs[path].inputs));
  return { minBytes: joined.length, gzipBytes: gzipSync(joined, { level: 9 }).length, startupInputs, lazyInputs, code: joined.toString("utf8") };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const short = (path: string) => path.replace(/^.*?node_modules\//, "").replace(/^.*?packages\/core\/src\//, "core/");

/** Startup code within `budget` bytes min+gz; on failure, the 15 largest inputs say where it went. */
function expectWithinBudget({ minBytes, gzipBytes, startupInputs }: Bundle, budget: number, what: string): void {
  const breakdown = startupInputs
    .slice(0, 15)
    .map((i) => `  ${kb(i.bytes).padStart(8)} min  ${short(i.path)}`)
    .join("\n");
  expect(gzipBytes, `${what} loads ${kb(gzipBytes)} min+gz (${kb(minBytes)} min) at startup, over its ${kb(budget)} budget. Largest inputs:\n${breakdown}`).toBeLessThanOrEqual(budget);
}

describe("@wisp/core bundle size", () => {
  it("bundles for a neutral (web-standard) platform: no node: import, the user's schema library left out", async () => {
    const { startupInputs, code } = await bundle(MINIMAL_SERVER);
    expect(code).not.toMatch(/["']node:/);
    expect(startupInputs.map((i) => i.path).filter((p) => /node_modules\/(valibot|@valibot|zod|arktype)\//.test(p))).toEqual([]);
  });

  it("loads the JSON Schema validator only on demand: never at startup, in a chunk of its own", async () => {
    const { startupInputs, lazyInputs } = await bundle(MINIMAL_SERVER);
    expect(startupInputs.filter((i) => i.path.includes("@cfworker/json-schema"))).toEqual([]);
    expect(lazyInputs.some((p) => p.includes("@cfworker/json-schema"))).toBe(true);
  });

  it("loads 2026 requestState signing and the 2026 tasks extension only on demand, on both entries", async () => {
    for (const entry of [MINIMAL_SERVER, MINIMAL_STATELESS_SERVER]) {
      const { startupInputs, lazyInputs } = await bundle(entry);
      const onDemand = /core\/src\/stateless\/(request-state\.ts|tasks\/(index|run|methods|records)\.ts)$/;
      expect(startupInputs.map((i) => i.path).filter((p) => onDemand.test(p))).toEqual([]);
      expect(lazyInputs.filter((p) => onDemand.test(p)).map((p) => p.replace(/^.*core\/src\//, "")).sort()).toEqual(
        ["stateless/request-state.ts", "stateless/tasks/index.ts", "stateless/tasks/methods.ts", "stateless/tasks/records.ts", "stateless/tasks/run.ts"],
      );
    }
  });

  it("loads the 2025 session leg only when the first 2025-era request arrives, in chunks of its own", async () => {
    const { startupInputs, lazyInputs } = await bundle(MINIMAL_SERVER);
    const sessionCode = (p: string) => /core\/src\/sessions\//.test(p);
    expect(startupInputs.map((i) => i.path).filter(sessionCode)).toEqual([]);
    expect(lazyInputs.filter(sessionCode).map((p) => p.replace(/^.*core\/src\//, ""))).toEqual(
      expect.arrayContaining(["sessions/handlers.ts", "sessions/post.ts", "sessions/initialize.ts", "sessions/get-stream.ts"]),
    );
  });

  it("loads resources, prompts and completion on the first call of one of their methods, on both entries", async () => {
    for (const entry of [MINIMAL_SERVER, MINIMAL_STATELESS_SERVER]) {
      const { startupInputs, lazyInputs } = await bundle(entry);
      const onDemand = /core\/src\/features\/(resources|prompts|completion)\.ts$/;
      expect(startupInputs.map((i) => i.path).filter((p) => onDemand.test(p))).toEqual([]);
      expect(lazyInputs.filter((p) => onDemand.test(p)).map((p) => p.replace(/^.*core\/src\//, "")).sort()).toEqual(
        ["features/completion.ts", "features/prompts.ts", "features/resources.ts"],
      );
    }
  });

  it("loads the URI template matcher and subscriptions/listen only on demand, on both entries", async () => {
    for (const entry of [MINIMAL_SERVER, MINIMAL_STATELESS_SERVER]) {
      const { startupInputs, lazyInputs } = await bundle(entry);
      // Registration parses a template (syntax.ts), so a malformed one still throws there.
      const onDemand = /core\/src\/(uri-template\/(match|expand|uri-template)\.ts|server\/template-compiler\.ts|stateless\/listen\.ts)$/;
      expect(startupInputs.map((i) => i.path).filter((p) => onDemand.test(p))).toEqual([]);
      expect([...new Set(lazyInputs.filter((p) => onDemand.test(p)).map((p) => p.replace(/^.*core\/src\//, "")))].sort()).toEqual(
        ["server/template-compiler.ts", "stateless/listen.ts", "uri-template/expand.ts", "uri-template/match.ts", "uri-template/uri-template.ts"],
      );
    }
  });

  it(`keeps a minimal server's startup code under its ${BUDGET_BYTES / 1024} KB guard minified + gzipped (target ${TARGET_BYTES / 1024} KB)`, async () => {
    expectWithinBudget(await bundle(MINIMAL_SERVER), BUDGET_BYTES, "a minimal Wisp server");
  });

  it(`keeps a minimal @wisp/core/stateless server free of 2025 session code, under its ${STATELESS_BUDGET_BYTES / 1024} KB guard (target ${STATELESS_TARGET_BYTES / 1024} KB)`, async () => {
    const stateless = await bundle(MINIMAL_STATELESS_SERVER);
    const { startupInputs, lazyInputs, code } = stateless;
    expect(code).not.toMatch(/["']node:/);
    expect([...startupInputs.map((i) => i.path), ...lazyInputs].filter((p) => /core\/src\/sessions\//.test(p))).toEqual([]);
    const dual = await bundle(MINIMAL_SERVER);
    // The dual-era entry's session leg is lazy too; what it keeps at startup is the loader and its exports.
    expect(stateless.gzipBytes).toBeLessThan(dual.gzipBytes);
    expectWithinBudget(stateless, STATELESS_BUDGET_BYTES, "a minimal stateless-only Wisp server");
  });
});
