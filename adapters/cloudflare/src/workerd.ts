/**
 * Runs a Wisp Worker on workerd, locally, through Miniflare (Node only; needs the `miniflare`
 * and `esbuild` packages). For tests and local development; deploy with wrangler.
 *
 *   const running = await startWorkerd({ entry: "src/worker.ts", port: 8787 });
 *   console.log(running.url);   // http://127.0.0.1:8787/mcp
 *   await running.close();
 *
 * With `isolates: 2` the endpoint is a round-robin router in front of two copies of the Worker,
 * each in its own isolate and sharing one Durable Object namespace: consecutive requests
 * alternate between isolates, the way a Cloudflare location spreads them.
 */
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { build } from "esbuild";
import { Log, LogLevel, Miniflare } from "miniflare";

export interface StartWorkerdOptions {
  /** The Worker module: default export from `createWorker`, the session class exported by name. */
  entry: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The MCP path, for the returned `url`. Default `/mcp`. */
  path?: string;
  /** Copies of the Worker behind a round-robin router, each its own isolate. Default 1. */
  isolates?: number;
  /** Name of the exported Durable Object class. Default `WispSessionObject`. */
  className?: string;
  /** Name of its namespace binding. Default `WISP_SESSIONS`. */
  binding?: string;
  /** Plain-text bindings (`env.NAME`), e.g. secrets for local runs. */
  vars?: Record<string, string>;
  /** Default 2026-04-01. */
  compatibilityDate?: string;
  /** Where Durable Object storage persists between runs; default: in memory. */
  persist?: string;
  /**
   * Test builds only: every response carries `x-test-isolate` (an id drawn once per isolate),
   * a response from a Durable Object `x-test-object` (an id drawn once per object instance),
   * and a request with `x-test-evict: 1` that reaches a session object resets that object
   * (`state.abort()`), as an eviction would; `x-test-keys: 1` answers with the object's stored
   * keys and alarm instead of serving the request. With `isolates` > 1, `x-test-front: N` sends a
   * request to front N instead of the next in turn.
   */
  testHooks?: boolean;
  /** Print workerd's own output (console.log in the Worker). Default false. */
  verbose?: boolean;
}

export interface RunningWorkerd {
  /** The MCP endpoint, e.g. http://127.0.0.1:8787/mcp */
  url: string;
  miniflare: Miniflare;
  /** Names of the front Workers (one per isolate); the first defines the Durable Object class. */
  workers: string[];
  close(): Promise<void>;
}

/** Headers of test builds (`testHooks`) and of the multi-isolate router. */
export const TEST_HEADERS = { isolate: "x-test-isolate", object: "x-test-object", evict: "x-test-evict", keys: "x-test-keys", front: "x-test-front" } as const;

/** Export conditions for bundling: Wisp's TypeScript sources, then the edge builds of dependencies. */
export const BUNDLE_CONDITIONS = ["wisp-source", "workerd", "worker", "browser"];

