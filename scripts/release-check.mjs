// `npm run release:check`: everything a release needs, in one command.
//
// 1. builds and packs every publishable package into out/packages/ (`npm pack`; each package's
//    `prepack` removes its dist and rebuilds it, @wisp/core first);
// 2. publint --strict and are-the-types-wrong (esm-only profile) on every tarball;
// 3. `deno publish --dry-run` in every package with a jsr.json.
// Prints one line per check and the output of the failed ones; exits 1 if any failed.
// The tools are devDependencies (publint, @arethetypeswrong/cli, deno): a missing one is an error.
import { readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { attw, denoPublishDryRun, packAll, pool, publint, publishablePackages, root, tool } from "./packaging.mjs";

const dest = join(root, "out", "packages");
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

for (const name of ["publint", "attw", "deno"]) tool(name); // fail before building if a tool is missing

const packages = publishablePackages();
console.log(`Building and packing ${packages.length} packages into ${relative(root, dest)}/ …`);
for (const file of (() => { try { return readdirSync(dest); } catch { return []; } })()) {
  if (file.endsWith(".tgz")) rmSync(join(dest, file));
}
const packed = await packAll(dest, { packages });
console.log(`packed (${seconds()}):\n${packed.map((pkg) => `  ${relative(root, pkg.tarball)}`).join("\n")}`);

/** @type {{ check: string; name: string; ok: boolean; output: string }[]} */
const results = [];
const record = (check, name, result) => {
  results.push({ check, name, ...result });
  console.log(`${result.ok ? "ok  " : "FAIL"} ${check.padEnd(22)} ${name}`);
};

await pool(packed, async (pkg) => record("publint --strict", pkg.name, await publint(pkg.tarball)));
await pool(packed, async (pkg) => record("attw (esm-only)", pkg.name, await attw(pkg.tarball)), 2);
await pool(packed.filter((pkg) => pkg.jsr), async (pkg) => record("deno publish --dry-run", pkg.name, await denoPublishDryRun(pkg.dir)), 2);

const failed = results.filter((result) => !result.ok);
for (const result of failed) console.log(`\n---- ${result.check}: ${result.name} ----\n${result.output.trim()}`);
console.log(
  failed.length
    ? `\nrelease check FAILED: ${failed.length} of ${results.length} checks (${seconds()})`
    : `\nrelease check passed: ${results.length} checks; tarballs in ${relative(root, dest)}/ (${seconds()})`,
);
process.exitCode = failed.length ? 1 : 0;
