// The client against real geows nodes: the example server's jar, two or more regions on a real
// redis-server, started by the harness on free loopback ports.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import net from "node:net";
import WebSocket from "ws";
import {
  ClientClosedError,
  ERROR_CODES,
  FrameTooLargeError,
  GeoWsClient,
  RequestRejectedError,
  SessionClosedError,
} from "../dist/index.js";
import { startRedis, startRegion, token, waitFor } from "./harness.mjs";

const SECRET = "geows-js-tests-token-secret-32-bytes!";
// Every node of the deployment has the same residency rules: rooms "eu-*" are kept in eu-west.
const REGIONS = ["us-east", "eu-west", "ap-south", "us-west"];
let redis;
let euRedis; // the EU zone's own broker
let us;
let eu;

function residency(region) {
  const args = ["--all-regions", REGIONS.join(","), "--zones", "eu=eu-west", "--pins", "eu-*=eu"];
  return region === "eu-west" ? [...args, "--zone-brokers", `eu=${euRedis.url}`] : args;
}

function region(name, nodeId) {
  return startRegion({ region: name, nodeId, redisUrl: redis.url, secret: SECRET, args: residency(name) });
}

before(async () => {
  [redis, euRedis] = await Promise.all([startRedis(), startRedis()]);
  [us, eu] = await Promise.all([region("us-east", "us-east-1"), region("eu-west", "eu-west-1")]);
});

after(async () => {
  await Promise.all([us?.stop(), eu?.stop()]);
  await Promise.all([redis?.stop(), euRedis?.stop()]);
});

const open = [];
after(() => open.forEach((c) => c.close()));

/** A client of `user` that knows `regions` and prefers the first; tokens from a function, as an app does. */
function client(user, regions, extra = {}) {
  const c = new GeoWsClient({
    regions,
    preferredRegion: Object.keys(regions)[0],
    measureRtt: false,
    token: () => token(user, SECRET),
    WebSocket,
    backoff: { initialMs: 50, maxMs: 500 },
    ...extra,
  });
  open.push(c);
  return c;
}

function collector() {
  const got = [];
  return { got, onMessage: (m) => got.push(m) };
}

test("publish in one region, delivered in the other once and in order; direct, presence, rpc", async () => {
  const alice = client("alice", { "us-east": us.wsUrl, "eu-west": eu.wsUrl });
  const bob = client("bob", { "eu-west": eu.wsUrl, "us-east": us.wsUrl });
  await Promise.all([alice.connect(), bob.connect()]);
  assert.equal(alice.region, "us-east");
  assert.equal(bob.region, "eu-west");
  assert.equal(bob.user, "bob");

  const b = collector();
  await bob.join("lobby", b);
  await alice.join("lobby", () => undefined);
  const acks = [];
  for (let i = 1; i <= 20; i++) {
    acks.push(await alice.publish("lobby", { n: i }));
  }
  await waitFor("20 messages in eu-west", () => b.got.length >= 20);
  assert.deepEqual(b.got.map((m) => m.data.n), [...Array(20).keys()].map((i) => i + 1));
  assert.deepEqual(b.got.map((m) => m.offset), acks.map((a) => a.offset));
  assert.equal(b.got[0].from, "alice");
  assert.equal(b.got[0].region, "us-east");
  assert.deepEqual(bob.position("lobby"), { offset: acks[19].offset, epoch: acks[19].epoch });

  // The same id again: acknowledged with the first position, not delivered again.
  const again = await alice.publish("lobby", { n: 20 }, { id: acks[19].id });
  assert.equal(again.duplicate, true);
  assert.equal(again.offset, acks[19].offset);

  const directs = [];
  bob.on("direct", (m) => directs.push(m));
  const d = await alice.direct("bob", { hi: "bob" });
  assert.equal(d.delivered, 1);
  await waitFor("the direct message", () => directs.length >= 1);
  assert.equal(directs[0].from, "alice");
  assert.deepEqual(directs[0].data, { hi: "bob" });

  const members = await waitFor("bob in presence from us-east", async () => {
    const list = await alice.presence("lobby");
    return list.some((m) => m.user === "bob" && m.region === "eu-west") && list;
  });
  assert.ok(members.some((m) => m.user === "alice" && m.region === "us-east"));
  assert.equal(b.got.length, 20, "nothing delivered twice");
  assert.equal(directs.length, 1, "the direct message once");
});

