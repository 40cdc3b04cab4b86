#!/usr/bin/env node
// What the minimal server of the size budget would load at startup without some core modules,
// each replaced by an empty one: the most that making their features opt-in could save (the
// bundle does not run). Paths are under packages/core/src.
//   node bench/size/what-if.mjs @wisp/core/stateless uri-template/syntax.ts server/param-headers.ts
import { coreSize } from '../lib/size.mjs';

const [entry = '@wisp/core', ...without] = process.argv.slice(2);
const kb = (bytes) => (bytes / 1024).toFixed(1);
const all = await coreSize(entry);
const some = await coreSize(entry, { without });
const missing = without.filter((path) => !Object.hasOwn(all.files, `core/${path}`));
if (missing.length > 0) throw new Error(`not in ${entry}'s startup code: ${missing.join(', ')}`);
console.log(`${entry}: ${kb(all.minBytes)} KB min, ${kb(all.gzipBytes)} KB min+gz at startup`);
console.log(`without ${without.length} module(s): ${kb(some.minBytes)} KB min, ${kb(some.gzipBytes)} KB min+gz`);
