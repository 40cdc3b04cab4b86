/**
 * The JSR layout works for a stranger: every package with a jsr.json is staged (scripts/jsr/stage.mjs)
 * into a temporary directory outside the repository, with no root import map and no sloppy
 * imports, and there
 *  - `deno publish --dry-run` passes for every package (full type check and slow-type check);
 *    @wisp/core also on its own, outside any workspace;
 *  - a small Deno app importing `jsr:@wisp/deno` and `jsr:@wisp/core` (resolved to the staged
 *    packages, which stand in for jsr.io) type-checks, loads ONE copy of core, answers a real
 *    tools/call over HTTP in both protocol eras and exits 0 on SIGTERM.
 * npm: packages come from the npm registry into a Deno cache kept between runs
 * (WISP_JSR_DENO_DIR, default <tmp>/wisp-jsr-deno-dir); WISP_KEEP_JSR=1 keeps the staged directory.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LATEST, legacyPost, legacySession, lastMessage, modernCall, textOf } from "../test-kit/mcp.js";
import { root, startProcess, stop } from "../test-kit/process.js";
import { type StagedPackage, findSpecifiers, listPackages, stage, writeWorkspace } from "./jsr/stage.mjs";

const deno = join(root, "node_modules/.bin/deno");
const denoDir = process.env.WISP_JSR_DENO_DIR ?? join(tmpdir(), "wisp-jsr-deno-dir");
const env = { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };

interface Ran {
  code: number;
  output: string;
}
function run(args: string[], cwd: string, timeout = 110_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(deno, args, { cwd, env: { ...process.env, ...env }, timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}\n${stderr}${error && code === -1 ? `\n${error.message}` : ""}` });
    });
  });
}
/** The dry run's output without the list of files (and the download lines), for failure messages. */
const summary = (output: string) =>
  output
    .split("\n")
    .filter((line) => !/^\s+file:\/\//.test(line) && !line.startsWith("Download "))
    .join("\n");

const APP = `import { serve } from "jsr:@wisp/deno@^0.1.0";
import { ToolError, createServer } from "jsr:@wisp/core@^0.1.0";
import * as v from "npm:valibot@^1.5.0";

export const server = createServer({ name: "jsr-app", version: "1.0.0" }).tool(
  "add",
  { description: "Adds two numbers", input: v.object({ a: v.number(), b: v.number() }) },
  ({ a, b }) => {
    const sum: number = a + b; // the handler's arguments are typed from the schema (deno check)
    if (!Number.isFinite(sum)) throw new ToolError("not a number");
    return \`\${a} + \${b} = \${sum}\`;
  },
);

if (import.meta.main) {
  const running = await serve(server, { port: 0 });
  Deno.addSignalListener("SIGTERM", () => void running.shutdown().then(() => Deno.exit(0)));
  console.log(\`listening on \${running.url}\`);
}
`;

const packages = listPackages();
let work = "";
let ws = "";
let staged: StagedPackage[] = [];
const dryRuns = new Map<string, Promise<Ran>>();

beforeAll(() => {
  if (!existsSync(deno)) throw new Error(`${deno} is missing: the JSR test needs Deno (npm ci installs it, a devDependency of @wisp/deno)`);
  work = realpathSync(mkdtempSync(join(tmpdir(), "wisp-jsr-")));
  if (!relative(root, work).startsWith("..")) throw new Error(`${work} is inside the repository`);
  ws = join(work, "ws");
  staged = stage({ outDir: ws });
  mkdirSync(join(ws, "app"));
  writeFileSync(join(ws, "app/deno.json"), "{}\n");
  writeFileSync(join(ws, "app/main.ts"), APP);
  writeWorkspace(ws, ["./app"]);
  // @wisp/core alone, in no workspace: nothing of the monorepo nor of the other packages helps it.
  cpSync(join(ws, "core"), join(work, "alone/core"), { recursive: true });
  // In the background while the app tests run: the workspace's dry run (every package, full type
  // check, the way `deno publish` at the root publishes them), then each package's own dry run
  // (--config its deno.json; graph, slow types, files: the type check is the one above).
  dryRuns.set("workspace", run(["publish", "--dry-run", "--allow-dirty"], ws));
  let chain: Promise<unknown> = Promise.resolve();
  const each = (key: string, dir: string) => {
    const result = chain.then(() => run(["publish", "--dry-run", "--allow-dirty", "--no-check", "--config", join(dir, "deno.json")], dir));
    chain = result;
    dryRuns.set(key, result);
  };
  for (const pkg of staged) each(pkg.name, pkg.dir);
  each("alone", join(work, "alone/core"));
});

afterAll(async () => {
  await Promise.allSettled(dryRuns.values());
  if (work && !process.env.WISP_KEEP_JSR) rmSync(work, { recursive: true, force: true });
  else if (work) console.log(`staged JSR layout kept in ${work}`);
});

describe("JSR staging", () => {
  it("stages every package with a jsr.json, with its version from package.json", () => {
    expect(staged.map((s) => s.name).sort()).toEqual(packages.map((p) => p.jsr.name).sort());
    expect(staged.length).toBeGreaterThanOrEqual(7);
    for (const s of staged) {
      const config = JSON.parse(readFileSync(join(s.dir, "deno.json"), "utf8"));
      const source = packages.find((p) => p.jsr.name === s.name)!;
      expect(config).toMatchObject({ name: s.name, version: source.pkg.version, exports: source.jsr.exports });
      expect(config.unstable, s.name).toBeUndefined();
      expect(readdirSync(s.dir).sort()).toEqual(expect.arrayContaining(["deno.json", "src"]));
    }
  });

  it("maps @wisp/* to jsr: and npm packages to npm: with package.json's range", () => {
    const byName = Object.fromEntries(staged.map((s) => [s.name, s]));
    const core = byName["@wisp/core"]!;
    expect(byName["@wisp/deno"]!.imports).toEqual({ "@wisp/core": `jsr:@wisp/core@^${core.version}` });
    expect(core.imports["@standard-schema/spec"]).toMatch(/^npm:@standard-schema\/spec@/);
    expect(Object.keys(core.imports).some((k) => k.startsWith("@wisp/"))).toBe(false);
    for (const s of staged) {
      for (const [name, target] of Object.entries(s.imports)) {
        expect(target, `${s.name}: ${name}`).toMatch(name.startsWith("@wisp/") ? /^jsr:@wisp\/[\w-]+@\^\d/ : new RegExp(`^npm:${name.replace("/", "\\/")}@[\\^~]?\\d`));
      }
    }
  });

  it("leaves no import that needs sloppy imports or an import map: relative ones name staged files, bare ones are in the imports", () => {
    for (const s of staged) {
      for (const file of s.files.filter((f) => f.endsWith(".ts"))) {
        const text = readFileSync(join(s.dir, file), "utf8");
        for (const { value } of findSpecifiers(text)) {
          const where = `${s.name} ${file}: "${value}"`;
          if (value.startsWith(".")) {
            expect(value, where).not.toMatch(/\.js$/);
            expect(existsSync(join(s.dir, file, "..", value)), where).toBe(true);
          } else if (!/^(node|npm|jsr):/.test(value)) {
            const name = value.startsWith("@") ? value.split("/").slice(0, 2).join("/") : value.split("/")[0];
            expect(s.imports[name], where).toBeDefined();
          }
        }
      }
      expect(s.files.some((f) => /\.test\.ts$|test-support\/|\.fixture\.ts$/.test(f)), s.name).toBe(false);
    }
  });

  it("finds the same imports as TypeScript's own scanner in every source of the packages", () => {
    let files = 0;
    for (const p of packages) {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
      for (const path of walk(join(p.path, "src"))) {
        const text = readFileSync(path, "utf8");
        const ours = findSpecifiers(text).map((s) => s.value);
        const theirs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
        expect(ours.sort(), relative(root, path)).toEqual(theirs.sort());
        files++;
      }
    }
    expect(files).toBeGreaterThan(100);
  });
});

describe("deno publish --dry-run of the staged packages, outside the repository", () => {
  it("the workspace: every package, type-checked, no slow types", async () => {
    const { code, output } = await dryRuns.get("workspace")!;
    expect(summary(output)).toMatch(/Success Dry run complete/);
    expect(code).toBe(0);
    expect(output).toMatch(/Checking for slow types/);
    for (const s of staged) expect(output).toContain(`Simulating publish of ${s.name}@${s.version} with files:`);
    // warnings (e.g. warning[unanalyzable-dynamic-import]) would let the publish through: none here
    expect(summary(output)).not.toMatch(/warning\[|error\[/i);
  }, 150_000);

  it.each(packages.map((p) => p.jsr.name))("%s, with --config its staged deno.json", async (name) => {
    const { code, output } = await dryRuns.get(name)!;
    expect(summary(output)).toMatch(new RegExp(`Simulating publish of ${name}@[^ ]+ with files:[\\s\\S]*Success Dry run complete`));
    expect(code).toBe(0);
    expect(summary(output)).not.toMatch(/warning\[|error\[/i);
  }, 150_000);

  it("@wisp/core alone, in no workspace", async () => {
    const { code, output } = await dryRuns.get("alone")!;
    expect(summary(output)).toMatch(/Success Dry run complete/);
    expect(code).toBe(0);
  }, 150_000);
});

describe("a Deno app importing the JSR layout", () => {
  it("resolves jsr:@wisp/* to the staged packages and loads one copy of core", async () => {
    const { code, output } = await run(["info", "--json", "app/main.ts"], ws, 60_000);
    expect(code, output).toBe(0);
    const graph = JSON.parse(output.slice(output.indexOf("{"), output.lastIndexOf("}") + 1)) as {
      modules: { specifier: string; dependencies?: { specifier: string; code?: { specifier: string }; type?: { specifier: string } }[] }[];
    };
    const coreDir = `file://${join(ws, "core")}/`;
    const coreEntry = `${coreDir}src/index.ts`;
    const app = graph.modules.find((m) => m.specifier.endsWith("/app/main.ts"))!;
    const resolved = Object.fromEntries(app.dependencies!.map((d) => [d.specifier, d.code?.specifier]));
    expect(resolved["jsr:@wisp/core@^0.1.0"]).toBe(coreEntry);
    expect(resolved["jsr:@wisp/deno@^0.1.0"]).toBe(`file://${join(ws, "deno")}/src/index.ts`);
    // @wisp/deno's own `@wisp/core` (its imports: jsr:@wisp/core@^0.1.0) is the same module.
    const fromDeno = graph.modules.flatMap((m) => m.dependencies ?? []).filter((d) => d.specifier === "@wisp/core");
    expect(fromDeno.length).toBeGreaterThan(0);
    expect(new Set(fromDeno.map((d) => d.code?.specifier ?? d.type?.specifier))).toEqual(new Set([coreEntry]));
    // One copy: core's entry once, and no core from anywhere else (jsr.io, npm, the repository).
    const specifiers = graph.modules.map((m) => m.specifier);
    expect(specifiers.filter((s) => s.endsWith("/src/index.ts") && s.includes("/core/"))).toEqual([coreEntry]);
    expect(specifiers.filter((s) => /jsr\.io|@wisp|\/packages\/core\//.test(s))).toEqual([]);
    expect(specifiers.filter((s) => s.startsWith(coreDir)).length).toBeGreaterThan(20);
    expect(specifiers.filter((s) => s.startsWith("file://") && !s.startsWith(`file://${ws}/`))).toEqual([]);
  }, 60_000);

  it("type-checks", async () => {
    const { code, output } = await run(["check", "app/main.ts"], ws, 60_000);
    expect(code, summary(output)).toBe(0);
  }, 60_000);

  it("serves on 127.0.0.1, answers tools/call in both eras, exits 0 on SIGTERM", async () => {
    const app = await startProcess(deno, ["run", "--allow-net", "app/main.ts"], {
      cwd: ws,
      env,
      what: "deno run app/main.ts",
      pattern: /listening on (http:\/\/\S+)/,
      timeoutMs: 60_000,
    });
    try {
      expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const modern = await modernCall(app.url, "add", { a: 2, b: 3 });
      expect(modern.result.isError).toBeFalsy();
      expect(textOf(modern.result)).toBe("2 + 3 = 5");
      const session = await legacySession(app.url);
      const legacy = await lastMessage(await legacyPost(app.url, session, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add", arguments: { a: 40, b: 2 } } }, LATEST));
      expect(textOf(legacy.result)).toBe("40 + 2 = 42");
    } finally {
      const { code } = await stop(app.child);
      expect(code, app.output()).toBe(0);
    }
  }, 90_000);
});
