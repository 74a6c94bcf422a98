// Test harness of the geows JavaScript client: starts REAL servers (redis-server and the geows
// example server, `java -jar geows-example-server.jar`) on free ports of 127.0.0.1, for `node --test`.
//
//   import { startRedis, startRegion, token, waitFor } from './harness.mjs';
//   const redis = await startRedis();
//   const us = await startRegion({ region: 'us-east', nodeId: 'us-1', redisUrl: redis.url, secret });
//   ... new WebSocket(us.wsUrl) ... hello with token('alice', secret) ...
//   await us.stop(); await redis.stop();
//
// Every process started here is SIGKILLed when the Node process exits (normally, or on
// SIGINT/SIGTERM/SIGHUP), so a test that forgets to stop a server neither leaks it nor hangs: the
// child processes do not keep the event loop alive while nobody waits for them.
// No npm dependency: node:child_process, node:net, node:http, node:crypto only.

import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LOOPBACK = '127.0.0.1';
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The example server's runnable jar, relative to this file. */
const JAR = path.resolve(HERE, '../../geows-example-server/target/geows-example-server.jar');

/** JVM options for a quick start and a small footprint (as the Java multi-process tests use). */
const JVM_OPTIONS = ['-Xmx256m', '-XX:TieredStopAtLevel=1'];

/** How long a region may take to print its node line and answer 200 on /readyz. */
const REGION_START_TIMEOUT_MS = 30_000;
/** How long redis-server may take to answer PING. */
const REDIS_START_TIMEOUT_MS = 10_000;
/** How long a SIGTERM may take before the process is SIGKILLed (a region drains for about 2 s). */
const STOP_TIMEOUT_MS = 20_000;
/** Keep at most this much of a process's output (the tail). */
const MAX_LOG_CHARS = 4 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Clean-up of every process and temp dir this module starts
// ---------------------------------------------------------------------------------------------

/** Child processes still running. */
const live = new Set();
/** Temp dirs to remove at exit. */
const tempDirs = new Set();
let cleanupInstalled = false;

function killAllNow() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const dir of tempDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  tempDirs.clear();
}

function installCleanup() {
  if (cleanupInstalled) {
    return;
  }
  cleanupInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    const onSignal = () => {
      killAllNow();
      // If nobody else handles the signal, do what Node would have done without us: die of it.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/**
 * Spawns a child whose output is collected (not printed), tracked for clean-up, and which does not
 * keep the event loop alive by itself.
 */
function spawnTracked(command, args, options = {}) {
  installCleanup();
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { text: '' };
  const append = (chunk) => {
    out.text += chunk.toString('utf8');
    if (out.text.length > MAX_LOG_CHARS) {
      out.text = '[... earlier output dropped ...]\n' + out.text.slice(-MAX_LOG_CHARS);
    }
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      // spawn failed (e.g. no such binary): no 'exit' follows
      live.delete(child);
      append(`\n[spawn failed: ${err.message}]\n`);
      resolve({ code: null, signal: null, error: err });
    });
  });
  live.add(child);
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();
  return { child, out, exited };
}

function running(child) {
  return child.exitCode === null && child.signalCode === null && live.has(child);
}

/**
 * Sends `signal` and resolves when the process has exited; after `timeoutMs` it is SIGKILLed.
 * While waiting, the child keeps the event loop alive (so an `await` of this cannot be cut short).
 */
