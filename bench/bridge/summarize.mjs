// Parse wrk outputs in a results dir -> markdown table (median of runs).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
// usage: node summarize.mjs DIR [DIR...]   (runs from several passes are pooled)
// MIN_SHARE=0.85: runs where the server got < 85% of its core (machine contended,
// load generator starved) are dropped when the variant has at least one clean run.
const dirs = process.argv.slice(2);
const dir = dirs[0];
// Default 0 = keep every run. Note: filtering per variant can bias ratios (A may be filtered
// differently from X); prefer compare-passes.mjs for cross-pass robustness.
const MIN_SHARE = Number(process.env.MIN_SHARE ?? 0);
const toMs = (s) => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(s.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1);
};
const median = (a) => { const b = [...a].sort((x, y) => x - y); const h = b.length >> 1; return b.length % 2 ? b[h] : (b[h - 1] + b[h]) / 2; };
const runs = {};
for (const d of dirs) for (const f of readdirSync(d)) {
  const m = /^(.+)-run(\d+)\.txt$/.exec(f);
  if (!m) continue;
  const t = readFileSync(`${d}/${f}`, 'utf8');
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(t)?.[1]);
  const p50 = toMs(/^\s+50%\s+(\S+)/m.exec(t)?.[1] ?? '');
  const p99 = toMs(/^\s+99%\s+(\S+)/m.exec(t)?.[1] ?? '');
  const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(t)?.[1] ?? 0);
  const errs = /Socket errors:.*/.exec(t)?.[0] ?? '';
  const reqs = Number(/(\d+) requests in/.exec(t)?.[1]);
  const dur = toMs(/requests in ([\d.]+\w+),/.exec(t)?.[1] ?? '') / 1e3;
  const cpu = /server_cpu_s (\d+) (\d+)/.exec(t);
  const core = /core0_busy_s (\d+) (\d+)/.exec(t);
  const cpuS = cpu ? Number(cpu[1]) / Number(cpu[2]) : NaN;
  const coreS = core ? Number(core[1]) / Number(core[2]) : NaN;
  const wrkCpu = /wrk_cpu_s ([\d.]+) ([\d.]+)/.exec(t);
  const c1 = /core1_busy_s (\d+) (\d+)/.exec(t);
  const others1 = wrkCpu && c1 ? (Number(c1[1]) / Number(c1[2]) - Number(wrkCpu[1]) - Number(wrkCpu[2])) / dur : NaN;
  // CPU µs the server process spent per request; share of core 0 it got; share others took
  (runs[m[1]] ||= []).push({ rps, p50, p99, bad, errs, cpuUs: (cpuS * 1e6) / reqs, share: cpuS / dur, others: (coreS - cpuS) / dur, others1 });
}
const dropped = {};
for (const [k, r] of Object.entries(runs)) {
  const clean = r.filter((x) => x.share >= MIN_SHARE);
  if (clean.length && clean.length < r.length) { dropped[k] = r.length - clean.length; runs[k] = clean; }
}
const order = readFileSync(new URL('./variants.txt', import.meta.url), 'utf8').split('\n').map((l) => l.split(/\s+/)[0]).filter(Boolean);
const base = median(runs['A-raw']?.map((r) => r.rps) ?? [NaN]);
const baseCpu = median(runs['A-raw']?.map((r) => r.cpuUs) ?? [NaN]);
const lines = [
  `| variant | median req/s | x A | p50 ms | p99 ms | server CPU µs/req | x A by CPU | Δ CPU µs vs A | server core share | others core0 / core1 | runs req/s (kept) | dropped (contended) | non-2xx/errors |`,
  `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|`,
];
for (const name of order) {
  const r = runs[name];
  if (!r) continue;
  const rps = median(r.map((x) => x.rps));
  const p50 = median(r.map((x) => x.p50));
  const p99 = median(r.map((x) => x.p99));
  const cpuUs = median(r.map((x) => x.cpuUs));
  const share = median(r.map((x) => x.share));
  const others = median(r.map((x) => x.others));
  const others1 = median(r.map((x) => x.others1));
  lines.push(`| ${name} | ${rps.toFixed(0)} | ${(rps / base).toFixed(2)} | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${cpuUs.toFixed(1)} | ${(baseCpu / cpuUs).toFixed(2)} | ${(cpuUs - baseCpu).toFixed(1)} | ${(share * 100).toFixed(0)}% | ${(others * 100).toFixed(0)}% / ${(others1 * 100).toFixed(0)}% | ${r.map((x) => x.rps.toFixed(0)).join(' / ')} | ${dropped[name] ?? 0} | ${r.reduce((s, x) => s + x.bad, 0)}${r.some((x) => x.errs) ? ' ' + r.map((x) => x.errs).join(';') : ''} |`);
}
const md = lines.join('\n') + '\n';
if (dirs.length === 1) writeFileSync(`${dir}/summary.md`, md);
console.log(md);
