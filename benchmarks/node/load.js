// An independent load client for the everyday-load benchmark: one Node.js process, `ws` 8 for geows
// (written from docs/protocol.md, not from the Java client) and socket.io-client 4 for the peer.
// C clients, half per region, R rooms with members in every region, open-loop publishes at a fixed
// rate after a warm-up at that rate; latency = receive time - send time (one process, one clock),
// for every delivery of the messages sent in the measured window; server CPU from /proc.
//
// node load.js --target geows|socketio --urls us-east=ws://127.0.0.1:1234/,eu-west=... \
//   [--clients 200] [--rooms 20] [--payload 100] [--rate 1000] [--warmup 20] [--seconds 10] \
//   [--pids 11,12] [--broker-pid 10] [--tick 5] [--out result.json]
'use strict';
const fs = require('fs');
const { performance } = require('perf_hooks');

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const target = arg('target', 'geows');
const label = arg('label', target === 'socketio' ? 'Socket.IO 4.8 + redis-adapter' : 'geows');
const urls = arg('urls', '').split(',').filter(Boolean).map((kv) => kv.split('=').slice(1).join('='));
const clients = Number(arg('clients', '200'));
const rooms = Number(arg('rooms', '20'));
const payload = Number(arg('payload', '100'));
const rate = Number(arg('rate', '1000'));
const warmup = Number(arg('warmup', '20'));
const seconds = Number(arg('seconds', '10'));
const pids = arg('pids', '').split(',').filter(Boolean).map(Number);
const brokerPid = arg('broker-pid') ? Number(arg('broker-pid')) : null;
const out = arg('out');
const tick = Number(arg('tick', '5')); // ms between sending rounds: publishes owed are sent together
if (urls.length === 0) {
  console.error('give --urls region=url[,region=url]');
  process.exit(2);
}

const now = () => performance.timeOrigin + performance.now();
const TICK = Number(require('child_process').execSync('getconf CLK_TCK').toString().trim()) || 100;
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK; // utime + stime
}

// Measurement state: only messages sent inside [windowStart, windowEnd) count.
let windowStart = Infinity;
let windowEnd = Infinity;
let sentInWindow = 0;
let expectedInWindow = 0;
let deliveredInWindow = 0;
let latencies = [];
let errors = 0;
const membersPerRoom = new Array(rooms).fill(0);

function onData(data) {
  const t = data.t;
  if (t >= windowStart && t < windowEnd) {
    latencies.push(now() - t);
    deliveredInWindow++;
  }
}

const pad = 'x'.repeat(Math.max(0, payload - 40));
function makeData(seq) {
  return { t: now(), s: seq, p: pad };
}

// ---------------------------------------------------------------- geows (docs/protocol.md)
function geowsClient(url, user, room) {
  const WebSocket = require('ws');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let joined = false;
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token: user, protocol: 1, id: 'h' })));
    ws.on('message', (raw) => {
      const f = JSON.parse(raw);
      switch (f.type) {
        case 'message':
          onData(f.data);
          break;
        case 'welcome':
          ws.send(JSON.stringify({ type: 'join', room, id: 'j' }));
          break;
        case 'joined':
          if (!joined) {
            joined = true;
            resolve({ room, publish: (seq) => ws.send(JSON.stringify({ type: 'publish', room, id: 'm' + seq, data: makeData(seq) })), close: () => ws.close() });
          }
          break;
        case 'error':
          errors++;
          if (!joined) reject(new Error(`${user}: ${f.code} ${f.message}`));
          break;
        default:
      }
    });
  });
}

// ---------------------------------------------------------------- Socket.IO
function sioClient(url, user, room) {
  const { io } = require('socket.io-client');
  return new Promise((resolve, reject) => {
    const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    s.on('connect_error', reject);
    s.on('msg', (r, data) => onData(data));
    s.on('connect', () => s.emit('join', room, () => resolve({ room, publish: (seq) => s.emit('pub', room, makeData(seq)), close: () => s.close() })));
  });
}

async function main() {
  const connect = target === 'socketio' ? sioClient : geowsClient;
  const all = [];
  for (let i = 0; i < clients; i += 20) {
    const batch = [];
    for (let j = i; j < Math.min(clients, i + 20); j++) {
      const room = j % rooms;
      const region = Math.floor(j / rooms) % urls.length; // each room gets members in every region
      membersPerRoom[room]++;
      batch.push(connect(urls[region], 'u' + j, 'room-' + room));
    }
    all.push(...(await Promise.all(batch)));
  }
  const members = membersPerRoom.reduce((a, b) => a + b, 0) / rooms;

  // Open loop: every tick, send what the rate owes since the start, round robin over the clients.
  let seq = 0;
  const started = now();
  const timer = setInterval(() => {
    const owed = Math.floor(((now() - started) / 1000) * rate);
    while (seq < owed) {
      const c = all[seq % all.length];
      const sentAt = now();
      c.publish(seq++);
      if (sentAt >= windowStart && sentAt < windowEnd) {
        sentInWindow++;
        expectedInWindow += membersPerRoom[Number(c.room.slice(5))];
      }
    }
  }, tick);

  await sleep(warmup * 1000);
  latencies = [];
  const cpu0 = pids.map(cpuSeconds);
  const broker0 = brokerPid ? cpuSeconds(brokerPid) : 0;
  windowStart = now();
  windowEnd = windowStart + seconds * 1000;
  await sleep(seconds * 1000);
  const cpu1 = pids.map(cpuSeconds);
  const broker1 = brokerPid ? cpuSeconds(brokerPid) : 0;
  clearInterval(timer);
  // Wait for the window's deliveries (up to 5 s without progress).
  let last = -1;
  for (let waited = 0; deliveredInWindow < expectedInWindow && waited < 50; waited++) {
    if (deliveredInWindow === last) {
      await sleep(100);
    } else {
      last = deliveredInWindow;
      waited = 0;
      await sleep(100);
    }
  }
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
  const serverCpu = cpu1.reduce((a, b, i) => a + b - cpu0[i], 0);
  const result = {
    target, label, client: 'node-ws', rate, seconds, warmup, clients, rooms, payload, members,
    offeredPerSecond: sentInWindow / seconds,
    deliveredPerSecond: deliveredInWindow / seconds,
    lost: Math.max(0, expectedInWindow - deliveredInWindow),
    errors,
    p50: pct(0.5), p99: pct(0.99), p999: pct(0.999), max: sorted.length ? sorted[sorted.length - 1] : NaN,
    serverCpuPercent: (serverCpu / seconds) * 100,
    serverCpuMicrosPerDelivery: deliveredInWindow ? (serverCpu * 1e6) / deliveredInWindow : NaN,
    brokerCpuPercent: brokerPid ? ((broker1 - broker0) / seconds) * 100 : null,
  };
  const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : String(x));
  console.log(`${target} node-ws rate ${rate}/s delivered ${f(result.deliveredPerSecond)}/s p50 ${f(result.p50)} p99 ${f(result.p99)} `
    + `p99.9 ${f(result.p999)} max ${f(result.max)} ms lost ${result.lost} err ${errors} server CPU ${f(result.serverCpuPercent)} % `
    + `(${f(result.serverCpuMicrosPerDelivery)} µs/delivery)`);
  if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2));
  all.forEach((c) => c.close());
  setTimeout(() => process.exit(0), 200);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

main().catch((e) => { console.error(e); process.exit(1); });