async function terminate({ child, exited }, signal, timeoutMs = STOP_TIMEOUT_MS) {
  if (!running(child)) {
    await exited;
    return;
  }
  child.ref();
  try {
    child.kill(signal);
    if (signal !== 'SIGKILL') {
      let timer;
      const timedOut = new Promise((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const first = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (first === 'timeout') {
        child.kill('SIGKILL');
      }
    }
    await exited;
  } finally {
    child.unref();
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------------

/** Ports handed out by this process, so that two calls in a row never return the same one. */
const handedOut = new Set();

/**
 * Finds a free TCP port on 127.0.0.1 by letting the kernel pick one (an ephemeral port, never a
 * standard one such as 6379 or 8080). Another process may still take it before it is used; the
 * same port is not returned twice by this process.
 *
 * @returns {Promise<number>} the port
 */
export async function freePort() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.once('error', reject);
      server.listen({ port: 0, host: LOOPBACK, exclusive: true }, () => {
        const { port: p } = server.address();
        server.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: the kernel kept returning ports already handed out');
}

// ---------------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------------

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** $GEOWS_REDIS_SERVER, else redis-server on PATH, else /usr/bin, /usr/sbin, /usr/local/bin. */
function redisBinary() {
  const fromEnv = process.env.GEOWS_REDIS_SERVER;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new Error(`GEOWS_REDIS_SERVER=${fromEnv} is not an executable file`);
    }
    return fromEnv;
  }
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
  for (const dir of [...dirs, '/usr/bin', '/usr/sbin', '/usr/local/bin']) {
    const candidate = path.join(dir, 'redis-server');
    if (isExecutable(candidate)) {
      return candidate;
    }
  }
  throw new Error('redis-server not found on PATH nor in /usr/bin, /usr/sbin, /usr/local/bin: install it '
    + '(e.g. apt-get install redis-server) or set GEOWS_REDIS_SERVER to its path');
}

/** Resolves true when 127.0.0.1:port answers "PING\r\n" with +PONG (or -NOAUTH), false otherwise. */
function ping(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    let reply = '';
    let done = false;
    const socket = net.connect({ port, host: LOOPBACK });
    const finish = (ok) => {
      if (!done) {
        done = true;
        socket.destroy();
        resolve(ok);
      }
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      const eol = reply.indexOf('\r\n');
      if (eol >= 0) {
        const line = reply.slice(0, eol);
        finish(line === '+PONG' || line.startsWith('-NOAUTH'));
      }
    });
    socket.once('close', () => finish(false));
  });
}

/**
 * Starts a `redis-server` on a free port of 127.0.0.1: no persistence (`--save "" --appendonly no`),
 * bound to loopback only, in a private temp dir. Resolves when it answers PING with +PONG.
 *
 * @returns {Promise<{
 *   port: number,
 *   url: string,
 *   pid: number,
 *   kill: () => Promise<void>,
 *   start: () => Promise<void>,
 *   stop: () => Promise<void>,
 *   log: () => string,
 * }>} `url` is `redis://127.0.0.1:PORT`; `kill()` SIGKILLs it (a crash) and resolves when it has
 *   exited; `start()` starts it again on the same port and resolves when it answers PING (nothing if
 *   it runs); `stop()` sends SIGTERM, waits for the exit and removes its temp dir; `log()` is its
 *   output so far.
 */
