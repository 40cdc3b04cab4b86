// Metric 6: the quickstart server bundled for Node (esbuild --bundle --minify), raw and gzipped
// (node:zlib, level 9), with and without its schema library.
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { BENCH, REPO } from './tools.mjs';

const SCHEMA_LIBS = {
  wisp: ['valibot', '@valibot/to-json-schema'],
  zod: ['zod', 'zod/*'],
};
const CASES = [
  { id: 'wisp', label: 'Wisp (@wisp/core + @wisp/node)', entry: 'size/quickstart-wisp.ts', schema: SCHEMA_LIBS.wisp },
  { id: 'sdk2', label: 'SDK v2 (@modelcontextprotocol/server + /node)', entry: 'size/quickstart-sdk2.mjs', schema: SCHEMA_LIBS.zod },
  { id: 'sdk1', label: 'SDK v1 (@modelcontextprotocol/sdk)', entry: 'size/quickstart-sdk1.mjs', schema: SCHEMA_LIBS.zod },
  { id: 'mcp-lite', label: 'mcp-lite + Hono/Node', entry: 'size/quickstart-mcp-lite.mjs', schema: SCHEMA_LIBS.zod },
];

export async function bundleSizes() {
  const { build } = await import(join(REPO, 'node_modules/esbuild/lib/main.js'));
  const out = {};
  for (const c of CASES) {
    const sizes = {};
    for (const [key, external] of [['withSchemaLib', []], ['withoutSchemaLib', c.schema]]) {
      const r = await build({
        entryPoints: [join(BENCH, c.entry)], bundle: true, minify: true, platform: 'node', format: 'esm', target: 'node20',
        conditions: ['wisp-source'], write: false, metafile: true, external, logLevel: 'silent', absWorkingDir: REPO,
      });
      const code = r.outputFiles[0].contents;
      const inputs = Object.entries(Object.values(r.metafile.outputs)[0].inputs);
      const byPackage = {};
      for (const [path, { bytesInOutput }] of inputs) {
        const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
        const pkg = m ? m[1] : path.split('/').slice(0, 2).join('/');
        byPackage[pkg] = (byPackage[pkg] ?? 0) + bytesInOutput;
      }
      sizes[key] = { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, byPackage: Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1])) };
    }
    out[c.id] = { label: c.label, ...sizes };
  }
  return out;
}

/**
 * The budget measure (also asserted by packages/core/src/size-budget.test.ts): a minimal server
 * (createServer + one schema-less tool, exported as a fetch handler) bundled for any web-standard
 * target (--platform=neutral, splitting on), minified and gzipped; counted: the entry and the
 * chunks it imports statically, i.e. what loads at startup. Chunks loaded with import() (the
 * JSON Schema validator) are reported apart; the user's schema library is external.
 * `entryModule` '@wisp/core/stateless' measures the same server on the 2026-07-28-only entry.
 * `without` (paths under packages/core/src) empties those modules first: not a server that runs,
 * but an upper bound on what making their features opt-in could save (bench/size/what-if.mjs).
 */
export const CORE_EXTERNAL = ['valibot', '@valibot/to-json-schema', 'zod', 'zod/*', 'arktype'];
export async function coreSize(entryModule = '@wisp/core', { without = [] } = {}) {
  const { build } = await import(join(REPO, 'node_modules/esbuild/lib/main.js'));
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'wisp-size-'));
  try {
    const entry = join(dir, 'minimal.mjs');
    writeFileSync(entry, `import { createServer } from "${entryModule}";\nconst server = createServer({ name: "demo", version: "1.0.0" }).tool("ping", { description: "Answers pong" }, () => "pong");\nexport default { fetch: (request) => server.handle(request) };\n`);
    const r = await build({
      entryPoints: [entry], bundle: true, minify: true, splitting: true, platform: 'neutral', format: 'esm', outdir: join(dir, 'out'),
      conditions: ['wisp-source'], nodePaths: [join(REPO, 'node_modules')], write: false, metafile: true, external: CORE_EXTERNAL, logLevel: 'silent',
      plugins: without.length === 0 ? [] : [emptied(without)],
    });
    const outputs = r.metafile.outputs;
    // Chunks loaded with import() are entry points too: the startup code starts at minimal.mjs's output.
    const entryOut = Object.keys(outputs).find((p) => outputs[p].entryPoint?.endsWith('minimal.mjs'));
    const startup = new Set();
    const visit = (p) => { if (startup.has(p)) return; startup.add(p); for (const i of outputs[p].imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path); };
    visit(entryOut);
    const byPath = new Map(r.outputFiles.map((f) => [f.path.slice(f.path.indexOf('out/')), f.contents]));
    const pick = (paths) => Buffer.concat(paths.map((p) => Buffer.from(byPath.get(p.slice(p.indexOf('out/'))))));
    const code = pick([...startup]);
    const lazy = pick(Object.keys(outputs).filter((p) => !startup.has(p)));
    const files = [...startup].flatMap((p) => Object.entries(outputs[p].inputs)).map(([path, { bytesInOutput }]) => [path.replace(/^.*?packages\/core\/src\//, 'core/'), bytesInOutput]).sort((a, b) => b[1] - a[1]);
    return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, lazyGzipBytes: gzipSync(lazy, { level: 9 }).length, files: Object.fromEntries(files) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An esbuild plugin that loads the given core modules (paths under packages/core/src) as empty. */
function emptied(paths) {
  return {
    name: 'emptied',
    setup(build) {
      build.onLoad({ filter: /packages\/core\/src\/.*\.ts$/ }, (args) => {
        const path = args.path.replace(/^.*packages\/core\/src\//, '');
        return paths.includes(path) ? { contents: '', loader: 'ts' } : undefined;
      });
    },
  };
}
