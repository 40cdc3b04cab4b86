// Results JSON -> markdown: one table per metric (Wisp vs each peer vs the floor, with ratios),
// then the issue's targets, each with what was measured and whether it is met.
import { REDIS_TARGETS } from './targets.mjs';

const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const kb = (b) => (Number.isFinite(b) ? (b / 1024).toFixed(1) : '–');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b ? a / b : NaN);
const x = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');
const median = (a) => { const b = a.filter(Number.isFinite).sort((p, q) => p - q); if (!b.length) return NaN; const h = b.length >> 1; return b.length % 2 ? b[h] : (b[h - 1] + b[h]) / 2; };
/**
 * a ÷ b from runs taken side by side: the median of run i of a ÷ run i of b. Targets are measured
 * round-robin, so run i of both falls in the same round, seconds apart; on a shared machine whose
 * speed drifts by ±20 % within a minute, a ratio of two medians taken in different rounds mostly
 * measures that drift. Falls back to the ratio of medians when the runs do not pair up.
 */
const paired = (a, b, value) => {
  const n = a?.runs?.length;
  if (!n || n !== b?.runs?.length) return ratio(value(a ?? {}), value(b ?? {}));
  return median(a.runs.map((run, i) => ratio(value(run), value(b.runs[i]))));
};
const rpsOf = (r) => r.rps;
const cpuOf = (r) => r.serverCpuUsPerReq;
const p99Of = (r) => r.p99;
const p50Of = (r) => r.p50;

function floorOf(results) { return Object.values(results ?? {}).find((r) => r.floor); }

