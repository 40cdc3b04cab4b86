import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The core runs on Workers, Deno and Bun as well as Node: web standards only.
describe("@wisp/core imports", () => {
  it("has no node:* (or bare Node built-in) import outside tests", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
          // Comments may mention Node; only code counts.
          const source = readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
          if (/(from\s+|import\s*\(\s*)["'](node:[^"']+|(fs|path|http|https|crypto|buffer|stream|events|os|net)(\/[^"']*)?)["']/.test(source) || /\bBuffer\./.test(source) || /\bprocess\./.test(source)) offenders.push(path);
        }
      }
    };
    walk(import.meta.dirname);
    expect(offenders).toEqual([]);
  });
});