export async function startRedis() {
  const binary = redisBinary();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geows-js-redis-'));
  tempDirs.add(dir);
  let proc = null;
  let earlierLogs = '';

  const launch = async () => {
    if (proc && running(proc.child)) {
      return;
    }
    if (proc) {
      earlierLogs += proc.out.text;
    }
    fs.mkdirSync(dir, { recursive: true });
    tempDirs.add(dir);
    proc = spawnTracked(binary, [
      '--port', String(port),
      '--bind', LOOPBACK,
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'no',
      '--dir', dir,
    ], { cwd: dir });
    const current = proc;
    const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
    let exited = false;
    current.exited.then(() => {
      exited = true;
    });
    for (;;) {
      if (await ping(port)) {
        return;
      }
      if (exited) {
        throw new Error(`redis-server on port ${port} exited before answering PING `
          + `(exit code ${current.child.exitCode}, signal ${current.child.signalCode}); its output:\n${current.out.text}`);
      }
      if (Date.now() > deadline) {
        await terminate(current, 'SIGKILL');
        throw new Error(`redis-server on port ${port} did not answer PING within ${REDIS_START_TIMEOUT_MS} ms; `
          + `its output:\n${current.out.text}`);
      }
      await sleep(50);
    }
  };

  await launch();
  return {
    port,
    url: `redis://${LOOPBACK}:${port}`,
    get pid() {
      return proc.child.pid;
    },
    kill: () => terminate(proc, 'SIGKILL'),
    start: launch,
    stop: async () => {
      await terminate(proc, 'SIGTERM', 5000);
      fs.rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
    log: () => earlierLogs + (proc ? proc.out.text : ''),
  };
}

// ---------------------------------------------------------------------------------------------
// Regions (the example server)
// ---------------------------------------------------------------------------------------------

/** The inter-region keys of this Node process: `id:base64(32 random bytes)`, as the server parses them. */
let defaultInterRegionKeys = null;

function interRegionKeysOfThisProcess() {
  if (defaultInterRegionKeys === null) {
    defaultInterRegionKeys = `jstest:${randomBytes(32).toString('base64')}`;
  }
  return defaultInterRegionKeys;
}

function javaBinary() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** GET url; resolves with the status code, or 0 when the request fails. No keep-alive pool. */
function httpStatus(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
      res.once('error', () => resolve(0));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => resolve(0));
  });
}

/** The line the server prints once per node: `  node ID region R ws ws://host:port/ http http://host:port/`. */
const NODE_LINE = /node (\S+) region (\S+) ws (\S+) http (\S+)/;

/**
 * One attempt to start a region with these flags: resolves { ok: true, proc, wsUrl, httpUrl } once
 * /readyz answers 200, else { ok: false, why, log, portTaken } after killing the process.
 */
async function launchRegion({ region, id, flags, env, deadline, timeoutMs, secret }) {
  const command = [...JVM_OPTIONS, '-jar', JAR, ...flags];
  const proc = spawnTracked(javaBinary(), command, { env });
  const { child, out } = proc;
  const shown = command.map((f) => (secret && f === String(secret) ? '<secret>' : f)).join(' ');
  const description = `region ${region} (node ${id}, pid ${child.pid}, command: ${javaBinary()} ${shown})`;
  let exitInfo = null;
  proc.exited.then((info) => {
    exitInfo = info;
  });
  const fail = async (why) => {
    await terminate(proc, 'SIGKILL');
    return {
      ok: false, why, description, log: out.text,
      portTaken: /Address already in use|BindException/i.test(out.text),
    };
  };
  const exitedWhy = () => (exitInfo.error ? `could not be started (${exitInfo.error.message})`
    : `exited before it was ready (exit code ${exitInfo.code}, signal ${exitInfo.signal})`);

  // 1. the node line, with the ports it bound
  let match = null;
  while (!(match = NODE_LINE.exec(out.text))) {
    if (exitInfo) {
      return fail(exitedWhy());
    }
    if (Date.now() > deadline) {
      return fail(`printed no node line within ${timeoutMs} ms`);
    }
    await sleep(20);
  }
  const wsUrl = `ws://${LOOPBACK}:${new URL(match[3]).port}/`;
  const httpUrl = `http://${LOOPBACK}:${new URL(match[4]).port}`;

  // 2. readiness
  for (;;) {
    if (exitInfo) {
      return fail(exitedWhy());
    }
    if ((await httpStatus(`${httpUrl}/readyz`)) === 200) {
      return { ok: true, proc, wsUrl, httpUrl };
    }
    if (Date.now() > deadline) {
      return fail(`did not answer 200 on ${httpUrl}/readyz within ${timeoutMs} ms`);
    }
    await sleep(20);
  }
}

