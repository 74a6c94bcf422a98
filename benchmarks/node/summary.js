// Summarises a benchmarks/everyday.sh results directory: per rate and system+client, the median of
// the runs (each run in brackets) for p99, p50, server CPU and CPU per delivery, and the losses. For a
// benchmarks/joins.sh directory: per phase and system, the median time (each run), rate, p99, failures
// and server CPU.
// Usage: node summary.js <results dir>
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const files = fs.readdirSync(dir).filter((x) => x.endsWith('.json') && x !== 'latest.json').sort()
  .map((x) => JSON.parse(fs.readFileSync(path.join(dir, x), 'utf8')));
if (files.some((d) => d.kind === 'joins')) {
  joins(files.filter((d) => d.kind === 'joins'));
  process.exit(0);
}

function joins(results) {
  const label = (d) => (d.target === 'socketio' ? 'Socket.IO 4.8 + redis-adapter' : 'geows');
  const rows = new Map(); // phase name -> system -> [phase]
  for (const d of results) {
    for (const p of d.phases) {
      if (!rows.has(p.name)) rows.set(p.name, new Map());
      const bySystem = rows.get(p.name);
      if (!bySystem.has(label(d))) bySystem.set(label(d), []);
      bySystem.get(label(d)).push(p);
    }
  }
  const warm = results[0].warmup ? `, after ${results[0].warmup} unmeasured warm-up round(s)` : ', freshly started servers';
  console.log(`Connection and join storms (${path.basename(dir)}), one server, Node.js clients${warm}: medians of the runs, each run in brackets.\n`);
  console.log('| phase | system | runs | seconds | per second | p99 ms | failed | server CPU s |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, bySystem] of rows) {
    for (const [system, ps] of bySystem) {
      console.log(`| ${name} | ${system} | ${ps.length} | **${f(median(ps.map((p) => p.seconds)), 2)}** (${ps.map((p) => f(p.seconds, 2)).join(', ')}) | `
        + `${f(median(ps.map((p) => p.perSecond)), 0)} | ${f(median(ps.map((p) => p.p99Ms)), 0)} | ${ps.reduce((a, p) => a + p.failed, 0)} | `
        + `${f(median(ps.map((p) => p.serverCpuSeconds)), 2)} |`);
    }
  }
}
const rows = new Map(); // "rate|label" -> [{p99, p50, cpu, us, lost, delivered}]
for (const d of files) {
  let rate; let label; let m;
  if (d.client === 'node-ws') {
    rate = Math.round(d.rate * d.members);
    label = d.target === 'socketio' ? 'Socket.IO 4.8 + redis-adapter, Node.js client'
      : `${d.label && d.label !== 'geows' ? d.label : 'geows'}, Node.js \`ws\` client`;
    m = { p99: d.p99, p50: d.p50, cpu: d.serverCpuPercent, us: d.serverCpuMicrosPerDelivery, lost: d.lost, delivered: d.deliveredPerSecond };
  } else if (Array.isArray(d.steps)) {
    const s = d.steps.filter((x) => x.label === 'run').pop();
    if (!s) continue;
    const cpu = s.servers.reduce((a, x) => a + x.cpuSeconds, 0);
    rate = Math.round(s.targetRate * (s.expected / Math.max(1, s.published)));
    label = `geows${d.broker && d.broker !== 'redis' ? ` (${d.broker})` : ''}, Java NIO client (LoadTool)`;
    m = { p99: s.all.p99, p50: s.all.p50, cpu: (cpu / s.windowSeconds) * 100, us: (cpu * 1e6) / Math.max(1, s.received), lost: s.lost, delivered: s.deliveredRate };
  } else {
    continue;
  }
  const key = `${rate}|${label}`;
  if (!rows.has(key)) rows.set(key, []);
  rows.get(key).push(m);
}

console.log(`Everyday load (${path.basename(dir)}): medians of the runs, each run in brackets. Rate = deliveries/s.\n`);
console.log('| rate | system, client | runs | p99 ms | p50 ms | server CPU % (both) | µs/delivery | lost |');
console.log('|---|---|---|---|---|---|---|---|');
const keys = [...rows.keys()].sort((a, b) => Number(a.split('|')[0]) - Number(b.split('|')[0]) || a.localeCompare(b));
for (const key of keys) {
  const [rate, label] = key.split('|');
  const ms = rows.get(key);
  const each = (k, d) => ms.map((m) => f(m[k], d)).join(', ');
  console.log(`| ${Number(rate).toLocaleString('en-US')} | ${label} | ${ms.length} | **${f(median(ms.map((m) => m.p99)))}** (${each('p99')}) | `
    + `${f(median(ms.map((m) => m.p50)), 2)} | ${f(median(ms.map((m) => m.cpu)), 0)} (${each('cpu', 0)}) | `
    + `${f(median(ms.map((m) => m.us)))} | ${ms.reduce((a, m) => a + m.lost, 0)} |`);
}
