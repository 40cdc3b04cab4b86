import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The core's folders form layers, and imports only point down. A request meets them top to
 * bottom (http → sessions | stateless → features → context → protocol); registration (server/)
 * sits below features because features read what was registered. Type imports count too: a
 * type cycle still ties two files together for a reader. `testing/` (the shipped test client)
 * sits on top as a user of the package: it may import the public index and nothing else.
 */
const LAYERS: Record<string, number> = {
  util: 0,
  "uri-template": 1,
  schema: 1,
  storage: 1,
  auth: 1,
  protocol: 2,
  context: 3,
  telemetry: 4,
  server: 5,
  features: 6,
  http: 7,
  sessions: 8,
  stateless: 8,
  "(root)": 9, // the entries, server.ts and the create-server files: the only place registration meets HTTP
  "test-support": 10,
  testing: 10, // same layer as test-support: neither may import the other
};

/** Folders that are clients of the core: outside their own folder they import only these files. */
const PUBLIC_ONLY: Record<string, string[]> = { testing: ["index.ts"] };

const SRC = import.meta.dirname;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** file (relative to src) → the files it imports (relative to src), local imports only. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const source = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const targets: string[] = [];
    for (const match of source.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (!specifier.startsWith(".")) continue;
      targets.push(relative(SRC, resolve(dirname(file), specifier.replace(/\.js$/, ".ts"))));
    }
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

const folderOf = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : "(root)");

/** Every cycle, each as the path that closes it (DFS with an on-stack set). */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (node: string) => {
    if (done.has(node)) return;
    if (onStack.has(node)) {
      cycles.push([...stack.slice(stack.indexOf(node)), node]);
      return;
    }
    onStack.add(node);
    stack.push(node);
    for (const next of graph.get(node) ?? []) visit(next);
    stack.pop();
    onStack.delete(node);
    done.add(node);
  };
  for (const node of graph.keys()) visit(node);
  return cycles;
}

describe("@wisp/core layering", () => {
  const graph = importGraph();

  it("reads the real import graph (and its cycle finder finds a planted cycle)", () => {
    expect(graph.get("server.ts")).toContain("http/handler.ts");
    expect(graph.get("server/registry.ts")).toContain("context/host.ts"); // a type-only import is seen
    expect([...graph.values()].flat().length).toBeGreaterThan(100);
    const planted = new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]]]);
    expect(findCycles(planted)).toEqual([["a.ts", "b.ts", "c.ts", "a.ts"]]);
  });

  it("has every file in a known layer and every import resolving to a file", () => {
    const unknownFolders = [...graph.keys()].map(folderOf).filter((folder) => !(folder in LAYERS));
    expect(unknownFolders).toEqual([]);
    const dangling = [...graph].flatMap(([file, targets]) => targets.filter((t) => !graph.has(t)).map((t) => `${file} → ${t}`));
    expect(dangling).toEqual([]);
  });

  it("has no import cycle, type imports included", () => {
    expect(findCycles(graph).map((cycle) => cycle.join(" → "))).toEqual([]);
  });

  it("imports only downward: a folder never imports a folder of its own layer or above", () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const from = folderOf(file);
        const to = folderOf(target);
        if (from !== to && LAYERS[to] >= LAYERS[from]) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("keeps client folders on the public API: testing/ imports the core only through index.ts", () => {
    expect(graph.get("testing/client.ts")).toContain("index.ts");
    const inside: string[] = [];
    for (const [file, targets] of graph) {
      const allowed = PUBLIC_ONLY[folderOf(file)];
      if (!allowed) continue;
      for (const target of targets) if (folderOf(target) !== folderOf(file) && !allowed.includes(target)) inside.push(`${file} → ${target}`);
    }
    expect(inside).toEqual([]);
  });

  it("keeps the 2025 era out of @wisp/core/stateless: nothing it imports, even lazily, reaches sessions/ or the dual-era createServer", () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const target of graph.get(file) ?? []) visit(target);
    };
    visit("stateless-only.ts");
    expect(reached.has("stateless/post.ts")).toBe(true); // the walk does reach the stateless leg
    expect([...reached].filter((file) => folderOf(file) === "sessions" || file === "create-server.ts" || file === "index.ts")).toEqual([]);
  });
});
