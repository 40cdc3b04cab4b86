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
 * The budget measure (also asserted by packages/core/src/size-budget.test.ts): all of
 * @wisp/core's exports, for the web (what Workers/Bun/Deno users ship), minified and gzipped,
 * without the user's schema library (valibot + its JSON Schema converter, zod, arktype).
 * @cfworker/json-schema (the raw-JSON-Schema validator the core always imports) and nanoid count.
 */
export const CORE_EXTERNAL = ['valibot', '@valibot/to-json-schema', 'zod', 'zod/*', 'arktype'];
export async function coreSize() {
  const { build } = await import(join(REPO, 'node_modules/esbuild/lib/main.js'));
  const r = await build({
    entryPoints: [join(REPO, 'packages/core/src/index.ts')], bundle: true, minify: true, platform: 'browser', format: 'esm',
    conditions: ['wisp-source'], write: false, metafile: true, external: CORE_EXTERNAL, logLevel: 'silent', absWorkingDir: REPO,
  });
  const code = r.outputFiles[0].contents;
  const files = Object.entries(Object.values(r.metafile.outputs)[0].inputs).map(([path, { bytesInOutput }]) => [path, bytesInOutput]).sort((a, b) => b[1] - a[1]);
  return { minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, files: Object.fromEntries(files) };
}