test("regions discovered from a node's /regions and measured", async () => {
  const c = new GeoWsClient({ regionsFrom: `${us.httpUrl}/regions`, token: () => token("dora", SECRET), WebSocket });
  open.push(c);
  await c.connect();
  const names = c.regions.map((r) => r.name).sort();
  assert.ok(names.includes("us-east") && names.includes("eu-west"), names.join(","));
  assert.ok(["us-east", "eu-west"].includes(c.region));
});

test("every error code of the protocol is typed, and the ones a client can meet come back as such", async () => {
  const documented = [...readFileSync(new URL("../../docs/protocol.md", import.meta.url), "utf8")
    .split("## Error codes")[1].split("## Close codes")[0].matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([...ERROR_CODES].sort(), documented.sort());

  const carol = client("carol", { "us-east": us.wsUrl, "eu-west": eu.wsUrl });
  await carol.connect();
  const rejected = async (promise, code) => {
    const e = await promise.then(() => assert.fail(`expected ${code}`), (err) => err);
    assert.ok(e instanceof RequestRejectedError, String(e));
    assert.equal(e.code, code);
    return e;
  };
  assert.equal((await rejected(carol.rpc("no.such.method"), "unknown_method")).retryable, false);
  await rejected(carol.publish("not-joined", 1), "not_member");
  await rejected(carol.direct("nobody-at-all", 1), "user_offline");
  await rejected(carol.join("x".repeat(200), () => undefined), "bad_request");

  const narrow = client("erin", { "us-east": us.wsUrl }, { token: () => token("erin", SECRET, { claims: { rooms: ["chat-*"] } }) });
  await narrow.connect();
  await rejected(narrow.join("secret-room", () => undefined), "forbidden");
  await narrow.join("chat-1", () => undefined);

  const forged = client("frank", { "us-east": us.wsUrl }, { token: token("frank", "another-secret-of-32-bytes-or-more!!") });
  const e1 = await forged.connect().then(() => assert.fail("connected"), (err) => err);
  assert.ok(e1 instanceof SessionClosedError, String(e1));
  assert.equal(e1.code, 4001);
  assert.equal(forged.state, "closed");

  const expired = client("gina", { "us-east": us.wsUrl }, { token: token("gina", SECRET, { expiresInSeconds: -120 }) });
  const e2 = await expired.connect().then(() => assert.fail("connected"), (err) => err);
  assert.ok(e2 instanceof SessionClosedError, String(e2));
  assert.equal(e2.code, 4003);
});

test("a flood past the node's rate limit: refused frames wait their own backoff, and every publish lands once", async () => {
  let frames = 0;
  class CountingWebSocket extends WebSocket {
    send(data) {
      frames++;
      super.send(data);
    }
  }
  // pacing above the node's limit (100/s, bursts of 200), so it answers rate_limited — but under twice
  // its rate, past which it would close the session (4029) as a flooder
  const hank = client("hank", { "us-east": us.wsUrl }, { WebSocket: CountingWebSocket, maxSendRate: 180 });
  const watcher = client("ivy", { "eu-west": eu.wsUrl });
  await Promise.all([hank.connect(), watcher.connect()]);
  const w = collector();
  await watcher.join("flood", w);
  await hank.join("flood", () => undefined);
  const before = frames;
  const acks = await Promise.all([...Array(400).keys()].map((i) => hank.publish("flood", i)));
  assert.equal(new Set(acks.map((a) => a.offset)).size, 400);
  await waitFor("400 messages", () => w.got.length >= 400);
  assert.equal(new Set(w.got.map((m) => m.id)).size, 400);
  assert.equal(w.got.length, 400);
  assert.ok(frames - before > 400, "some were refused and sent again");
  assert.ok(frames - before < 1600, `retries back off instead of flooding: ${frames - before} frames for 400 publishes`);
  assert.equal(hank.state, "connected");

  // paced by default: 300 at once are sent at the node's rate, none refused
  const paced = client("paco", { "us-east": us.wsUrl }, { WebSocket: CountingWebSocket });
  await paced.connect();
  await paced.join("flood", () => undefined);
  const start = frames;
  await Promise.all([...Array(300).keys()].map((i) => paced.publish("flood", i)));
  assert.equal(frames - start, 300, "each sent once");
});

test("a frame over the node's limit is refused by the client, and the connection stays", async () => {
  const kit = client("kit", { "us-east": us.wsUrl });
  const states = [];
  kit.on("state", (e) => states.push(e.state));
  await kit.connect();
  await kit.join("big", () => undefined);
  const e = await kit.publish("big", "x".repeat(70 * 1024)).then(() => assert.fail("sent"), (err) => err);
  assert.ok(e instanceof FrameTooLargeError, String(e));
  assert.equal(e.name, "FrameTooLargeError");
  await kit.publish("big", "small");
  assert.deepEqual(states, ["connecting", "connected"]);
});

test("close() while connecting leaves nothing open", async () => {
  const lou = client("lou", { "us-east": us.wsUrl, "eu-west": eu.wsUrl });
  const states = [];
  lou.on("state", (e) => states.push(e.state));
  const connecting = lou.connect();
  lou.close();
  const e = await connecting.then(() => "connected", (err) => err);
  assert.ok(e instanceof ClientClosedError || e === "connected", String(e));
  assert.equal(lou.state, "closed");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(lou.state, "closed", states.join(" > "));
  assert.equal(states.at(-1), "closed");
});

test("a room pinned to another region: the client moves there (wrong_region) and joins", async () => {
  const jo = client("jo", { "us-east": us.wsUrl, "eu-west": eu.wsUrl });
  await jo.connect();
  assert.equal(jo.region, "us-east");
  const got = collector();
  await jo.join("eu-patients", got);
  assert.equal(jo.region, "eu-west");
  await jo.publish("eu-patients", "kept in the EU");
  await waitFor("own message", () => got.got.length === 1);
});

/** A TCP proxy to `target` (host:port) whose link can be cut silently: nothing passes, nothing is closed. */
async function proxy(targetUrl) {
  const target = new URL(targetUrl);
  const pairs = [];
  let cut = false;
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(target.port), target.hostname);
    pairs.push([inbound, outbound]);
    inbound.on("data", (d) => !cut && outbound.write(d));
    outbound.on("data", (d) => !cut && inbound.write(d));
    const end = () => { inbound.destroy(); outbound.destroy(); };
    inbound.on("error", end).on("close", end);
    outbound.on("error", end).on("close", end);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `ws://127.0.0.1:${server.address().port}/`,
    cut() { cut = true; },
    close() { pairs.flat().forEach((s) => s.destroy()); server.close(); },
  };
}

