import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** The client bindings: the only files allowed to load a Redis client library (and so `node:*`). */
const BINDINGS = new Set(["node-redis.ts", "ioredis.ts"]);

/** Import specifiers in `path`, comments and type-only imports left out. */
function runtimeImports(path: string): string[] {
  const source = readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
  const found: string[] = [];
  for (const match of source.matchAll(/(import|export)\s+(type\s+)?[^"';]*?from\s+["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)/g)) {
    if (!match[2]) found.push(match[3] ?? match[4]);
  }
  return found;
}

describe("@wisp/redis imports", () => {
  const files = readdirSync(import.meta.dirname).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"));

  it("keeps the storage logic on web standards: no node:* outside the client bindings", () => {
    const offenders = files.filter((name) => !BINDINGS.has(name)).filter((name) => runtimeImports(join(import.meta.dirname, name)).some((spec) => /^node:|^(net|tls|fs|crypto|buffer|events)$/.test(spec)));
    expect(offenders).toEqual([]);
  });

  it("loads a client library only from its binding, and the index loads none", () => {
    for (const name of files) {
      const clients = runtimeImports(join(import.meta.dirname, name)).filter((spec) => spec === "@redis/client" || spec === "ioredis" || spec === "redis");
      if (name === "node-redis.ts") expect(clients).toEqual(["@redis/client"]);
      else if (name === "ioredis.ts") expect(clients).toEqual(["ioredis"]);
      else expect({ name, clients }).toEqual({ name, clients: [] });
    }
    // Statically, that is: redisStorage({ url }) imports the node-redis binding on demand.
    const index = runtimeImports(join(import.meta.dirname, "index.ts"));
    expect(index.filter((spec) => spec.includes("node-redis") || spec.includes("ioredis"))).toEqual([]);
  });

  it("keeps every source file under 300 lines", () => {
    const long = readdirSync(import.meta.dirname)
      .filter((name) => name.endsWith(".ts"))
      .filter((name) => readFileSync(join(import.meta.dirname, name), "utf8").split("\n").length > 300);
    expect(long).toEqual([]);
  });
});
