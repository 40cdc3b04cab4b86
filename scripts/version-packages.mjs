// `npm run version-packages`: `changeset version`, with @wisp/core kept a `^<new version>` peer.
//
// Every package takes @wisp/core as a peer "^x.y.z" (one copy, npm refuses a mismatch). Changesets
// promotes a dependent to a *major* release whenever a peer's new version leaves its range, and in
// 0.x every minor leaves "^0.y.z" — the first minor of @wisp/core would ship everything as 1.0.0.
// So: the peer ranges are widened while changesets plans (the packages are one "fixed" group, so
// they move together anyway), then set to "^<new core version>" (peer and devDependency).
//
// Usage: node scripts/version-packages.mjs [repository root] (default: this repository).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { root as repoRoot } from "./packaging.mjs";

const root = resolve(process.argv[2] ?? repoRoot);
const CORE = "@wisp/core";
const WIDE = ">=0.0.0";

const workspaces = ["packages", "adapters"].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => join(root, group, name, "package.json")).filter((file) => existsSync(file)),
);
const read = (file) => JSON.parse(readFileSync(file, "utf8"));
const write = (file, json) => writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
const peersOfCore = workspaces.filter((file) => read(file).peerDependencies?.[CORE]);
const originals = new Map(peersOfCore.map((file) => [file, readFileSync(file, "utf8")]));

for (const file of peersOfCore) {
  const pkg = read(file);
  pkg.peerDependencies[CORE] = WIDE;
  write(file, pkg);
}
try {
  execFileSync(join(root, "node_modules/.bin/changeset"), ["version"], { cwd: root, stdio: "inherit" });
} catch (error) {
  for (const [file, text] of originals) writeFileSync(file, text);
  throw error;
}
const version = read(join(root, "packages/core/package.json")).version;
for (const file of peersOfCore) {
  const pkg = read(file);
  pkg.peerDependencies[CORE] = `^${version}`;
  if (pkg.devDependencies?.[CORE]) pkg.devDependencies[CORE] = `^${version}`;
  write(file, pkg);
}
console.log(`${CORE} ${version}: peer and devDependency ranges set to ^${version} in ${peersOfCore.length} packages`);
