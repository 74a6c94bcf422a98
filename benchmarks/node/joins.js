// Connection and join storms on one server, measured by an independent Node.js client (`ws` 8 for geows,
// written from docs/protocol.md; socket.io-client 4 for the peer): the table of the failover-at-scale
// issue. Phases, one after another on the same clients:
//   1. connect N clients, C in flight (geows: open + hello -> welcome; Socket.IO: its 'connect');
//   2. for each size S: the first S clients each join one of R rooms at once (all join frames sent in one
//      go), timed until the last join is answered; every size uses fresh room names;
//   3. N joins with C in flight (each client joins one more room).
// Per phase: seconds, rate, per-operation p50/p99 (ms), failures, the server's CPU seconds (/proc).
// --warmup N first runs the same phases N times unmeasured (then closes those clients), so a server
// whose runtime compiles hot code (the JVM) is measured warm, as it would be in service; 0 measures a
// freshly started process.
//
// node joins.js --target geows|socketio --url ws://127.0.0.1:1234/ [--clients 10000] [--rooms 20]
//   [--concurrency 100] [--sizes 2000,5000,10000] [--warmup 0] [--pid 123] [--timeout 60] [--out result.json]
'use strict';
const fs = require('fs');
const { performance } = require('perf_hooks');

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const target = arg('target', 'geows');
const url = arg('url');
const clients = Number(arg('clients', '10000'));
const rooms = Number(arg('rooms', '20'));
const concurrency = Number(arg('concurrency', '100'));
const sizes = arg('sizes', '2000,5000,10000').split(',').filter(Boolean).map(Number);
const pid = arg('pid') ? Number(arg('pid')) : null;
const timeout = Number(arg('timeout', '60')) * 1000;
const out = arg('out');
const warmup = Number(arg('warmup', '0'));
if (!url) {
  console.error('give --url');
  process.exit(2);
}

const now = () => performance.now();
const TICK = Number(require('child_process').execSync('getconf CLK_TCK').toString().trim()) || 100;
function cpuSeconds() {
  if (!pid) return 0;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK; // utime + stime
}

let presenceFrames = 0;

// ---------------------------------------------------------------- geows (docs/protocol.md)
function geowsConnect(user) {
  const WebSocket = require('ws');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const pending = new Map(); // join id -> {resolve, reject}
    let seq = 0;
    const c = {
      join(room) {
        return new Promise((ok, fail) => {
          const id = 'j' + seq++;
          pending.set(id, { ok, fail });
          ws.send(JSON.stringify({ type: 'join', room, id }));
        });
      },
      close: () => new Promise((done) => { ws.once('close', done); ws.close(); }),
    };
    ws.on('error', reject);
    ws.on('close', () => pending.forEach((p) => p.fail(new Error('closed'))));
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token: user, protocol: 1, id: 'h' })));
    ws.on('message', (raw) => {
      const f = JSON.parse(raw);
      switch (f.type) {
        case 'welcome':
          resolve(c);
          break;
        case 'joined': {
          const p = pending.get(f.ref);
          if (p) { pending.delete(f.ref); p.ok(); }
          break;
        }
        case 'presence':
          presenceFrames++;
          break;
        case 'error': {
          const p = pending.get(f.ref);
          if (p) { pending.delete(f.ref); p.fail(new Error(`${f.code}: ${f.message}`)); } else reject(new Error(`${f.code}: ${f.message}`));
          break;
        }
        default:
      }
    });
  });
}

// ---------------------------------------------------------------- Socket.IO
function sioConnect() {
  const { io } = require('socket.io-client');
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout });
    s.on('connect_error', reject);
    s.on('connect', () => resolve({
      join: (room) => new Promise((ok) => s.emit('join', room, () => ok())),
      close: () => new Promise((done) => { s.once('disconnect', () => done()); s.close(); }),
    }));
  });
}

function withTimeout(p) {
  let t;
  return Promise.race([p, new Promise((_, fail) => { t = setTimeout(() => fail(new Error('timed out')), timeout); })])
    .finally(() => clearTimeout(t));
}

// Runs ops (functions returning promises), `inFlight` at a time (Infinity: all at once); times each.
async function phase(name, ops, inFlight, quiet) {
  const cpu0 = cpuSeconds();
  const times = [];
  const results = new Array(ops.length);
  let failed = 0;
  let firstError = null;
  const started = now();
  let next = 0;
  async function worker() {
    while (next < ops.length) {
      const i = next++;
      const t = now();
      try {
        results[i] = await withTimeout(ops[i]());
        times.push(now() - t);
      } catch (e) {
        failed++;
        if (!firstError) firstError = String(e.message || e);
      }
    }
  }
  if (inFlight === Infinity) {
    await Promise.all(ops.map((op, i) => {
      const t = now();
      return withTimeout(op()).then((r) => { results[i] = r; times.push(now() - t); },
        (e) => { failed++; if (!firstError) firstError = String(e.message || e); });
    }));
  } else {
    await Promise.all(Array.from({ length: Math.min(inFlight, ops.length) }, worker));
  }
  const seconds = (now() - started) / 1000;
  const sorted = Float64Array.from(times).sort();
  const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);
  const r = {
    name, operations: ops.length, inFlight: inFlight === Infinity ? 'all' : inFlight, seconds,
    perSecond: ops.length / seconds, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    failed, firstError, serverCpuSeconds: cpuSeconds() - cpu0,
  };
  if (!quiet) console.log(`${target} ${name}: ${ops.length} in ${seconds.toFixed(2)} s (${r.perSecond.toFixed(0)}/s), p50 ${r.p50Ms.toFixed(0)} `
    + `p99 ${r.p99Ms.toFixed(0)} ms, failed ${failed}${firstError ? ` (${firstError})` : ''}, server CPU ${r.serverCpuSeconds.toFixed(2)} s`);
  return { r, results };
}

// One round of the phases; room names carry the round so every round joins fresh rooms.
async function round(r, quiet) {
  const connect = target === 'socketio' ? sioConnect : geowsConnect;
  const phases = [];
  const c = await phase(`${clients} connects, ${concurrency} in flight`,
    Array.from({ length: clients }, (_, i) => () => connect(`u${r}-${i}`)), concurrency, quiet);
  phases.push(c.r);
  const all = c.results.filter(Boolean);
  for (const [k, size] of sizes.entries()) {
    const some = all.slice(0, size);
    const p = await phase(`${some.length} clients join at once`,
      some.map((cl, i) => () => cl.join(`r${r}-at-once-${k}-${i % rooms}`)), Infinity, quiet);
    phases.push(p.r);
  }
  const paced = await phase(`${all.length} joins, ${concurrency} in flight`,
    all.map((cl, i) => () => cl.join(`r${r}-paced-${i % rooms}`)), concurrency, quiet);
  phases.push(paced.r);
  return { phases, all };
}

async function main() {
  for (let r = 0; r < warmup; r++) {
    const w = await round(`w${r}`, true);
    await Promise.all(w.all.map((cl) => withTimeout(cl.close()).catch(() => {})));
    console.log(`${target} warm-up round ${r + 1} of ${warmup} done`);
  }
  presenceFrames = 0;
  const { phases, all } = await round('m', false);
  const result = { kind: 'joins', target, client: 'node-ws', clients, rooms, concurrency, warmup, presenceFrames, phases };
  if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2));
  all.forEach((cl) => cl.close());
  setTimeout(() => process.exit(0), 200);
}

main().catch((e) => { console.error(e); process.exit(1); });
