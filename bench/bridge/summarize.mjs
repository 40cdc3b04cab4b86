// Parse wrk outputs in a results dir -> markdown table (median of runs).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
const dir = process.argv[2];
const toMs = (s) => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(s.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 1e-3 : m[2] === 's' ? 1e3 : 1);
};
const median = (a) => { const b = [...a].sort((x, y) => x - y); return b[Math.floor(b.length / 2)]; };
const runs = {};
for (const f of readdirSync(dir)) {
  const m = /^(.+)-run(\d+)\.txt$/.exec(f);
  if (!m) continue;
  const t = readFileSync(`${dir}/${f}`, 'utf8');
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
const order = readFileSync(new URL('./variants.txt', import.meta.url), 'utf8').split('\n').map((l) => l.split(/\s+/)[0]).filter(Boolean);
const base = median(runs['A-raw']?.map((r) => r.rps) ?? [NaN]);
const baseCpu = median(runs['A-raw']?.map((r) => r.cpuUs) ?? [NaN]);
const lines = [
  `| variant | median req/s | x A | p50 ms | p99 ms | server CPU µs/req | x A by CPU | Δ CPU µs vs A | server core share | others core0 / core1 | runs req/s | non-2xx/errors |`,
  `|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|`,
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
  lines.push(`| ${name} | ${rps.toFixed(0)} | ${(rps / base).toFixed(2)} | ${p50.toFixed(2)} | ${p99.toFixed(2)} | ${cpuUs.toFixed(1)} | ${(baseCpu / cpuUs).toFixed(2)} | ${(cpuUs - baseCpu).toFixed(1)} | ${(share * 100).toFixed(0)}% | ${(others * 100).toFixed(0)}% / ${(others1 * 100).toFixed(0)}% | ${r.map((x) => x.rps.toFixed(0)).join(' / ')} | ${r.reduce((s, x) => s + x.bad, 0)}${r.some((x) => x.errs) ? ' ' + r.map((x) => x.errs).join(';') : ''} |`);
}
const md = lines.join('\n') + '\n';
writeFileSync(`${dir}/summary.md`, md);
console.log(md);
