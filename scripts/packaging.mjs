// Shared by scripts/release-check.mjs and packaging/packaging.test.ts: the publishable packages,
// packing them (each package's `prepack` cleans and rebuilds its dist), and the tarball linters.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";

export const root = join(import.meta.dirname, "..");

/** node_modules/.bin/<name> of the repository, or a loud error (never a silent skip). */
export function tool(name) {
  const bin = join(root, "node_modules/.bin", name);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm ci\` at the repository root (${name} is a devDependency)`);
  return bin;
}

/** The publishable packages (packages/* and adapters/* that are not private), @wisp/core first: the others build against its dist. */
export function publishablePackages() {
  const found = ["packages", "adapters"].flatMap((group) =>
    readdirSync(join(root, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, group, entry.name, "package.json")))
      .map((entry) => {
        const dir = `${group}/${entry.name}`;
        const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
        return { dir, name: pkg.name, version: pkg.version, private: pkg.private === true, jsr: existsSync(join(root, dir, "jsr.json")) };
      })
      .filter((pkg) => !pkg.private),
  );
  return found.sort((a, b) => Number(b.name === "@wisp/core") - Number(a.name === "@wisp/core") || a.dir.localeCompare(b.dir));
}

/** The tarball name npm gives a package: @wisp/core@0.1.0 → wisp-core-0.1.0.tgz. */
export const tarballName = (pkg) => `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`;

/**
 * Runs a command; resolves with its exit code and output (never rejects on a non-zero exit,
 * rejects when the command cannot start). `npm_*` variables of an enclosing `npm run` are left
 * out, so a command run elsewhere does not inherit this repository's npm settings (workspaces…).
 */
export function run(file, args, { cwd = root, env = {}, timeout = 300_000 } = {}) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: { ...inherited, NO_COLOR: "1", FORCE_COLOR: "0", ...env }, timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number" && !error.killed) return reject(error);
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr, output: `${stdout}${stderr ? `\n${stderr}` : ""}${error?.killed ? "\n(timed out)" : ""}`.trim() });
    });
  });
}

/**
 * `npm pack` of every package into `dest`, in one npm run: each package's `prepack` removes its
 * dist and rebuilds it (@wisp/core first). Resolves with the packages and their tarball paths.
 */
export async function packAll(dest, { packages = publishablePackages(), ignoreScripts = false } = {}) {
  mkdirSync(dest, { recursive: true });
  const args = ["pack", "--pack-destination", dest, ...packages.flatMap((pkg) => ["-w", pkg.dir])];
  if (ignoreScripts) args.push("--ignore-scripts");
  const result = await run("npm", args, { timeout: 600_000 });
  if (result.code !== 0) throw new Error(`npm pack failed (exit ${result.code}):\n${result.output.slice(-4000)}`);
  return packages.map((pkg) => {
    const tarball = join(dest, tarballName(pkg));
    if (!existsSync(tarball)) throw new Error(`npm pack did not write ${tarball}:\n${result.output.slice(-4000)}`);
    return { ...pkg, tarball };
  });
}

/** publint on a packed tarball, warnings counted as errors. */
export async function publint(tarball) {
  const result = await run(tool("publint"), ["run", tarball, "--strict"]);
  return { ok: result.code === 0 && !/^(Errors|Warnings):/m.test(result.stdout), output: result.output };
}

/**
 * are-the-types-wrong on a packed tarball with the "esm-only" profile: the packages are ESM-only
 * by design, so the two resolutions that cannot apply are left out — node10 (TypeScript's legacy
 * `moduleResolution: node`, which ignores `exports`) and node16-from-CJS (attw's TypeScript
 * predates TypeScript 5.8's support of `require()` of ESM, which Node ≥ 20.19 / 22.12 has).
 * Everything else (node16 from ESM, bundler; false ESM/CJS, missing types…) must be clean.
 */
export async function attw(tarball) {
  const result = await run(tool("attw"), [tarball, "--profile", "esm-only", "--no-definitely-typed", "--no-emoji", "--no-color", "--format", "ascii"]);
  return { ok: result.code === 0, output: result.output };
}

/** `deno publish --dry-run` in a package with a jsr.json. */
export async function denoPublishDryRun(dir) {
  const result = await run(tool("deno"), ["publish", "--dry-run", "--allow-dirty"], { cwd: join(root, dir), env: { DENO_NO_UPDATE_CHECK: "1" }, timeout: 180_000 });
  return { ok: result.code === 0 && /Dry run complete/.test(result.output), output: result.output };
}

/** Maps `items` through `fn` with at most `limit` in flight; keeps the order. */
export async function pool(items, fn, limit = Math.max(2, availableParallelism())) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