test("a silent network cut: the heartbeat notices, the client resumes in the other region and gets what it missed", async () => {
  const link = await proxy(eu.wsUrl);
  try {
    const olga = client("olga", { "eu-west": link.url, "us-east": us.wsUrl }, { heartbeatIntervalMs: 400 });
    const alice = client("alice-cut", { "us-east": us.wsUrl });
    await Promise.all([olga.connect(), alice.connect()]);
    const got = collector();
    await olga.join("cut-room", got);
    await alice.join("cut-room", () => undefined);
    for (let i = 1; i <= 5; i++) {
      await alice.publish("cut-room", i);
    }
    await waitFor("5 before the cut", () => got.got.length === 5);
    link.cut();
    const whileAway = [];
    for (let i = 6; i <= 25; i++) {
      whileAway.push(await alice.publish("cut-room", i));
    }
    await waitFor("olga in us-east", () => olga.region === "us-east", 10000);
    await waitFor("all 25", () => got.got.length >= 25);
    assert.deepEqual(got.got.map((m) => m.data), [...Array(25).keys()].map((i) => i + 1), "each once, in order");
    assert.deepEqual(got.got.slice(5).map((m) => m.offset), whileAway.map((a) => a.offset), "the missed ones, from history");
  } finally {
    link.close();
  }
});

