/**
 * The packages as a stranger gets them: every package is packed (`npm pack`, whose `prepack`
 * rebuilds dist), the tarballs are installed with plain npm into a fresh project outside the
 * repository, and that project runs an ESM server on Node, `require()`s every entry point,
 * type-checks under `nodenext` and `bundler`, runs a server on Bun, bundles for
 * `--platform=neutral`, and publint + are-the-types-wrong check every tarball.
 * Tools come from the repository's node_modules/.bin; a missing one fails the test.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Packed, attw, packAll, pool, publint, root, run, tool } from "../scripts/packaging.mjs";

const MINUTES = 60_000;

/** Entry points this project cannot load: their optional peers are not installed here. Listed, never skipped silently. */
const NOT_INSTALLED: Record<string, string> = {
  "@wisp/cloudflare/workerd": "imports the optional peers esbuild and miniflare (a local workerd test harness)",
};
/** Entry points whose types need @types/node (Node APIs or @redis/client's types); the rest need only lib DOM. */
const NEEDS_NODE_TYPES = new Set(["@wisp/node", "@wisp/stdio", "@wisp/redis", "@wisp/redis/node-redis", "@wisp/redis/ioredis"]);
/** Files no tarball may contain: tests, fixtures and test helpers that are not public API. */
const TEST_ONLY = /(\.test\.|\.fixture\.|\/test-support\/|\/test-server\.|\/testing\/requests\.)/;

const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const corePackage = JSON.parse(readFileSync(join(root, "packages/core/package.json"), "utf8"));
const redisPackage = JSON.parse(readFileSync(join(root, "packages/redis/package.json"), "utf8"));

let temp = "";
let app = "";
let packed: Packed[] = [];
/** "@wisp/core", "@wisp/core/storage-contract", … from the installed packages' exports. */
let entries: string[] = [];

function sh(file: string, args: string[], timeout = 3 * MINUTES) {
  return run(file, args, { cwd: app, timeout });
}

function lastJsonLine(output: string) {
  const line = output.trim().split("\n").reverse().find((l) => l.startsWith("{"));
  if (!line) throw new Error(`no JSON line in the output:\n${output}`);
  return JSON.parse(line);
}