function throughputTable(byNode, key, title) {
  const versions = Object.keys(byNode).filter((v) => byNode[v]?.[key] && Object.keys(byNode[v][key]).length);
  if (!versions.length) return [];
  const ids = [...new Set(versions.flatMap((v) => Object.keys(byNode[v][key])))];
  const head = ['target', 'server', ...versions.flatMap((v) => [`${v} req/s`, `× floor`, 'p50 ms', 'p99 ms', 'CPU µs/req'])];
  const lines = [`### ${title}`, '', `| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const id of ids) {
    const any = versions.map((v) => byNode[v][key][id]).find(Boolean);
    const cells = [any.wisp ? `**${any.label}**` : any.label, any.serverLabel];
    for (const v of versions) {
      const r = byNode[v][key][id];
      const floor = floorOf(byNode[v][key]);
      const bad = r && (r.non2xx || r.errors) ? ` ⚠ ${r.non2xx ? `${r.non2xx} non-2xx` : ''} ${r.errors}` : '';
      cells.push(r ? `${f0(r.rps)}${bad}` : '–', r ? x(paired(r, floor, rpsOf)) : '–', r ? f2(r.p50) : '–', r ? f2(r.p99) : '–', r ? f1(r.serverCpuUsPerReq) : '–');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('', `Runs (req/s): ${versions.map((v) => `${v}: ${ids.filter((id) => byNode[v][key][id]).map((id) => `${id} ${byNode[v][key][id].runs.map((r) => f0(r.rps)).join('/')}`).join(', ')}`).join('; ')}`, '');
  return lines;
}

/** "0.62× (CPU 0.63×)": the req/s ratio, and the same ratio from server CPU per request, both from paired runs. */
function both(a, b) {
  const byRps = paired(a, b, rpsOf);
  const byCpu = paired(b, a, cpuOf);
  return { byRps, byCpu, text: `${x(byRps)} (by CPU µs/req ${x(byCpu)})` };
}

export function evaluateTargets(res) {
  const t = [];
  const add = (target, measured, ok) => t.push({ target, measured, status: ok === null ? 'n/a' : ok ? 'met' : 'MISSED' });
  for (const [v, n] of Object.entries(res.node ?? {})) {
    const j = n.json ?? {};
    const isNode20 = v.startsWith('v20');
    // Issue 13's targets (performance, round 2).
    for (const w of ['wisp-2025', 'wisp-2026']) {
      const r = j[w];
      if (!r) continue;
      const label = `${v} ${r.label}`;
      const vsRaw = both(r, j.raw), vsLite = both(r, j['mcp-lite']);
      const floor = w === 'wisp-2025' ? 0.85 : 0.8;
      add(`${label}: tools/call JSON ≥ ${floor}× raw node:http`, vsRaw.text, vsRaw.byRps >= floor);
      if (w === 'wisp-2025') add(`${label}: ≥ 1.15× mcp-lite`, vsLite.text, vsLite.byRps >= 1.15);
      add(`${label}: p99 ≤ 1.5× raw node:http p99`, `${f2(r.p99)} ms vs ${f2(j.raw?.p99)} ms (${x(paired(r, j.raw, p99Of))})`, paired(r, j.raw, p99Of) <= 1.5);
    }
    const s = n.sse ?? {};
    for (const w of ['wisp-2025-sse', 'wisp-2026-sse']) {
      const r = s[w];
      if (!r) continue;
      const vsRaw = both(r, s['raw-sse']), vsLite = both(r, s['mcp-lite-sse']);
      add(`${v} ${r.label}: ≥ 0.55× raw node:http writing the same frames`, vsRaw.text, vsRaw.byRps >= 0.55);
      add(`${v} ${r.label}: ≥ 1.5× mcp-lite SSE`, vsLite.text, vsLite.byRps >= 1.5);
    }
  }
  for (const [v, n] of Object.entries(res.node ?? {})) {
    if (!n.redis) continue;
    for (const { metric, id, base, min, what } of REDIS_TARGETS) {
      const r = n.redis[metric]?.[id], m = n.redis[metric]?.[base];
      if (!r || !m) continue;
      const b = both(r, m);
      add(`${v} Wisp on @wisp/redis: ${what} ≥ ${min}× memory storage`, `${b.text}; Wisp ${f1(r.serverCpuUsPerReq)} vs ${f1(m.serverCpuUsPerReq)} CPU µs/req, redis-server ${f1(r.redisCpuUsPerReq)} CPU µs/req`, b.byRps >= min);
    }
  }
  const n20 = Object.entries(res.node ?? {}).find(([v]) => v.startsWith('v20'))?.[1] ?? Object.values(res.node ?? {})[0];
  const ses = n20?.sessions;
  if (ses) {
    const i = ses.initialize ?? {};
    if (i['wisp-init']) { const b = both(i['wisp-init'], i['raw-init']); add('initialize/s ≥ 0.9× raw node:http', b.text, b.byRps >= 0.9); }
    const m = ses.coldStart?.wisp?.memory;
    if (m) add('≤ 1.0 KB RSS per idle 2025 session (memory storage)', `${f2(m.rssPerSessionKb)} KB RSS (${f2(m.heapPerSessionKb)} KB heap)`, m.rssPerSessionKb <= 1.0);
    const c = ses.coldStart ?? {};
    if (c.wisp && c.raw) {
      // Paired like the ratios: cold start i of raw and of Wisp were taken one after the other.
      const extra = c.wisp.runsMs?.length === c.raw.runsMs?.length ? median(c.wisp.runsMs.map((ms, k) => ms - c.raw.runsMs[k])) : c.wisp.ms - c.raw.ms;
      add('cold start ≤ raw node:http + 40 ms', `${f0(c.wisp.ms)} ms vs ${f0(c.raw.ms)} ms (+${f0(extra)} ms, median of paired runs)`, extra <= 40);
    }
    const l = ses.toolsList ?? {};
    for (const w of ['wisp-list', 'wisp-list-2026']) {
      if (l[w]) add(`tools/list (1 000 tools) p50 ≤ 2× raw node:http (${l[w].label})`, `${f2(l[w].p50)} ms vs ${f2(l['raw-list']?.p50)} ms (${x(paired(l[w], l['raw-list'], p50Of))})`, paired(l[w], l['raw-list'], p50Of) <= 2);
    }
  }
  const leak = n20?.leak;
  // "Zero" within what GC noise allows: heapUsed after GC moves by ±200 KB between samples with
  // no leak at all, i.e. ±0.3 B/request over a minute; a real per-request leak is tens of bytes.
  if (leak) {
    const data = leak.dataBytesPerRequest ?? leak.bytesPerRequest;
    add('zero heap retained per request after GC (1-minute run, all response modes; < 0.5 B/request counts as zero)', `${data.toFixed(3)} B/request of data over ${leak.requests} requests (heapUsed incl. code space ${leak.bytesPerRequest.toFixed(3)} B/request)`, data < 0.5);
  }
  const bun = res.bun?.json;
  if (bun) for (const w of ['wisp-bun-2025', 'wisp-bun-2026']) if (bun[w]) { const b = both(bun[w], bun['raw-bun']); add(`Bun ${bun[w].label}: ≥ 0.8× bare Bun.serve`, b.text, b.byRps >= 0.8); }
  if (res.size?.core) add('minimal server ≤ 18 KB min+gz at startup (--platform=neutral, schema library and on-demand chunks not counted)', `${kb(res.size.core.gzipBytes)} KB (${kb(res.size.core.minBytes)} KB min; on demand: ${kb(res.size.core.lazyGzipBytes)} KB)`, res.size.core.gzipBytes <= 18 * 1024);
  if (res.size?.coreStateless) add('stateless-only entry (@wisp/core/stateless), same server ≤ 12 KB min+gz at startup', `${kb(res.size.coreStateless.gzipBytes)} KB (${kb(res.size.coreStateless.minBytes)} KB min)`, res.size.coreStateless.gzipBytes <= 12 * 1024);
  return t;
}

export function markdown(res) {
  const L = [];
  L.push(`# Wisp benchmark — ${res.date}`, '');
  L.push(`Machine: ${res.machine.cpus} × ${res.machine.cpuModel}, ${res.machine.memGb} GB; servers pinned to core ${res.config.serverCore}, load generator (${res.config.loadgen}) to core ${res.config.loadCore}${redisCoreNote(res)}. ` +
    `tools/call (JSON, SSE): ${res.config.runs} × ${res.config.seconds} s per target after ${res.config.warm} s warm-up, ${res.config.conns} connections, medians; initialize/s, tools/list and Bun: ${res.config.shortRuns} × ${res.config.shortSeconds} s; targets measured round-robin. Node versions: ${Object.keys(res.node).join(', ')}${res.bun ? `; Bun ${res.bunVersion}` : ''}. Total wall time ${f0(res.wallSeconds)} s${res.lockWaitSeconds ? ` (${f0(res.wallSeconds - res.lockWaitSeconds)} s without the ${f0(res.lockWaitSeconds)} s spent waiting for the bench lock)` : ''}.`, '');
  L.push('Ratios are against the floor measured in the same run (raw node:http on Node, bare Bun.serve on Bun). CPU µs/req is the server process\'s own CPU time per request: lower is better and is less sensitive to load-generator noise than req/s.', '');
  L.push('## Targets', '', 'Judged on req/s ratios from this run, each the median of run-by-run ratios (run i of both targets was taken in the same round, seconds apart); the ratio of server CPU per request is shown beside each (steadier on a noisy machine: it does not depend on what else ran while the target was measured).', '', '| target | measured | status |', '|---|---|---|');
  for (const t of evaluateTargets(res)) L.push(`| ${t.target} | ${t.measured} | ${t.status === 'MISSED' ? '**MISSED**' : t.status} |`);
  L.push('');
  const jsonTable = throughputTable(res.node, 'json', 'tools/call echo, 50 connections');
  const sseTable = throughputTable(res.node, 'sse', 'tools/call echo with one progress notification, 50 connections');
  if (jsonTable.length) L.push('## (1) tools/call, JSON responses', '', ...jsonTable);
  if (sseTable.length) L.push('## (2) tools/call with SSE responses', '', 'The echo tool sends one `notifications/progress` (the request carries `_meta.progressToken`) before returning, which is what turns the response into SSE on Wisp, mcp-lite and SDK v2 (auto). SDK v1 is measured in its SSE mode (`enableJsonResponse: false`), with the same progress notification. The floor writes the exact frames Wisp writes for 2025-11-25 (priming event, progress, result).', '', ...sseTable);
  for (const [v, n] of Object.entries(res.node)) {
    const ses = n.sessions;
    if (!ses) continue;
    L.push(`## (3) initialize and sessions (${v})`, '');
    const i = ses.initialize ?? {};
    const fl = floorOf(i);
    L.push('| server | initialize/s | × floor | p50 ms | p99 ms | RSS KB / idle session | heap KB / idle session |', '|---|---:|---:|---:|---:|---:|---:|');
    const memOf = { 'raw-init': 'raw', 'wisp-init': 'wisp', 'mcp-lite-init': 'mcp-lite-session', 'sdk1-init': 'sdk1', 'sdk2-init': 'sdk2' };
    for (const r of Object.values(i)) {
      const m = ses.coldStart?.[memOf[r.id]]?.memory;
      L.push(`| ${r.wisp ? `**${r.label}**` : r.label} | ${f0(r.rps)} | ${x(paired(r, fl, rpsOf))} | ${f2(r.p50)} | ${f2(r.p99)} | ${m ? f2(m.rssPerSessionKb) : 'n/a (no sessions)'} | ${m ? f2(m.heapPerSessionKb) : '–'} |`);
    }
    const anyMem = Object.values(ses.coldStart ?? {}).find((c) => c.memory)?.memory;
    L.push('', `RSS and heap per session: (after − before) / ${anyMem?.sessions ?? 10000} sessions (initialize + notifications/initialized each), measured after two forced GCs, in a server process of its own after ${anyMem?.warmupSessions ?? 5000} warm-up sessions, with the young generation fixed at ${anyMem?.semiSpaceMb ?? 16} MB semi-spaces (\`--min-semi-space-size\` = \`--max-semi-space-size\`, both servers alike): otherwise V8 enlarges it in jumps of up to 16 MB at unpredictable moments, and a jump during the measured sessions was counted as theirs.`, '');
    L.push(`## (4) cold start (${v})`, '', `Spawn to the first successful \`initialize\` response (polled every ms on fresh connections), median of ${Object.values(ses.coldStart ?? {})[0]?.runsMs?.length ?? 3} fresh processes per server, started round-robin (raw, Wisp, …).`, '', '| server | cold start ms | runs | vs raw |', '|---|---:|---|---:|');
    const raw = ses.coldStart?.raw?.ms;
    for (const c of Object.values(ses.coldStart ?? {})) L.push(`| ${c.id === 'wisp' ? `**${c.label}**` : c.label} | ${f0(c.ms)} | ${c.runsMs.map(f0).join(' / ')} | ${c.id === 'raw' ? '' : `+${f0(c.ms - raw)} ms`} |`);
    L.push('', `## (5) tools/list with 1 000 registered tools (${v})`, '', 'One connection, so the latency is one request\'s cost.', '', '| server | p50 ms | × floor | p99 ms | req/s | response bytes |', '|---|---:|---:|---:|---:|---:|');
    const l = ses.toolsList ?? {};
    const lf = floorOf(l);
    for (const r of Object.values(l)) L.push(`| ${r.wisp ? `**${r.label}**` : r.label} | ${f2(r.p50)} | ${x(ratio(r.p50, lf?.p50))} | ${f2(r.p99)} | ${f0(r.rps)} | ${r.responseBytes ?? '–'} |`);
    L.push('');
  }
  for (const [v, n] of Object.entries(res.node)) if (n.redis) L.push(...redisSection(v, n.redis, res.config));
  for (const [v, n] of Object.entries(res.node)) {
    const leak = n.leak;
    if (!leak) continue;
    L.push(`## Heap retained per request (${v})`, '', `Wisp, ${leak.modes.join(' + ')} in rotation, 50 connections, ${leak.seconds} s after a 5 s warm-up; heapUsed after two forced GCs.`, '');
    L.push('| after s | requests | heapUsed MB | of which code space MB | external MB | RSS MB |', '|---:|---:|---:|---:|---:|---:|');
    for (const s of leak.samples) L.push(`| ${f0(s.t)} | ${s.requests} | ${f2(s.heapUsed / 2 ** 20)} | ${s.spaces ? f2(s.spaces.code_space / 2 ** 20) : '–'} | ${f2(s.external / 2 ** 20)} | ${f1(s.rss / 2 ** 20)} |`);
    L.push('', `Retained: ${leak.heapDeltaBytes} bytes of heapUsed in total (${leak.bytesPerRequest.toFixed(3)} B/request; last two thirds ${leak.bytesPerRequestLate.toFixed(3)} B/request)${leak.codeSpaceDeltaBytes !== undefined ? `, of which code space (V8 compiling more, not data) ${leak.codeSpaceDeltaBytes} bytes: ${leak.dataBytesPerRequest.toFixed(3)} B/request of data` : ''}.`, '');
  }
  if (res.bun) L.push(`## On Bun ${res.bunVersion}`, '', ...throughputTable({ bun: res.bun }, 'json', 'tools/call echo, JSON, 50 connections'));
  if (res.size) {
    L.push('## (6) bundle size', '', 'The quickstart server (the README\'s `add` tool on node:http), `esbuild --bundle --minify --platform=node`, gzip level 9.', '');
    L.push('| server | min KB | min+gz KB | without schema lib: min KB | min+gz KB | largest parts (without schema lib, min KB) |', '|---|---:|---:|---:|---:|---|');
    for (const [id, s] of Object.entries(res.size.quickstart ?? {})) {
      const parts = Object.entries(s.withoutSchemaLib.byPackage).slice(0, 4).map(([p, b]) => `${p} ${kb(b)}`).join(', ');
      L.push(`| ${id === 'wisp' ? `**${s.label}**` : s.label} | ${kb(s.withSchemaLib.minBytes)} | ${kb(s.withSchemaLib.gzipBytes)} | ${kb(s.withoutSchemaLib.minBytes)} | ${kb(s.withoutSchemaLib.gzipBytes)} | ${parts} |`);
    }
    if (res.size.core) {
      const c = res.size.core;
      L.push('', `A minimal server on @wisp/core (createServer + one schema-less tool as a fetch handler; esbuild --platform=neutral --splitting, without valibot/@valibot/to-json-schema/zod/arktype), what loads at startup: ${kb(c.minBytes)} KB min, **${kb(c.gzipBytes)} KB min+gz** (target 18 KB); loaded on demand (the JSON Schema validator, 2025 tasks and the 2024-11-05 transport, 2026 requestState signing and tasks): ${kb(c.lazyGzipBytes)} KB min+gz. Largest inputs at startup (min KB): ${Object.entries(c.files).slice(0, 10).map(([p, b]) => `${p.replace(/^.*node_modules\//, '')} ${kb(b)}`).join(', ')}.`);
    }
    if (res.size.coreStateless) {
      const c = res.size.coreStateless;
      L.push('', `The same server on the 2026-07-28-only entry (\`createServer\` from @wisp/core/stateless): ${kb(c.minBytes)} KB min, **${kb(c.gzipBytes)} KB min+gz** at startup (target 12 KB). Largest inputs (min KB): ${Object.entries(c.files).slice(0, 8).map(([p, b]) => `${p.replace(/^.*node_modules\//, '')} ${kb(b)}`).join(', ')}.`);
    }
    L.push('');
  }
  return L.join('\n');
}

/** Wisp on @wisp/redis, each row next to the memory-storage row it was measured with. */
function redisSection(v, r, config) {
  const core = r.redisServer?.core ?? config.loadCore;
  const where = String(core) === String(config.loadCore)
    ? `pinned to core ${core} with the load generator: Wisp keeps core ${config.serverCore} to itself, as with Redis on another machine`
    : `pinned to core ${core} (BENCH_REDIS_CORE)`;
  const L = [`## Wisp on @wisp/redis (${v})`, ''];
  L.push(`The same Wisp server on \`redisStorage()\` against a redis-server ${r.redisServer?.version ?? ''} the bench starts itself (nothing persisted, ${where}), and on memory storage; each pair measured round-robin in the same series, so the ratio compares side-by-side runs. Wisp CPU µs/req is the Wisp process's; redis-server CPU µs/req is redis-server's over the same runs (from /proc/<pid>/stat): their sum is what one request costs the fleet. Core share is CPU time / wall time (medians): Wisp well below 100 % means something else limited req/s (e.g. a core shared by redis-server and the load generator).`, '');
  L.push('| metric | storage | req/s | × memory | p50 ms | p99 ms | Wisp CPU µs/req | Wisp core share | redis-server CPU µs/req | redis-server core share |', '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const metrics = { json: 'tools/call JSON (2025 session)', sse: 'tools/call SSE (2025 session)', initialize: 'initialize/s' };
  const runs = [];
  for (const [key, title] of Object.entries(metrics)) {
    const rows = Object.values(r[key] ?? {});
    const base = rows.find((row) => !row.redis);
    for (const row of rows) {
      const bad = row.non2xx || row.errors ? ` ⚠ ${row.non2xx ? `${row.non2xx} non-2xx` : ''} ${row.errors}` : '';
      const pct = (share) => (Number.isFinite(share) ? `${(share * 100).toFixed(0)} %` : '–');
      L.push(`| ${title} | ${row.redis ? '**@wisp/redis**' : 'memory'} | ${f0(row.rps)}${bad} | ${row.redis ? x(paired(row, base, rpsOf)) : ''} | ${f2(row.p50)} | ${f2(row.p99)} | ${f1(row.serverCpuUsPerReq)} | ${pct(row.serverCoreShare)} | ${row.redis ? f1(row.redisCpuUsPerReq) : '–'} | ${row.redis ? pct(row.redisCoreShare) : '–'} |`);
      runs.push(`${row.id} ${row.runs.map((run) => f0(run.rps)).join('/')}`);
    }
  }
  L.push('', `Runs (req/s): ${runs.join(', ')}`, '');
  return L;
}

/** ", redis-server (the @wisp/redis rows) to core N" when the run has Redis rows. */
function redisCoreNote(res) {
  const r = Object.values(res.node ?? {}).find((n) => n.redis)?.redis;
  if (!r) return '';
  const core = r.redisServer?.core ?? res.config.loadCore;
  return String(core) === String(res.config.loadCore) ? ', as is redis-server (the @wisp/redis rows)' : `, redis-server (the @wisp/redis rows) to core ${core}`;
}
