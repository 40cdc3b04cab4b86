import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// Every package must stay publishable to JSR: `deno publish --dry-run` checks the exports,
// the license and "slow types" (public API without explicit types) the way the registry will.
const root = join(import.meta.dirname, "..");
const deno = join(root, "node_modules/.bin/deno");
const packages = ["packages", "adapters"].flatMap((dir) =>
  readdirSync(join(root, dir))
    .map((name) => join(dir, name))
    .filter((path) => existsSync(join(root, path, "jsr.json"))),
);

describe("JSR publish dry run", () => {
  it("finds the packages", () => {
    expect(packages).toContain("packages/core");
    expect(packages.length).toBeGreaterThanOrEqual(7);
  });

  it.each(packages)("%s", async (path) => {
    const { stdout, stderr } = await promisify(execFile)(deno, ["publish", "--dry-run", "--allow-dirty"], {
      cwd: join(root, path),
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      timeout: 120_000,
    }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? "", stderr: `${error.stderr ?? ""}\nFAILED` }));
    expect(`${stdout}\n${stderr}`).toMatch(/Dry run complete/);
  }, 120_000);
});