/** Alice publishes `count` messages in order from us-east while `during` runs; bob must get each once, in order. */
async function streamThrough(bob, during, count = 300) {
  const alice = client(`alice-${Math.random().toString(36).slice(2, 6)}`, { "us-east": us.wsUrl });
  await alice.connect();
  const room = `stream-${Math.random().toString(36).slice(2, 8)}`;
  const b = collector();
  await bob.join(room, b);
  await alice.join(room, () => undefined);
  let sent = 0;
  const publishing = (async () => {
    for (let i = 1; i <= count; i++) {
      await alice.publish(room, i);
      sent = i;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  await waitFor("a third of the stream", () => b.got.length >= count / 3);
  await during();
  await publishing;
  await waitFor(`all ${count} messages`, () => b.got.length >= count, 30000);
  assert.equal(sent, count);
  assert.deepEqual(b.got.map((m) => m.data), [...Array(count).keys()].map((i) => i + 1), "each once, in order");
}

test("kill -9 of a region mid-stream: the client fails over and resumes, every message once and in order", async () => {
  const victim = await region("ap-south", "ap-south-1");
  const bob = client("kim", { "ap-south": victim.wsUrl, "us-east": us.wsUrl, "eu-west": eu.wsUrl });
  await bob.connect();
  assert.equal(bob.region, "ap-south");
  let killedAt = 0;
  let failoverMs = -1;
  bob.on("state", (e) => {
    if (e.state === "connected" && killedAt > 0 && failoverMs < 0) {
      failoverMs = Date.now() - killedAt;
    }
  });
  await streamThrough(bob, async () => {
    killedAt = Date.now();
    await victim.kill();
  });
  assert.notEqual(bob.region, "ap-south");
  console.log(`failover after kill -9: connected again in ${failoverMs} ms (to ${bob.region})`);
  assert.ok(failoverMs >= 0 && failoverMs < 2000, `failover took ${failoverMs} ms`);
});

test("a draining region sends goaway: the client moves to the region it names and resumes", async () => {
  const draining = await region("us-west", "us-west-1");
  const bob = client("leo", { "us-west": draining.wsUrl, "us-east": us.wsUrl, "eu-west": eu.wsUrl });
  await bob.connect();
  const reasons = [];
  bob.on("state", (e) => reasons.push(`${e.state}:${e.reason ?? ""}`));
  await streamThrough(bob, () => draining.stop(), 200);
  assert.ok(reasons.some((r) => r.startsWith("reconnecting:goaway")), reasons.join(" | "));
  assert.notEqual(bob.region, "us-west");
});

test("token refresh: the node asks before the token expires, the client answers from its token function", async () => {
  let issued = 0;
  // The first token is 27 s past its exp: the node's 30 s of clock skew leave it ~3 s, so it asks at once.
  const mia = client("mia", { "us-east": us.wsUrl }, {
    token: () => token("mia", SECRET, { expiresInSeconds: issued++ === 0 ? -27 : 3600 }),
  });
  const states = [];
  mia.on("state", (e) => states.push(e.state));
  await mia.connect();
  await waitFor("a second token", () => issued >= 2, 10000);
  await new Promise((r) => setTimeout(r, 4000)); // past the first token's end
  assert.equal(mia.state, "connected");
  assert.deepEqual(states, ["connecting", "connected"], "the same session all along");
  await mia.join("after-refresh", () => undefined);
  await mia.publish("after-refresh", "still here");

  // A fixed token cannot be renewed: the node closes with 4003 and the client says so.
  const ned = client("ned", { "us-east": us.wsUrl }, { token: token("ned", SECRET, { expiresInSeconds: -28 }) });
  const closed = new Promise((resolve) => ned.on("state", (e) => e.state === "closed" && resolve(e)));
  await ned.connect();
  const e = await closed;
  assert.match(e.reason, /token/);
});