/** Bundles a Worker module (TypeScript or JavaScript) into one ES module for workerd. */
export async function bundleWorker(entry: string, options: { testHooks?: boolean; className?: string } = {}): Promise<string> {
  const absolute = resolve(entry);
  const className = options.className ?? "WispSessionObject";
  const stdin = options.testHooks
    ? {
        contents: testWrapper(absolute, className),
        resolveDir: dirname(absolute),
        sourcefile: "wisp-test-entry.js",
        loader: "js" as const,
      }
    : undefined;
  const result = await build({
    ...(stdin ? { stdin } : { entryPoints: [absolute] }),
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: BUNDLE_CONDITIONS,
    mainFields: ["browser", "module", "main"],
    external: ["cloudflare:*"],
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

function testWrapper(entry: string, className: string): string {
  const spec = JSON.stringify(entry);
  return `import worker, * as entry from ${spec};
export * from ${spec};
let isolate;
const stamp = (response) => {
  const copy = new Response(response.body, response);
  copy.headers.set(${JSON.stringify(TEST_HEADERS.isolate)}, isolate);
  return copy;
};
export default {
  async fetch(request, env, ctx) {
    isolate ??= crypto.randomUUID();
    return stamp(await worker.fetch(request, env, ctx));
  },
};
export class ${className} extends entry.${className} {
  #instance;
  async fetch(request) {
    this.#instance ??= crypto.randomUUID();
    const response = await this.#serve(request);
    const copy = new Response(response.body, response);
    copy.headers.set(${JSON.stringify(TEST_HEADERS.object)}, this.#instance);
    return copy;
  }
  async #serve(request) {
    if (request.headers.get(${JSON.stringify(TEST_HEADERS.evict)}) === "1") this.state.abort("evicted by a test");
    if (request.headers.get(${JSON.stringify(TEST_HEADERS.keys)}) === "1") {
      const keys = [...(await this.state.storage.list()).keys()];
      return new Response(JSON.stringify({ keys, alarm: await this.state.storage.getAlarm() }), { headers: { "content-type": "application/json" } });
    }
    return super.fetch(request);
  }
}
`;
}

/** Round robin over the fronts; a request naming a front in `x-test-front` (tests) goes there. */
const ROUTER = `let next = 0;
export default {
  fetch(request, env) {
    const fronts = env.FRONTS.split(",");
    const pick = request.headers.get(${JSON.stringify("x-test-front")});
    const index = pick === null ? next++ : Number(pick);
    return env[fronts[index % fronts.length]].fetch(request);
  },
};
`;

/** Bundles `entry` and serves it on workerd; resolves once the endpoint answers. */
export async function startWorkerd(options: StartWorkerdOptions): Promise<RunningWorkerd> {
  const className = options.className ?? "WispSessionObject";
  const binding = options.binding ?? "WISP_SESSIONS";
  const isolates = Math.max(1, options.isolates ?? 1);
  const compatibilityDate = options.compatibilityDate ?? "2026-04-01";
  const script = await bundleWorker(options.entry, { testHooks: options.testHooks, className });
  const fronts = Array.from({ length: isolates }, (_, i) => `wisp-${i}`);
  const front = (name: string, i: number) => ({
    name,
    modules: [{ type: "ESModule" as const, path: "worker.js", contents: script }],
    compatibilityDate,
    bindings: { ...options.vars },
    // The first copy defines the class; the others bind the same namespace, so every isolate reaches the same objects.
    durableObjects: { [binding]: i === 0 ? { className, useSQLite: true } : { className, scriptName: fronts[0], useSQLite: true } },
  });
  const workers =
    isolates === 1
      ? [front(fronts[0], 0)]
      : [
          {
            name: "wisp-router",
            modules: [{ type: "ESModule" as const, path: "router.js", contents: ROUTER }],
            compatibilityDate,
            bindings: { FRONTS: fronts.join(",") },
            serviceBindings: Object.fromEntries(fronts.map((name) => [name, name])),
          },
          ...fronts.map(front),
        ];
  const miniflare = new Miniflare({
    workers,
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    log: new Log(options.verbose ? LogLevel.INFO : LogLevel.WARN),
    // A fixed request.cf: Miniflare would otherwise fetch one from Cloudflare at start.
    cf: { colo: "LCL", country: "XX" },
    ...(options.persist ? { durableObjectsPersist: options.persist } : {}),
    telemetry: { enabled: false },
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      forwardLines(stdout, process.stdout, options.verbose);
      forwardLines(stderr, process.stderr, options.verbose);
    },
  } as ConstructorParameters<typeof Miniflare>[0]);
  let origin: URL;
  try {
    origin = await miniflare.ready;
  } catch (error) {
    await miniflare.dispose().catch(() => {});
    throw error;
  }
  const url = new URL(options.path ?? "/mcp", origin).toString();
  let closed = false;
  return {
    url,
    miniflare,
    workers: fronts,
    async close() {
      if (closed) return;
      closed = true;
      await miniflare.dispose();
    },
  };
}

/**
 * Passes workerd's output on, except the "Broken pipe" reports it logs (with a stack line)
 * every time a client drops an SSE stream: normal for MCP clients, noise in a terminal.
 */
function forwardLines(from: Readable, to: Writable, verbose: boolean | undefined): void {
  let skipStack = false;
  createInterface({ input: from, crlfDelay: Infinity }).on("line", (line) => {
    if (!verbose && /disconnected: ::write\(fd, buffer\.begin\(\), buffer\.size\(\)\): Broken pipe/.test(line)) {
      skipStack = true;
      return;
    }
    if (skipStack && line.startsWith("stack:")) {
      skipStack = false;
      return;
    }
    skipStack = false;
    to.write(`${line}\n`);
  });
}
