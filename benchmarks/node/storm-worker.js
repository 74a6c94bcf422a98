// Storm clients of the region that dies, in Node.js (`ws` 8, written from docs/protocol.md): an
// independent implementation of resume for FailoverStorm (--node-clients). Driven over stdin/stdout
// with the lines StormWorker.java documents:
//   worker: READY | RESUMED n lastWelcomeMs | WELCOME ms ... | RESULT lost dup notRecovered presence closedAfterResume memberships rejoins
//   driver: KILLED | ACKED room offset ... | END
// node storm-worker.js --dying ws://... --survivor ws://... --clients n --first k --rooms 20 --jitter 100
//   --concurrency 200 --timeout 60
'use strict';
const WebSocket = require('ws');
const readline = require('readline');

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const dying = arg('dying').split(','); // client i: node i % n (a load balancer's spread)
const survivor = arg('survivor').split(',');
const n = Number(arg('clients', '1000'));
const first = Number(arg('first', '0'));
const roomCount = Number(arg('rooms', '20'));
const jitter = Number(arg('jitter', '100'));
const concurrency = Number(arg('concurrency', '200'));
const timeout = Number(arg('timeout', '60')) * 1000;

const rooms = Array.from({ length: roomCount }, (_, i) => `storm-${i}`);
function roomsOf(i) { // as StormClients.roomsOf: 1 to 3 rooms
  const mine = [];
  for (let j = 0; j < 1 + (i % 3); j++) mine.push(rooms[(i + j * 7) % roomCount]);
  return [...new Set(mine)];
}

const stats = { ready: 0, resumed: 0, lastWelcome: 0, notRecovered: 0, duplicates: 0, presence: 0, closedAfterResume: 0, rejoins: 0 };
const welcomes = [];
let killed = false;
let finished = false;
let onReady = null;
let onResumed = null;

class Client {
  constructor(i) {
    this.index = i;
    this.user = `storm-${i}`;
    this.rooms = roomsOf(i);
    this.last = new Map();
    this.start = new Map();
    this.got = new Map();
    this.epochs = new Map();
    this.joined = 0;
    this.resuming = false;
    this.resumed = false;
    this.connectStarted = 0;
  }

  connect(url) {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('open', () => {
      const hello = { type: 'hello', token: this.user, protocol: 1, id: 'h' };
      if (this.resuming) {
        hello.resume = {};
        for (const r of this.rooms) hello.resume[r] = { offset: this.last.get(r), epoch: this.epochs.get(r) };
      }
      ws.send(JSON.stringify(hello));
    });
    ws.on('message', (raw) => this.onFrame(ws, JSON.parse(raw)));
    ws.on('error', () => {}); // 'close' follows
    ws.on('close', () => this.onClose());
  }

  onFrame(ws, f) {
    switch (f.type) {
      case 'welcome':
        if (!this.resuming) {
          for (const r of this.rooms) ws.send(JSON.stringify({ type: 'join', room: r, id: `j-${r}` }));
        } else if (!this.resumed) {
          welcomes.push(Date.now() - this.connectStarted);
          for (const ok of Object.values(f.recovered || {})) if (!ok) stats.notRecovered++;
          // a room the welcome leaves out could not be rejoined: join it again with 'since' (docs/protocol.md)
          for (const r of this.rooms) if (!(f.recovered && r in f.recovered)) this.rejoinLater(ws, r);
          stats.lastWelcome = Math.max(stats.lastWelcome, Date.now());
          this.resumed = true;
          if (++stats.resumed === n && onResumed) onResumed();
        }
        break;
      case 'joined':
        if (String(f.ref).startsWith('r-')) { // a rejoin with 'since': the replay follows
          if (f.recovered === false) stats.notRecovered++;
          return;
        }
        this.last.set(f.room, f.offset);
        this.start.set(f.room, f.offset);
        this.epochs.set(f.room, f.epoch);
        if (++this.joined === this.rooms.length) {
          stats.ready++;
          if (onReady) onReady();
        }
        break;
      case 'message': {
        const before = this.last.get(f.room);
        if (before === undefined) return;
        if (f.epoch !== this.epochs.get(f.room)) {
          this.epochs.set(f.room, f.epoch);
          this.last.set(f.room, f.offset);
          return;
        }
        if (f.offset <= before) {
          stats.duplicates++;
        } else {
          if (!this.got.has(f.room)) this.got.set(f.room, new Set());
          this.got.get(f.room).add(f.offset);
          this.last.set(f.room, f.offset);
        }
        break;
      }
      case 'presence':
        stats.presence++;
        break;
      case 'error':
        if (String(f.ref).startsWith('r-')) this.rejoinLater(ws, f.ref.slice(2)); // unavailable, overloaded: again
        break;
      default:
    }
  }

  rejoinLater(ws, room) {
    stats.rejoins++;
    setTimeout(() => {
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: 'join', room, id: `r-${room}`, since: { offset: this.last.get(room), epoch: this.epochs.get(room) } }));
      }
    }, 200 + Math.random() * 800);
  }

  onClose() {
    if (!killed || finished) return;
    if (this.resumed) stats.closedAfterResume++; // it resumes again, like a real client
    this.resuming = true;
    this.resumed = false;
    setTimeout(() => {
      this.connectStarted = Date.now();
      this.connect(survivor[this.index % survivor.length]);
    }, Math.random() * jitter);
  }
}

function missing(all, acked) {
  let count = 0;
  for (const c of all) {
    for (const r of c.rooms) {
      const from = c.start.get(r);
      const offsets = acked.get(r);
      if (from === undefined || !offsets) continue;
      const got = c.got.get(r) || new Set();
      for (const o of offsets) if (o > from && !got.has(o)) count++;
    }
  }
  return count;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function until(cond, ms) {
  return new Promise((resolve) => {
    if (cond()) { resolve(true); return; }
    const t = setTimeout(() => resolve(false), ms);
    const check = () => { if (cond()) { clearTimeout(t); resolve(true); } };
    if (cond === readyAll) onReady = check; else onResumed = check;
  });
}
const readyAll = () => stats.ready === n;

async function main() {
  const all = Array.from({ length: n }, (_, k) => new Client(first + k));
  // Connect, `concurrency` clients being set up at a time.
  let next = 0;
  const slots = Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const c = all[next++];
      c.connect(dying[c.index % dying.length]);
      const t0 = Date.now();
      while (c.joined < c.rooms.length && Date.now() - t0 < timeout) await sleep(5);
    }
  });
  await Promise.all(slots);
  if (!(await until(readyAll, timeout))) throw new Error(`${n - stats.ready} clients did not join`);
  killed = true;
  console.log('READY');

  const lines = readline.createInterface({ input: process.stdin });
  const acked = new Map();
  for await (const line of lines) {
    const f = line.split(' ');
    if (f[0] === 'KILLED') {
      await until(() => stats.resumed >= n, timeout);
      console.log(`RESUMED ${stats.resumed} ${stats.lastWelcome}`);
      console.log(`WELCOME${welcomes.map((w) => ` ${w}`).join('')}`);
    } else if (f[0] === 'ACKED') {
      acked.set(f[1], f.slice(2).map(Number));
    } else if (f[0] === 'END') {
      const deadline = Date.now() + 15000;
      while (Date.now() < deadline && missing(all, acked) > 0) await sleep(100);
      finished = true;
      const memberships = all.reduce((a, c) => a + c.rooms.length, 0);
      console.log(`RESULT ${missing(all, acked)} ${stats.duplicates} ${stats.notRecovered} ${stats.presence} ${stats.closedAfterResume} ${memberships} ${stats.rejoins}`);
      process.exit(0);
    }
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