/**
 * Starts one region: `java -jar geows-example-server.jar` with `--region`, `--node-id`,
 * `--host 127.0.0.1`, free WebSocket and HTTP ports (`--port`, `--http-port`, from
 * {@link freePort}), `--public-url ws://127.0.0.1:P/` (so that `goaway` frames and `wrong_region`
 * errors of other regions name this node's URL), `--broker redisUrl`, `--token-secret secret`
 * (HS256 JWTs, see {@link token}) and `--inter-region-keys`. Resolves when GET httpUrl + '/readyz'
 * answers 200; rejects, with the process's output attached (also as `error.log`), if it exits
 * first or is not ready within 30 s. If another process grabbed a chosen port before the server
 * bound it, it is started again on other ports (up to 3 tries, within the same 30 s).
 *
 * The server is started without the GEOWS_* environment variables of this process (they would add
 * settings); `args` are appended after the harness's flags and override them (the last value of a
 * flag wins; overriding `--port` leaves `--public-url` pointing at the chosen port).
 *
 * @param {object} options
 * @param {string} options.region this node's region, e.g. 'us-east'
 * @param {string} [options.nodeId] this node's id (default: region + '-' + random hex)
 * @param {string} [options.redisUrl] the shared broker, e.g. redis.url (default: 'memory', a lone node)
 * @param {string} [options.secret] the HS256 secret of hello tokens, at least 32 bytes; without one
 *   the server runs with `--anonymous true` (insecure: the token IS the user id, every room allowed)
 * @param {string} [options.interRegionKeys] `id:base64secret[,id:base64secret]` (secrets of 32+ bytes);
 *   default: one key generated once per Node process, so every region of the process shares it
 * @param {string[]} [options.args] further server flags, e.g. ['--max-rooms', '5']
 * @param {number} [options.timeoutMs] how long to wait for readiness (default 30000)
 * @returns {Promise<{
 *   region: string,
 *   nodeId: string,
 *   wsUrl: string,
 *   httpUrl: string,
 *   pid: number,
 *   kill: () => Promise<void>,
 *   stop: () => Promise<void>,
 *   log: () => string,
 * }>} `wsUrl` is 'ws://127.0.0.1:P/', `httpUrl` 'http://127.0.0.1:H' (no trailing slash); `kill()`
 *   SIGKILLs it (a crash) and resolves on exit; `stop()` sends SIGTERM (graceful: readiness off,
 *   `goaway` to clients, a drain of about 2 s, close) and resolves on exit (SIGKILL after 20 s);
 *   `log()` is its stdout + stderr so far.
 */
export async function startRegion({
  region,
  nodeId,
  redisUrl,
  secret,
  interRegionKeys,
  args = [],
  timeoutMs = REGION_START_TIMEOUT_MS,
} = {}) {
  if (!region) {
    throw new Error('startRegion: give a region, e.g. { region: "us-east" }');
  }
  if (!fs.existsSync(JAR)) {
    throw new Error(`the example server's jar is missing: ${JAR}; build it first: `
      + 'mvn -DskipTests -pl geows-example-server -am package');
  }
  if (secret !== undefined && secret !== null && Buffer.byteLength(String(secret), 'utf8') < 32) {
    throw new Error(`startRegion: the token secret must be at least 32 bytes (HS256), was ${Buffer.byteLength(String(secret), 'utf8')}`);
  }
  const id = nodeId || `${region}-${randomBytes(3).toString('hex')}`;
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('GEOWS_')) {
      env[k] = v;
    }
  }
  const started = Date.now();
  const deadline = started + timeoutMs;
  let launched;
  for (let attempt = 1; ; attempt++) {
    // The ports are chosen here (not with --port 0) so that --public-url can name this node's URL:
    // goaway frames and wrong_region errors then tell clients where the other regions are.
    const wsPort = await freePort();
    const httpPort = await freePort();
    const flags = [
      '--region', region,
      '--node-id', id,
      '--host', LOOPBACK,
      '--port', String(wsPort),
      '--http-port', String(httpPort),
      '--public-url', `ws://${LOOPBACK}:${wsPort}/`,
      '--broker', redisUrl || 'memory',
      '--inter-region-keys', interRegionKeys || interRegionKeysOfThisProcess(),
    ];
    if (secret) {
      flags.push('--token-secret', String(secret));
    } else {
      flags.push('--anonymous', 'true');
    }
    flags.push(...args.map(String));
    launched = await launchRegion({ region, id, flags, env, deadline, timeoutMs, secret });
    if (launched.ok) {
      break;
    }
    // Another process took a port between freePort() and the bind: try again with other ports
    // (unless args chose the ports).
    const portsFromArgs = args.some((a) => /^--(http-)?port(=|$)/.test(String(a)));
    if (attempt < 3 && launched.portTaken && !portsFromArgs && Date.now() < deadline) {
      continue;
    }
    const err = new Error(`${launched.description} ${launched.why}; its output:\n${launched.log}`);
    err.log = launched.log;
    throw err;
  }
  const { proc, wsUrl, httpUrl } = launched;
  const { child, out } = proc;

  return {
    region,
    nodeId: id,
    wsUrl,
    httpUrl,
    pid: child.pid,
    /** Milliseconds from spawn to ready (for the curious). */
    startupMs: Date.now() - started,
    kill: () => terminate(proc, 'SIGKILL'),
    stop: () => terminate(proc, 'SIGTERM'),
    log: () => out.text,
  };
}