beforeAll(async () => {
  for (const name of ["bun", "esbuild", "publint", "attw", "tsc"]) tool(name); // loud, before any work
  temp = realpathSync(mkdtempSync(join(tmpdir(), "wisp-packaging-")));
  expect(`${temp}${sep}`.startsWith(`${root}${sep}`)).toBe(false);

  // Build once (each package's prepack) and pack once.
  const tarballs = join(temp, "tarballs");
  cpSync(join(import.meta.dirname, "app"), (app = join(temp, "app")), { recursive: true });
  packed = await packAll(tarballs);

  // One plain npm install of the tarballs (plus what a user adds: valibot for schemas, @types/node
  // for Node's types, ioredis for @wisp/redis/ioredis) into a project that is not a workspace.
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "wisp-packaging-app", private: true, type: "module" }, null, 2));
  const install = await sh("npm", [
    "install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error",
    ...packed.map((pkg) => pkg.tarball),
    `valibot@${corePackage.dependencies.valibot}`,
    `@types/node@${rootPackage.devDependencies["@types/node"]}`,
    `ioredis@${redisPackage.devDependencies.ioredis}`,
  ], 5 * MINUTES);
  if (install.code !== 0) throw new Error(`npm install of the tarballs failed:\n${install.output}`);

  entries = packed.flatMap((pkg) => {
    const manifest = JSON.parse(readFileSync(join(app, "node_modules", pkg.name, "package.json"), "utf8"));
    return Object.keys(manifest.exports)
      .filter((subpath) => subpath !== "./package.json")
      .map((subpath) => (subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`));
  });
  const imports = (list: string[]) =>
    `${list.map((entry, i) => `import * as e${i} from "${entry}";`).join("\n")}\nexport const all = [${list.map((_, i) => `e${i}`).join(", ")}];\n`;
  const typed = entries.filter((entry) => !NOT_INSTALLED[entry]);
  writeFileSync(join(app, "entries.ts"), imports(typed));
  writeFileSync(join(app, "entries-web.ts"), imports(typed.filter((entry) => !NEEDS_NODE_TYPES.has(entry))));
}, 8 * MINUTES);

afterAll(() => {
  if (temp) rmSync(temp, { recursive: true, force: true });
});

describe.concurrent("the npm packages, installed from their tarballs outside the repository", () => {
  it("packs every publishable package", () => {
    expect(packed.map((pkg) => pkg.name)).toEqual(expect.arrayContaining(["@wisp/core", "@wisp/node", "@wisp/stdio", "@wisp/auth", "@wisp/redis"]));
    expect(packed.length).toBeGreaterThanOrEqual(10);
    expect(entries).toContain("@wisp/core/storage-contract");
  });

  it("installs one copy of @wisp/core (the adapters take it as a peer)", () => {
    const copies: string[] = [];
    const walk = (modules: string) => {
      for (const entry of readdirSync(modules, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const scoped = entry.name.startsWith("@");
        const dirs = scoped ? readdirSync(join(modules, entry.name)).map((name) => join(modules, entry.name, name)) : [join(modules, entry.name)];
        for (const dir of dirs) {
          if (dir.endsWith(join("@wisp", "core"))) copies.push(relative(app, dir));
          if (existsSync(join(dir, "node_modules"))) walk(join(dir, "node_modules"));
        }
      }
    };
    walk(join(app, "node_modules"));
    expect(copies).toEqual([join("node_modules", "@wisp", "core")]);
  });

  it("ships LICENSE, README, every export target and the sources its maps point to — and no test helpers", async () => {
    const problems: string[] = [];
    for (const pkg of packed) {
      const listing = await run("tar", ["-tzf", pkg.tarball]);
      expect(listing.code, listing.output).toBe(0);
      const files = new Set(listing.stdout.split("\n").filter(Boolean).map((line) => line.replace(/^package\//, "")));
      for (const required of ["LICENSE", "README.md", "package.json"]) if (!files.has(required)) problems.push(`${pkg.name}: no ${required}`);
      for (const file of files) if (TEST_ONLY.test(`/${file}`)) problems.push(`${pkg.name}: ships ${file}`);
      const manifest = JSON.parse(readFileSync(join(app, "node_modules", pkg.name, "package.json"), "utf8"));
      for (const [subpath, conditions] of Object.entries<Record<string, string>>(manifest.exports)) {
        for (const [condition, target] of Object.entries(conditions)) {
          if (!files.has(target.replace(/^\.\//, ""))) problems.push(`${pkg.name} exports["${subpath}"].${condition} → ${target}: not in the tarball`);
        }
      }
      const maps = [...files].filter((file) => file.endsWith(".map"));
      if (!maps.some((file) => file.endsWith(".js.map")) || !maps.some((file) => file.endsWith(".d.ts.map"))) problems.push(`${pkg.name}: no source or declaration maps`);
      for (const map of maps) {
        const { sources } = JSON.parse(readFileSync(join(app, "node_modules", pkg.name, map), "utf8")) as { sources: string[] };
        for (const source of sources) {
          const shipped = join(map, "..", source).split(sep).join("/");
          if (!files.has(shipped)) problems.push(`${pkg.name}: ${map} points to ${shipped}, not in the tarball`);
        }
      }
      if (manifest.publishConfig?.access !== "public") problems.push(`${pkg.name}: publishConfig.access is not "public"`);
      for (const field of ["homepage", "bugs", "keywords", "license"]) if (!manifest[field]) problems.push(`${pkg.name}: no ${field}`);
      if (!manifest.repository?.directory) problems.push(`${pkg.name}: no repository.directory`);
      if (manifest.sideEffects !== false) problems.push(`${pkg.name}: sideEffects is not false`);
      if (!/npm run build|tsc/.test(manifest.scripts?.prepack ?? "")) problems.push(`${pkg.name}: no prepack build`);
      if (pkg.name !== "@wisp/core") {
        if (manifest.dependencies?.["@wisp/core"]) problems.push(`${pkg.name}: @wisp/core is a dependency, not a peer`);
        if (!manifest.peerDependencies?.["@wisp/core"]?.startsWith("^")) problems.push(`${pkg.name}: @wisp/core is not a ^ peer`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("runs an ESM server on Node: @wisp/node serve on port 0, one tools/call over HTTP, close", async () => {
    const result = await sh(process.execPath, ["server-node.mjs"], MINUTES);
    expect(result.code, result.output).toBe(0);
    const reply = lastJsonLine(result.stdout);
    expect(reply.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(reply.status).toBe(200);
    expect(reply.message.result.content).toEqual([{ type: "text", text: "5" }]);
  }, 2 * MINUTES);

  it("require()s every entry point from CommonJS and serves a call (Node ≥ 20.19 require(esm))", async () => {
    const names = packed.map((pkg) => pkg.name);
    const result = await sh(process.execPath, ["require-all.cjs", JSON.stringify(names), JSON.stringify(NOT_INSTALLED)], MINUTES);
    expect(result.code, result.output).toBe(0);
    expect(result.stderr).not.toMatch(/ERR_REQUIRE_ESM|ERR_PACKAGE_PATH_NOT_EXPORTED/);
    const reply = lastJsonLine(result.stdout);
    expect(Object.keys(reply.loaded).sort()).toEqual(entries.filter((entry) => !NOT_INSTALLED[entry]).sort());
    expect(reply.status).toBe(200);
    expect(reply.message.result.content).toEqual([{ type: "text", text: "42" }]);
  }, 2 * MINUTES);

  it("type-checks strictly under module nodenext with @types/node and no DOM lib (ESM and a .cts require)", async () => {
    const result = await sh(tool("tsc"), ["-p", "tsconfig.nodenext.json"], 4 * MINUTES);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  }, 5 * MINUTES);

  it("type-checks strictly under moduleResolution bundler with lib DOM and no @types/node (web packages)", async () => {
    const result = await sh(tool("tsc"), ["-p", "tsconfig.bundler.json", "--listFiles"], 4 * MINUTES);
    const listed = result.stdout.split("\n").filter((line) => line.startsWith("/"));
    expect(result.stdout.split("\n").filter((line) => line && !line.startsWith("/")).join("\n")).toBe("");
    expect(result.code).toBe(0);
    expect(listed.filter((file) => /@types\/node|undici-types/.test(file))).toEqual([]);
    expect(listed.some((file) => file.includes("@wisp/core/dist/index.d.ts"))).toBe(true);
  }, 5 * MINUTES);

  it("runs a TypeScript server on Bun with @wisp/bun", async () => {
    const result = await sh(tool("bun"), ["server-bun.ts"], MINUTES);
    expect(result.code, result.output).toBe(0);
    const reply = lastJsonLine(result.stdout);
    expect(reply.runtime).toBe("bun");
    expect(reply.status).toBe(200);
    expect(reply.message.result.content).toEqual([{ type: "text", text: "5" }]);
  }, 2 * MINUTES);

  it("bundles a minimal server with esbuild --bundle --platform=neutral: no error, no node: import, and the bundle serves", async () => {
    const out = join(app, "out", "neutral.js");
    const result = await sh(tool("esbuild"), ["neutral.mjs", "--bundle", "--platform=neutral", "--format=esm", `--outfile=${out}`, "--log-level=warning"], MINUTES);
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
    const bundle = readFileSync(out, "utf8");
    expect(bundle.match(/["'`]node:[a-z_/]+["'`]/g) ?? []).toEqual([]);
    const served = await sh(process.execPath, ["run-bundle.mjs", out], MINUTES);
    expect(served.code, served.output).toBe(0);
    expect(lastJsonLine(served.stdout).message.result.content).toEqual([{ type: "text", text: "9" }]);
  }, 2 * MINUTES);

  it("passes publint --strict on every tarball", async () => {
    const results = await pool(packed, async (pkg) => ({ name: pkg.name, ...(await publint(pkg.tarball)) }));
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}:\n${r.output}`)).toEqual([]);
  }, 3 * MINUTES);

  it("passes are-the-types-wrong (esm-only profile) on every tarball", async () => {
    const results = await pool(packed, async (pkg) => ({ name: pkg.name, ...(await attw(pkg.tarball)) }), 2);
    expect(results.filter((r) => !r.ok).map((r) => `${r.name}:\n${r.output}`)).toEqual([]);
  }, 5 * MINUTES);

  it("is really outside the repository, with no workspace above it", () => {
    expect(existsSync(join(app, "node_modules", "@wisp", "core", "src"))).toBe(true);
    expect(realpathSync(join(app, "node_modules", "@wisp", "core")).startsWith(root)).toBe(false);
  });
});
