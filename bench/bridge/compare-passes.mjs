// Per-pass ratio to A (same pass => A measured minutes apart, round-robin), to judge noise.
//   node compare-passes.mjs results/node-v20.20.2/pass-* 
import { readdirSync, readFileSync } from 'node:fs';
const median = (a) => { const b = [...a].sort((x, y) => x - y); const h = b.length >> 1; return b.length % 2 ? b[h] : (b[h - 1] + b[h]) / 2; };
const order = readFileSync(new URL('./variants.txt', import.meta.url), 'utf8').split('\n').map((l) => l.split(/\s+/)[0]).filter(Boolean);
const passes = process.argv.slice(2).map((d) => {
  const runs = {};
  for (const f of readdirSync(d)) {
    const m = /^(.+)-run(\d+)\.txt$/.exec(f);
    if (!m) continue;
    const t = readFileSync(`${d}/${f}`, 'utf8');
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(t)?.[1]);
    const reqs = Number(/(\d+) requests in/.exec(t)?.[1]);
    const cpu = /server_cpu_s (\d+) (\d+)/.exec(t);
    if (!cpu || !reqs) continue; // incomplete run
    const dur = Number(/requests in ([\d.]+)s,/.exec(t)?.[1]);
    const cpuS = Number(cpu[1]) / Number(cpu[2]);
    (runs[m[1]] ||= []).push({ rps, cpuUs: (cpuS * 1e6) / reqs, share: cpuS / dur });
  }
  const agg = {};
  for (const [k, r] of Object.entries(runs)) agg[k] = { rps: median(r.map((x) => x.rps)), cpuUs: median(r.map((x) => x.cpuUs)), share: median(r.map((x) => x.share)) };
  const shares = Object.values(runs).flat().map((x) => x.share);
  return { name: d.split('/').slice(-1)[0], agg, share: median(shares), aRps: agg['A-raw']?.rps, aCpu: agg['A-raw']?.cpuUs };
});
console.log(`| variant | ${passes.map((p) => `${p.name} x A req/s (x A CPU)`).join(' | ')} | median over passes (req/s, CPU) |`);
console.log(`|---|${passes.map(() => '---:').join('|')}|---:|`);
console.log(`| A-raw req/s, CPU µs/req | ${passes.map((p) => `${p.aRps.toFixed(0)}, ${p.aCpu.toFixed(1)} µs`).join(' | ')} | |`);
for (const v of order) {
  if (!passes.some((p) => p.agg[v])) continue;
  const cells = passes.map((p) => p.agg[v] && p.aRps ? [p.agg[v].rps / p.aRps, p.aCpu / p.agg[v].cpuUs] : null);
  const ok = cells.filter(Boolean);
  console.log(`| ${v} | ${cells.map((c) => (c ? `${c[0].toFixed(2)} (${c[1].toFixed(2)})` : '-')).join(' | ')} | ${median(ok.map((c) => c[0])).toFixed(2)}, ${median(ok.map((c) => c[1])).toFixed(2)} |`);
}
console.log(`| median server core share (contention: lower = worse) | ${passes.map((p) => `${(p.share * 100).toFixed(0)}%`).join(' | ')} | |`);