// ---------------------------------------------------------------------------------------------
// Tokens and polling
// ---------------------------------------------------------------------------------------------

function base64url(input) {
  return Buffer.from(input).toString('base64url');
}

/**
 * An HS256 JWT the server's JwtAuthenticator accepts (when started with the same secret by
 * {@link startRegion}): header `{"alg":"HS256","typ":"JWT"}`, claims `sub` = user, `iat`, `exp`
 * (required by the server, which allows 30 s of clock skew), and by default `rooms: ["*"]`, then
 * `claims` on top. The `rooms` claim matters: with a token secret the server authorizes rooms from
 * the token (`rooms`: patterns the user may join, publish to and query; `rooms_read`: join and query
 * only; `*` is a wildcard; without them every join is `forbidden`). Pass `claims: { rooms: [...] }`
 * to narrow it, or `claims: { rooms: undefined }` to leave it out. The server checks `iss`/`aud` only
 * when started with `--token-issuer`/`--token-audience` (put them in `claims` then).
 *
 * @param {string} user the user id (`sub`)
 * @param {string|Buffer} secret the HS256 secret (UTF-8 string, as the server reads --token-secret)
 * @param {object} [options]
 * @param {number} [options.expiresInSeconds] seconds until `exp` (default 3600; negative: already expired)
 * @param {object} [options.claims] extra claims, over the defaults; an `undefined` value removes a claim
 * @returns {string} the compact JWT
 */
export function token(user, secret, { expiresInSeconds = 3600, claims = {} } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { sub: user, iat: now, exp: now + expiresInSeconds, rooms: ['*'], ...claims };
  for (const key of Object.keys(payload)) {
    if (payload[key] === undefined) {
      delete payload[key];
    }
  }
  const signingInput = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac('sha256', typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret)
    .update(signingInput)
    .digest('base64url');
  return `${signingInput}.${signature}`;
}

/**
 * Polls `predicate` (sync or async) every 20 ms until it returns a truthy value, which it resolves
 * with. A predicate that throws counts as not yet true. Rejects after `timeoutMs` with an Error
 * naming `what` (and the predicate's last error, if any).
 *
 * @template T
 * @param {string} what what is awaited, for the error message
 * @param {() => T | Promise<T>} predicate
 * @param {number} [timeoutMs] default 15000
 * @returns {Promise<T>}
 */
export async function waitFor(what, predicate, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  for (;;) {
    try {
      const value = await predicate();
      if (value) {
        return value;
      }
      lastError = null;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const err = new Error(`timed out after ${timeoutMs} ms waiting for ${what}`
        + (lastError ? ` (last error: ${lastError.message ?? lastError})` : ''));
      if (lastError) {
        err.cause = lastError;
      }
      throw err;
    }
    await sleep(20);
  }
}
