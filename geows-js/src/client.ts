import {
  ClientClosedError,
  ConnectError,
  ConnectionLostError,
  GeoWsError,
  QueueFullError,
  FrameTooLargeError,
  RequestRejectedError,
  RequestTimeoutError,
  SessionClosedError,
  type ErrorCode,
} from "./errors.js";
import type {
  ClientOptions,
  ConnectionState,
  DirectAck,
  DirectMessage,
  Member,
  Message,
  Position,
  PublishAck,
  Region,
  RoomListener,
  StateEvent,
  WebSocketFactory,
  WebSocketLike,
} from "./types.js";

type Frame = Record<string, any>;
type Kind = "publish" | "direct" | "rpc" | "presence" | "leave" | "join";

/** A request waiting for its answer (matched by `ref`). */
interface Pending {
  id: string;
  kind: Kind;
  frame: Frame;
  room?: string;
  resolve(value: any): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
  /** Sent on the current connection (else waiting for one). */
  sent: boolean;
  attempts: number;
  /** Waiting to be sent again after a retryable refusal (the backoff's timer). */
  retry?: ReturnType<typeof setTimeout>;
  /** The connection it was last sent on. */
  sentOn?: Connection;
}

/** A joined room: its listener and the last position delivered (what a resume starts from). */
interface Room {
  listener: RoomListener<any>;
  cursor: Position | null;
  /** The node confirmed the join on the current connection. */
  joined: boolean;
  /** The join request in flight, if any. */
  joinId?: string;
  waiters: Array<{ resolve(): void; reject(e: Error): void }>;
}

/** One WebSocket to one region. */
interface Connection {
  ws: WebSocketLike;
  region: Region;
  helloId: string;
  welcomed: boolean;
  lastFrameAt: number;
  heartbeat?: ReturnType<typeof setInterval>;
  /** When the last unanswered ping was sent (0: none outstanding). */
  pingSentAt: number;
  welcomedAt: number;
  /** The rooms the hello resumed. */
  resumed: Set<string>;
  detached: boolean;
}

const OPEN = 1;
const MOVES_PER_MINUTE = 3;
/** A session shorter than this counts as a failure: the next reconnect backs off. */
const STABLE_MS = 10000;
/** Hello refusals that no retry cures. */
const FINAL_HELLO = new Set(["room_limit", "bad_request", "bad_json", "forbidden_field", "already_authenticated"]);

interface Listeners {
  state: Set<(e: StateEvent) => void>;
  direct: Set<(m: DirectMessage) => void>;
  broadcast: Set<(m: DirectMessage) => void>;
  error: Set<(e: GeoWsError) => void>;
}

/**
 * A geows client: connects to the nearest region, moves to another when it is lost or drains, and
 * resumes every room from its last position, so a room's messages arrive once each, in order.
 *
 * ```js
 * const client = new GeoWsClient({ regionsFrom: "https://us.example.com/regions", token: () => getToken() });
 * await client.connect();
 * await client.join("lobby", { onMessage: (m) => show(m.from, m.data) });
 * await client.publish("lobby", { text: "hi" });
 * ```
 */
export class GeoWsClient {
  private readonly opts: Required<Omit<ClientOptions, "regions" | "regionsFrom" | "preferredRegion" | "fetch" | "WebSocket" | "backoff">> & {
    backoffInitialMs: number;
    backoffMaxMs: number;
  };
  private readonly options: ClientOptions;
  private readonly WS: WebSocketFactory;
  private regionList: Region[] = [];
  private conn: Connection | null = null;
  private stateValue: ConnectionState = "idle";
  private readonly rooms = new Map<string, Room>();
  private readonly pending = new Map<string, Pending>();
  private readonly listeners: Listeners = { state: new Set(), direct: new Set(), broadcast: new Set(), error: new Set() };
  private readonly clientId = Math.random().toString(36).slice(2, 10);
  private seq = 0;
  private closedForGood = false;
  private connecting: Promise<void> | null = null;
  private userValue: string | undefined;
  private moves: number[] = [];
  private moveTarget: Region | null = null;
  /** The connection being opened (before its welcome), so close() can stop it. */
  private attempting: Connection | null = null;
  /** Unstable sessions in a row: the next reconnect waits a backoff for each. */
  private failures = 0;
  /** Timers of backoff waits, cleared by close(). */
  private readonly waits = new Set<ReturnType<typeof setTimeout>>();
  /** Client-side pacing of requests: tokens of a bucket refilled at maxSendRate. */
  private sendTokens = 0;
  private sendTokensAt = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ClientOptions) {
    if (!options || options.token === undefined) {
      throw new TypeError("geows: a token (or a function that returns one) is required");
    }
    if (!options.regions && !options.regionsFrom) {
      throw new TypeError("geows: give regions ({ name: url }) or regionsFrom (a node's /regions URL)");
    }
    const WS = options.WebSocket ?? (globalThis as any).WebSocket;
    if (!WS) {
      throw new TypeError("geows: no WebSocket here; on Node.js before 22 pass { WebSocket } from the 'ws' package");
    }
    this.WS = WS;
    this.options = options;
    this.opts = {
      token: options.token,
      measureRtt: options.measureRtt ?? true,
      probeTimeoutMs: options.probeTimeoutMs ?? 2000,
      connectTimeoutMs: options.connectTimeoutMs ?? 15000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 15000,
      maxPending: options.maxPending ?? 1000,
      maxFrameBytes: options.maxFrameBytes ?? 65536,
      maxSendRate: options.maxSendRate ?? 100,
      backoffInitialMs: options.backoff?.initialMs ?? 100,
      backoffMaxMs: options.backoff?.maxMs ?? 5000,
    };
    if (options.regions) {
      this.regionList = Array.isArray(options.regions)
        ? options.regions.map((r) => ({ name: r.name, url: r.url }))
        : Object.entries(options.regions).map(([name, url]) => ({ name, url }));
    }
  }

  // ------------------------------------------------------------------ public API

  /** The connection's state. */
  get state(): ConnectionState {
    return this.stateValue;
  }

  /** The region connected to, while connected. */
  get region(): string | undefined {
    return this.conn?.welcomed ? this.conn.region.name : undefined;
  }

  /** The user the node authenticated (after the first welcome). */
  get user(): string | undefined {
    return this.userValue;
  }

  /** The regions known, nearest first once measured. */
  get regions(): Region[] {
    return this.regionList.map((r) => ({ ...r }));
  }

  /** The last position delivered in a room (what a resume starts from). */
  position(room: string): Position | undefined {
    const c = this.rooms.get(room)?.cursor;
    return c ? { ...c } : undefined;
  }

  /**
   * Listens to the client: `state` changes, `direct` messages to this user, server `broadcast`s, and
   * `error`s that belong to no request (a failed token refresh, a room that could not be re-joined).
   * Returns a function that stops listening.
   */
  on(event: "state", listener: (e: StateEvent) => void): () => void;
  on(event: "direct", listener: (m: DirectMessage) => void): () => void;
  on(event: "broadcast", listener: (m: DirectMessage) => void): () => void;
  on(event: "error", listener: (e: GeoWsError) => void): () => void;
  on(event: keyof Listeners, listener: (x: any) => void): () => void {
    const set = this.listeners[event] as Set<(x: any) => void>;
    if (!set) {
      throw new TypeError(`geows: no event '${event}' (state, direct, broadcast, error)`);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Connects to the nearest region that answers (regions discovered first when `regionsFrom` is
   * given). Resolves on the node's welcome; rejects with {@link ConnectError} when no region could be
   * reached within `connectTimeoutMs`, or {@link SessionClosedError} when the token is refused.
   */
  connect(): Promise<void> {
    if (this.closedForGood) {
      return Promise.reject(new ClientClosedError("geows: the client is closed"));
    }
    if (this.stateValue === "connected") {
      return Promise.resolve();
    }
    if (this.stateValue === "reconnecting") {
      return this.nextConnected();
    }
    if (!this.connecting) {
      this.connecting = this.firstConnect().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  /**
   * Joins a room: the listener gets every message after the join, in order, once, across
   * reconnects. Resolves when the node confirmed it.
   */
  join<T = unknown>(room: string, listener: RoomListener<T> | ((m: Message<T>) => void)): Promise<void> {
    const l: RoomListener<T> = typeof listener === "function" ? { onMessage: listener } : listener;
    if (!l || typeof l.onMessage !== "function") {
      return Promise.reject(new TypeError("geows: join needs a listener with onMessage"));
    }
    if (this.closedForGood) {
      return Promise.reject(new ClientClosedError("geows: the client is closed"));
    }
    if (this.rooms.has(room)) {
      return Promise.reject(new TypeError(`geows: already in room '${room}'`));
    }
    return new Promise<void>((resolve, reject) => {
      const r: Room = { listener: l, cursor: null, joined: false, waiters: [{ resolve, reject }] };
      this.rooms.set(room, r);
      const timer = setTimeout(() => {
        if (!r.joined && this.rooms.get(room) === r) {
          this.rooms.delete(room);
          if (this.isConnected()) {
            this.send({ type: "leave", room, id: this.nextId("l") }); // in case the node joined it after all
          }
          const error = new RequestTimeoutError(`geows: join '${room}' not confirmed within ${this.opts.requestTimeoutMs} ms`);
          this.settleRoom(r, error);
          this.failHeld(room, error);
        }
      }, this.opts.requestTimeoutMs);
      r.waiters.push({ resolve: () => clearTimeout(timer), reject: () => clearTimeout(timer) });
      this.sendJoin(room, r);
    });
  }

  /** Leaves a room: no more of its messages, and it is not resumed. */
  async leave(room: string): Promise<void> {
    const r = this.rooms.get(room);
    if (!r) {
      return;
    }
    this.rooms.delete(room);
    const left = new GeoWsError(`geows: left '${room}' before the join completed`);
    this.settleRoom(r, left);
    this.failHeld(room, left);
    if (this.isConnected()) {
      await this.request("leave", { type: "leave", room }, this.nextId("l")).catch(() => undefined);
    }
  }

  /**
   * Publishes to a joined room. Resolves with the message's position once it is in the room's
   * history; sent again with the same id after a reconnect or a retryable refusal (`unavailable`,
   * `rate_limited`, ...), never delivered twice. `id` defaults to a fresh one.
   */
  publish(room: string, data: unknown, options: { id?: string } = {}): Promise<PublishAck> {
    const id = options.id ?? this.nextId("m");
    return this.request("publish", { type: "publish", room, id, data }, id, room).then((f: Frame) => ({
      room,
      id,
      offset: f.offset,
      epoch: f.epoch,
      duplicate: f.duplicate === true,
    }));
  }

  /** Sends a message to every session of a user, in any region (`user_offline` when there is none). */
  direct(user: string, data: unknown, options: { id?: string } = {}): Promise<DirectAck> {
    const id = options.id ?? this.nextId("d");
    return this.request("direct", { type: "direct", to: user, id, data }, id).then((f: Frame) => ({
      id,
      delivered: f.delivered ?? 0,
    }));
  }

  /** Who is in a joined room, in every region. */
  presence(room: string): Promise<Member[]> {
    return this.request("presence", { type: "presence", room }, this.nextId("q"), room).then((f: Frame) =>
      (f.members ?? []).map((m: Member) => ({ user: m.user, region: m.region, node: m.node })),
    );
  }

  /**
   * Calls a method of the application on the node; resolves with its result. Not sent again after a
   * lost connection (whether it ran is unknown): that rejects with {@link ConnectionLostError}.
   */
  rpc<T = unknown>(method: string, data: unknown = null): Promise<T> {
    const id = this.nextId("r");
    return this.request("rpc", { type: "rpc", method, id, data }, id).then((f: Frame) => f.data as T);
  }

  /** Closes the connection for good; pending requests fail with {@link ClientClosedError}. */
  close(): void {
    this.shutdown(new ClientClosedError("geows: the client was closed"), "closed by the application");
  }

  /** Resolves at the next "connected", rejects when the client closes first. */
  private nextConnected(): Promise<void> {
    return new Promise((resolve, reject) => {
      const off = this.on("state", (e) => {
        if (e.state === "connected") {
          off();
          resolve();
        } else if (e.state === "closed") {
          off();
          reject(new ClientClosedError("geows: the client closed while reconnecting" + (e.reason ? ` (${e.reason})` : "")));
        }
      });
    });
  }

  // ------------------------------------------------------------------ connecting

  private async firstConnect(): Promise<void> {
    this.setState("connecting");
    try {
      if (this.options.regionsFrom) {
        await this.discover(this.options.regionsFrom);
      }
      if (this.regionList.length === 0) {
        throw new ConnectError("geows: no region to connect to", {});
      }
      if (this.opts.measureRtt && this.regionList.length > 1) {
        await this.measure();
      }
      this.preferFirst(this.options.preferredRegion);
      await this.connectLoop(Date.now() + this.opts.connectTimeoutMs, undefined);
    } catch (e) {
      if (!this.closedForGood) {
        this.setState(e instanceof SessionClosedError ? "closed" : "idle", undefined, (e as Error).message);
      }
      if (e instanceof SessionClosedError) {
        this.shutdown(e, e.message);
      }
      throw e;
    }
  }

  /** Reads a node's `/regions`: the ready regions, one URL each (the first listed). */
  private async discover(url: string): Promise<void> {
    const fetchFn = this.options.fetch ?? (globalThis as any).fetch;
    if (!fetchFn) {
      throw new ConnectError("geows: no fetch here to read " + url + "; give regions instead", {});
    }
    let body: any;
    try {
      const res = await fetchFn(url);
      if (!res.ok) {
        throw new Error("HTTP " + res.status);
      }
      body = await res.json();
    } catch (e) {
      if (this.regionList.length > 0) {
        return; // the regions given too
      }
      throw new ConnectError(`geows: could not read the regions from ${url}: ${(e as Error).message}`, {});
    }
    const seen = new Map<string, Region>();
    for (const r of body?.regions ?? []) {
      if (r && r.ready !== false && typeof r.region === "string" && typeof r.url === "string" && !seen.has(r.region)) {
        seen.set(r.region, { name: r.region, url: r.url });
      }
    }
    for (const r of this.regionList) {
      if (!seen.has(r.name)) {
        seen.set(r.name, r);
      }
    }
    this.regionList = [...seen.values()];
  }

  /** Measures each region (the time to open a WebSocket) and orders them nearest first; unreachable last. */
  private async measure(): Promise<void> {
    const rtts = await Promise.all(this.regionList.map((r) => this.probe(r.url)));
    const order = this.regionList.map((r, i) => ({ r, rtt: rtts[i] }));
    order.sort((a, b) => a.rtt - b.rtt);
    this.regionList = order.map((o) => o.r);
  }

  private probe(url: string): Promise<number> {
    return new Promise((resolve) => {
      const start = Date.now();
      let ws: WebSocketLike;
      let done = false;
      const finish = (rtt: number) => {
        if (!done) {
          done = true;
          clearTimeout(timer);
          try {
            ws.close(1000, "probe");
          } catch {
            // closing a socket that never opened
          }
          resolve(rtt);
        }
      };
      const timer = setTimeout(() => finish(Number.POSITIVE_INFINITY), this.opts.probeTimeoutMs);
      try {
        ws = new this.WS(url);
      } catch {
        finish(Number.POSITIVE_INFINITY);
        return;
      }
      ws.onopen = () => finish(Date.now() - start);
      ws.onerror = () => finish(Number.POSITIVE_INFINITY);
      ws.onclose = () => finish(Number.POSITIVE_INFINITY);
      ws.onmessage = null;
    });
  }

  private preferFirst(name: string | undefined): void {
    const i = name ? this.regionList.findIndex((r) => r.name === name) : -1;
    if (i > 0) {
      this.regionList.unshift(...this.regionList.splice(i, 1));
    }
  }

  /**
   * Tries regions until one welcomes the client: `target` first (a goaway's or a wrong_region's
   * region), `avoid` last (the one just lost), the others nearest first; between rounds a full-jitter
   * backoff. Throws at `deadline` (first connect only) or when the session is refused for good.
   */
  private async connectLoop(deadline: number, avoid: string | undefined, target?: Region, delayMs = 0): Promise<void> {
    const attempts: Record<string, string> = {};
    if (delayMs > 0) {
      await this.sleep(delayMs);
    }
    for (let round = 0; ; round++) {
      const order = this.regionList.filter((r) => r.name !== avoid && r.url !== target?.url);
      if (avoid) {
        order.push(...this.regionList.filter((r) => r.name === avoid));
      }
      if (target) {
        order.unshift(target);
      }
      for (const region of order) {
        if (this.closedForGood) {
          throw new ClientClosedError("geows: the client was closed");
        }
        if (Date.now() > deadline) {
          throw new ConnectError(
            "geows: could not connect to any region: " +
              Object.entries(attempts).map(([k, v]) => `${k}: ${v}`).join("; "),
            attempts,
          );
        }
        try {
          await this.attempt(region, deadline);
          return;
        } catch (e) {
          if (e instanceof SessionClosedError || e instanceof ClientClosedError) {
            throw e;
          }
          if (e instanceof RequestRejectedError && FINAL_HELLO.has(e.code)) {
            throw e; // the hello itself is refused: no region will take it
          }
          attempts[region.name] = (e as Error).message;
        }
        if (this.moveTarget) {
          break; // told where to go: there, at once
        }
      }
      target = this.moveTarget ?? undefined;
      avoid = undefined;
      const now = Date.now();
      this.moves = this.moves.filter((t) => now - t < 60000);
      if (this.moveTarget && this.moves.length < MOVES_PER_MINUTE) {
        this.moves.push(Date.now());
        this.moveTarget = null;
        continue;
      }
      this.moveTarget = null;
      await this.sleep(this.backoff(round));
    }
  }

  /** Full jitter: a random wait between 0 and the exponential cap for this round. */
  private backoff(round: number): number {
    const cap = Math.min(this.opts.backoffMaxMs, this.opts.backoffInitialMs * 2 ** Math.min(round, 20));
    return Math.random() * cap;
  }

  /** One connection attempt: open, hello with the rooms' positions, wait for the welcome. */
  private async attempt(region: Region, deadline: number): Promise<void> {
    const token = await this.token();
    if (this.closedForGood) {
      throw new ClientClosedError("geows: the client was closed");
    }
    const renewable = typeof this.options.token === "function";
    const helloId = this.nextId("h");
    const ws = new this.WS(region.url);
    const conn: Connection = {
      ws, region, helloId, welcomed: false, lastFrameAt: Date.now(), pingSentAt: 0, welcomedAt: 0,
      resumed: new Set(), detached: false,
    };
    this.attempting = conn;
    await new Promise<void>((resolve, reject) => {
      const limit = Math.max(1, Math.min(this.opts.handshakeTimeoutMs, deadline - Date.now()));
      const timer = setTimeout(() => fail(new Error(`no welcome within ${limit} ms`)), limit);
      const fail = (e: Error) => {
        clearTimeout(timer);
        this.detach(conn);
        if (this.attempting === conn) {
          this.attempting = null;
        }
        reject(e);
      };
      ws.onopen = () => {
        const resume: Record<string, Position> = {};
        for (const [room, r] of this.rooms) {
          if (r.cursor) {
            resume[room] = r.cursor;
            conn.resumed.add(room);
          }
        }
        const hello: Frame = { type: "hello", token, protocol: 1, id: helloId };
        if (Object.keys(resume).length > 0) {
          hello.resume = resume;
        }
        ws.send(JSON.stringify(hello));
      };
      ws.onerror = () => undefined; // the close that follows says what happened
      ws.onclose = (ev) => {
        if (ev.code === 4001 || ev.code === 4002 || (ev.code >= 4500 && ev.code <= 4999) || (ev.code === 4003 && !renewable)) {
          fail(new SessionClosedError(ev.code, ev.reason));
        } else {
          fail(new Error(`closed with ${ev.code}${ev.reason ? " " + ev.reason : ""}`));
        }
      };
      ws.onmessage = (ev) => {
        const f = parse(ev.data);
        if (!f) {
          return;
        }
        conn.lastFrameAt = Date.now();
        if (f.type === "welcome") {
          if (this.closedForGood) {
            fail(new ClientClosedError("geows: the client was closed"));
            return;
          }
          clearTimeout(timer);
          this.attempting = null;
          this.welcomed(conn, f);
          resolve();
        } else if (f.type === "error" && f.ref === helloId && f.code !== "unavailable" && f.code !== "forbidden") {
          if (f.code === "unauthorized" || f.code === "unsupported_protocol" || (f.code === "token_expired" && !renewable)) {
            const code = f.code === "unauthorized" ? 4001 : f.code === "token_expired" ? 4003 : 4002;
            fail(new SessionClosedError(code, `${f.code}: ${f.message ?? ""}`));
          } else if (f.code === "wrong_region") {
            this.moveTarget = this.learnRegion(f); // this user is kept in other regions: go there next
            fail(new RequestRejectedError(f.code, f.message ?? "", f));
          } else {
            fail(new RequestRejectedError(f.code, f.message ?? "", f));
          }
        } else if (f.type === "error" && f.ref === helloId) {
          // a resumed room that could not be rejoined (reported before the welcome): joined again after it
          this.emitError(new RequestRejectedError(f.code, f.message ?? "", f));
        }
      };
    });
  }

  /** The welcome: the connection becomes the client's; rooms resumed, others joined again, requests resent. */
  private welcomed(conn: Connection, f: Frame): void {
    const previous = this.conn;
    if (previous && previous !== conn) {
      this.detach(previous); // never two sessions at once
    }
    conn.welcomed = true;
    conn.welcomedAt = Date.now();
    this.conn = conn;
    this.userValue = f.user;
    conn.ws.onmessage = (ev) => this.onFrame(conn, ev.data);
    conn.ws.onclose = (ev) => this.onClose(conn, ev.code, ev.reason);
    conn.heartbeat = setInterval(() => this.heartbeat(conn), Math.max(50, this.opts.heartbeatIntervalMs / 2));
    const recovered: Record<string, boolean> = f.recovered ?? {};
    const positions: Record<string, Position> = f.positions ?? {};
    for (const room of conn.resumed) {
      if (!this.rooms.has(room) && room in recovered) {
        this.send({ type: "leave", room, id: this.nextId("l") }); // left while the hello was on its way
      }
    }
    for (const [room, r] of this.rooms) {
      r.joined = false;
      r.joinId = undefined;
      if (room in recovered) {
        r.joined = true;
        if (!conn.resumed.has(room) || !r.cursor) {
          // joined again while the hello resumed the old membership: a fresh join, from now on
          const at = positions[room];
          r.cursor = at ? { offset: at.offset, epoch: at.epoch } : r.cursor;
        } else {
          if (!recovered[room]) {
            this.unrecovered(r, positions[room]);
          }
          safe(() => r.listener.onRecovered?.(recovered[room]));
        }
        this.settleRoom(r);
      }
    }
    this.setState("connected", conn.region.name);
    for (const [room, r] of this.rooms) {
      if (!r.joined) {
        this.sendJoin(room, r);
      }
    }
    this.flush();
  }

  /** History could not replay everything: from another epoch, every message is new to us. */
  private unrecovered(r: Room, nodePosition: Position | undefined): void {
    if (nodePosition && r.cursor && nodePosition.epoch !== r.cursor.epoch) {
      r.cursor = { offset: 0, epoch: nodePosition.epoch };
    }
  }

  private async token(): Promise<string> {
    const t = this.options.token;
    return typeof t === "function" ? await t() : t;
  }

  // ------------------------------------------------------------------ frames

  private onFrame(conn: Connection, raw: unknown): void {
    if (conn !== this.conn) {
      return;
    }
    const f = parse(raw);
    if (!f) {
      return;
    }
    conn.lastFrameAt = Date.now();
    conn.pingSentAt = 0;
    switch (f.type) {
      case "message":
        this.onMessage(f);
        break;
      case "joined":
        this.onJoined(f);
        break;
      case "ack":
      case "rpc":
      case "left":
        this.answer(f.ref, f);
        break;
      case "presence":
        if (f.event === "snapshot") {
          this.answer(f.ref, f);
        } else {
          const r = this.rooms.get(f.room);
          if (r) {
            safe(() => r.listener.onPresence?.(f as any));
          }
        }
        break;
      case "direct":
        this.listeners.direct.forEach((l) => safe(() => l(strip(f))));
        break;
      case "broadcast":
        this.listeners.broadcast.forEach((l) => safe(() => l(strip(f))));
        break;
      case "error":
        this.onError(f);
        break;
      case "goaway":
        this.onGoaway(conn, f);
        break;
      case "refresh":
        this.refresh(conn);
        break;
      default:
        // pong, refreshed and frames of later versions: nothing to do
        break;
    }
  }

  private onMessage(f: Frame): void {
    const r = this.rooms.get(f.room);
    if (!r || (!r.joined && !r.joinId)) {
      return; // a room left, or not joined again yet on this connection
    }
    const c = r.cursor;
    if (c && c.epoch === f.epoch && f.offset <= c.offset) {
      return; // delivered before (offsets only increase within an epoch, but may skip numbers)
    }
    r.cursor = { offset: f.offset, epoch: f.epoch };
    if (c && c.epoch !== f.epoch) {
      safe(() => r.listener.onRecovered?.(false)); // the room's history was reset: messages may be missing
    }
    const m: Message = {
      room: f.room, offset: f.offset, epoch: f.epoch, id: f.id, region: f.region, node: f.node, ts: f.ts, data: f.data,
    };
    if (f.from !== undefined) {
      m.from = f.from;
    }
    safe(() => r.listener.onMessage(m));
  }

  private onJoined(f: Frame): void {
    const r = this.rooms.get(f.room);
    if (!r || r.joinId !== f.ref) {
      return;
    }
    r.joined = true;
    r.joinId = undefined;
    if (!r.cursor) {
      r.cursor = { offset: f.offset, epoch: f.epoch };
    } else if (f.recovered !== undefined) {
      if (!f.recovered) {
        this.unrecovered(r, { offset: f.offset, epoch: f.epoch });
      }
      safe(() => r.listener.onRecovered?.(f.recovered));
    }
    this.settleRoom(r);
    this.flush();
  }

  private onError(f: Frame): void {
    const error = new RequestRejectedError(f.code as ErrorCode, f.message ?? "", f);
    for (const [room, r] of this.rooms) {
      if (f.ref !== undefined && r.joinId === f.ref) {
        this.joinRefused(room, r, error);
        return;
      }
    }
    const p = f.ref !== undefined ? this.pending.get(f.ref) : undefined;
    if (!p) {
      this.emitError(error);
      return;
    }
    if (f.code === "wrong_region" && this.move(f)) {
      p.sent = false; // sent again in the right region
      return;
    }
    const retry = error.retryable && (p.kind !== "rpc" || f.code === "rate_limited");
    if (retry) {
      p.sent = false;
      p.attempts++;
      p.retry = setTimeout(() => {
        p.retry = undefined;
        this.flush();
      }, this.backoff(p.attempts));
      return;
    }
    this.finish(p);
    p.reject(error);
  }

  private joinRefused(room: string, r: Room, error: RequestRejectedError): void {
    r.joinId = undefined;
    if (error.code === "wrong_region" && this.move(error)) {
      return; // joined again in the right region
    }
    if (error.retryable) {
      const attempt = (r as any).attempts = ((r as any).attempts ?? 0) + 1;
      setTimeout(() => {
        if (this.rooms.get(room) === r && !r.joined && this.isConnected()) {
          this.sendJoin(room, r);
        }
      }, this.backoff(attempt));
      return;
    }
    this.rooms.delete(room);
    this.failHeld(room, error);
    if (r.waiters.length > 0) {
      this.settleRoom(r, error);
    } else {
      this.emitError(error); // a room rejoined after a reconnect was refused
    }
  }

  private sendJoin(room: string, r: Room): void {
    if (!this.isConnected() || r.joinId) {
      return; // joined (with resume) when the client connects
    }
    r.joinId = this.nextId("j");
    const frame: Frame = { type: "join", room, id: r.joinId };
    if (r.cursor) {
      frame.since = r.cursor;
    }
    this.send(frame);
  }

  /** Rejects the requests held for a room that will not be joined (publishes, presence queries). */
  private failHeld(room: string, error: Error): void {
    for (const p of [...this.pending.values()]) {
      if (p.room === room && !p.sent && p.kind !== "leave") {
        this.finish(p);
        p.reject(error);
      }
    }
  }

  private settleRoom(r: Room, error?: Error): void {
    const waiters = r.waiters.splice(0);
    for (const w of waiters) {
      if (error) {
        w.reject(error);
      } else {
        w.resolve();
      }
    }
  }

  // ------------------------------------------------------------------ requests

  private request(kind: Kind, frame: Frame, id: string, room?: string): Promise<any> {
    if (this.closedForGood) {
      return Promise.reject(new ClientClosedError("geows: the client is closed"));
    }
    if (this.pending.size >= this.opts.maxPending) {
      return Promise.reject(new QueueFullError(`geows: ${this.pending.size} requests wait already (maxPending)`));
    }
    if (this.pending.has(id)) {
      return Promise.reject(new TypeError(`geows: a request with id '${id}' is in flight`));
    }
    frame.id = id;
    const bytes = utf8Length(JSON.stringify(frame));
    if (bytes > this.opts.maxFrameBytes) {
      return Promise.reject(new FrameTooLargeError(
        `geows: the ${kind} frame is ${bytes} bytes, over the node's limit of ${this.opts.maxFrameBytes} (maxFrameBytes)`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.get(id) === p) {
          this.pending.delete(id);
          reject(new RequestTimeoutError(`geows: ${kind} ${id} not answered within ${this.opts.requestTimeoutMs} ms`));
        }
      }, this.opts.requestTimeoutMs);
      const p: Pending = { id, kind, frame, room, resolve, reject, timer, sent: false, attempts: 0 };
      this.pending.set(id, p);
      this.flush();
    });
  }

  /**
   * Sends what waits: everything once connected, a room's publishes once it is joined again, a
   * refused request once its backoff ends; at most `maxSendRate` a second (the node's own limit), the
   * rest a little later.
   */
  private flush(): void {
    if (!this.isConnected()) {
      return;
    }
    const now = Date.now();
    const rate = this.opts.maxSendRate;
    this.sendTokens = Math.min(rate, this.sendTokens + ((now - this.sendTokensAt) * rate) / 1000);
    this.sendTokensAt = now;
    for (const p of this.pending.values()) {
      if (p.sent || p.retry) {
        continue;
      }
      if ((p.kind === "publish" || p.kind === "presence") && p.room !== undefined) {
        const r = this.rooms.get(p.room);
        if (r && !r.joined) {
          continue; // after the room's re-join
        }
      }
      if (this.sendTokens < 1) {
        if (!this.flushTimer) {
          this.flushTimer = setTimeout(() => {
            this.flushTimer = undefined;
            this.flush();
          }, Math.ceil(1000 / rate));
        }
        return;
      }
      this.sendTokens--;
      p.sent = true;
      p.sentOn = this.conn ?? undefined;
      this.send(p.frame);
    }
  }

  private answer(ref: string | undefined, f: Frame): void {
    const p = ref !== undefined ? this.pending.get(ref) : undefined;
    if (p) {
      this.finish(p);
      p.resolve(f);
    }
  }

  private finish(p: Pending): void {
    clearTimeout(p.timer);
    if (p.retry) {
      clearTimeout(p.retry);
    }
    this.pending.delete(p.id);
  }

  private send(frame: Frame): void {
    const c = this.conn;
    if (c && c.ws.readyState === OPEN) {
      c.ws.send(JSON.stringify(frame));
    }
  }

  private isConnected(): boolean {
    return this.conn !== null && this.conn.welcomed && !this.conn.detached;
  }

  // ------------------------------------------------------------------ losing and moving

  private heartbeat(conn: Connection): void {
    if (conn !== this.conn) {
      return;
    }
    // Lost only when a ping went unanswered for an interval: a tick that comes late (a background
    // tab's throttled timers) first sends a ping and judges at the next one.
    const now = Date.now();
    if (conn.pingSentAt > 0 && now - conn.pingSentAt > this.opts.heartbeatIntervalMs) {
      this.lost(conn, `no answer to a ping for ${now - conn.pingSentAt} ms`);
    } else if (conn.pingSentAt === 0 && now - conn.lastFrameAt > this.opts.heartbeatIntervalMs / 2) {
      conn.pingSentAt = now;
      this.send({ type: "ping", id: this.nextId("p") });
    }
  }

  private onClose(conn: Connection, code: number, reason: string): void {
    if (conn !== this.conn) {
      return;
    }
    if (code === 4001 || code === 4002 || (code >= 4500 && code <= 4999)) {
      this.shutdown(new SessionClosedError(code, reason), `closed by the node (${code})`);
      return;
    }
    if (code === 4003 && typeof this.options.token !== "function") {
      this.shutdown(new SessionClosedError(code, reason), "token expired and no token function to renew it");
      return;
    }
    if (code === 1003 || code === 1009) {
      // a frame the node refused to read (too large, binary): sending it again would close again
      for (const p of [...this.pending.values()]) {
        if (p.sent && p.sentOn === conn) {
          this.finish(p);
          p.reject(new FrameTooLargeError(`geows: the node closed the connection (${code}) on a frame of this ${p.kind}`));
        }
      }
    }
    this.lost(conn, `closed with ${code}${reason ? " " + reason : ""}`);
  }

  private onGoaway(conn: Connection, f: Frame): void {
    const named = this.learnRegion(f);
    // to the region it names at once; naming none, anywhere but here
    this.lost(conn, "goaway: " + (f.reason ?? "node draining"), named ?? undefined, named !== null);
  }

  /** A wrong_region answer: moves the connection into a region that serves the room (at most 3 moves a minute). */
  private move(f: { room?: string; regions?: string[]; url?: string }): boolean {
    const now = Date.now();
    this.moves = this.moves.filter((t) => now - t < 60000);
    const target = this.learnRegion(f);
    if (!target || this.moves.length >= MOVES_PER_MINUTE || !this.conn) {
      return false;
    }
    this.moves.push(now);
    const kept = f.regions && f.regions.length > 0 ? f.regions.join(", ") : target.name;
    this.lost(this.conn, `wrong_region: room ${f.room ?? "?"} is kept in ${kept} only; moving to ${target.name}`, target, true);
    return true;
  }

  /** The region a goaway or wrong_region names: a known one, else a new one from its url. */
  private learnRegion(f: { region?: string | null; regions?: string[]; url?: string }): Region | null {
    const names = f.regions ?? (f.region ? [f.region] : []);
    for (const name of names) {
      const known = this.regionList.find((r) => r.name === name);
      if (known) {
        return known;
      }
    }
    if (f.url) {
      const r: Region = { name: names[0] ?? f.url, url: f.url };
      if (!this.regionList.some((k) => k.url === r.url)) {
        this.regionList.push(r);
      }
      return r;
    }
    return null;
  }

  /**
   * The connection is gone (closed, silent, drained): requests in flight wait for the next one, RPCs
   * fail, and the client reconnects — to `target` at once when a goaway or wrong_region named one,
   * else to another region first.
   */
  private lost(conn: Connection, reason: string, target?: Region, planned = false): void {
    if (conn !== this.conn || this.closedForGood) {
      return;
    }
    this.conn = null;
    this.detach(conn);
    for (const r of this.rooms.values()) {
      r.joined = false;
      r.joinId = undefined;
    }
    for (const p of [...this.pending.values()]) {
      if ((p.kind === "rpc" || p.kind === "direct") && p.sent) {
        // not sent again: whether it ran (an rpc) or reached the user (a direct: not deduplicated) is unknown
        this.finish(p);
        p.reject(new ConnectionLostError(`geows: connection lost during ${p.kind} ${p.id} (${reason})`));
      } else if (p.kind === "leave") {
        this.finish(p);
        p.resolve({});
      } else {
        p.sent = false;
      }
    }
    this.setState("reconnecting", conn.region.name, reason);
    const avoid = planned ? undefined : conn.region.name;
    // A session that did not last is a failure: the next attempt waits, longer each time.
    this.failures = !planned && Date.now() - conn.welcomedAt < STABLE_MS ? this.failures + 1 : 0;
    const delay = this.failures > 0 ? this.backoff(this.failures) : 0;
    this.connectLoop(Number.POSITIVE_INFINITY, avoid, target, delay).catch((e) => {
      if (!this.closedForGood) {
        this.shutdown(e instanceof GeoWsError ? e : new GeoWsError(String(e)), (e as Error).message);
      }
    });
  }

  private detach(conn: Connection): void {
    conn.detached = true;
    if (conn.heartbeat) {
      clearInterval(conn.heartbeat);
    }
    conn.ws.onmessage = null;
    conn.ws.onclose = null;
    // not null: closing a socket that is still connecting makes the ws package emit an error, which
    // with no listener would be thrown at the application (an uncaught exception in Node)
    conn.ws.onerror = () => undefined;
    conn.ws.onopen = null;
    try {
      conn.ws.close(1000, "geows client moving on");
    } catch {
      // already closed
    }
  }

  private async refresh(conn: Connection): Promise<void> {
    if (typeof this.options.token !== "function") {
      this.emitError(new GeoWsError("geows: the node asks for a new token but the token is a fixed string; give a function"));
      return;
    }
    try {
      const token = await this.token();
      if (conn === this.conn) {
        this.send({ type: "refresh", token, id: this.nextId("t") });
      }
    } catch (e) {
      this.emitError(new GeoWsError("geows: the token function failed: " + (e as Error).message));
    }
  }

  private shutdown(error: GeoWsError, reason: string): void {
    if (this.closedForGood) {
      return;
    }
    this.closedForGood = true;
    const conn = this.conn;
    this.conn = null;
    if (conn) {
      this.detach(conn);
    }
    if (this.attempting) {
      this.detach(this.attempting);
      this.attempting = null;
    }
    this.waits.forEach((t) => clearTimeout(t));
    this.waits.clear();
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
    }
    for (const p of [...this.pending.values()]) {
      this.finish(p);
      p.reject(error);
    }
    for (const r of this.rooms.values()) {
      this.settleRoom(r, error);
    }
    this.rooms.clear();
    this.setState("closed", conn?.region.name, reason);
  }

  // ------------------------------------------------------------------ parts

  private setState(state: ConnectionState, region?: string, reason?: string): void {
    const previous = this.stateValue;
    if (previous === state) {
      return;
    }
    this.stateValue = state;
    const e: StateEvent = { state, previous, region, reason };
    this.listeners.state.forEach((l) => safe(() => l(e)));
  }

  private emitError(e: GeoWsError): void {
    this.listeners.error.forEach((l) => safe(() => l(e)));
  }

  /** Waits (a backoff); close() ends the wait at once. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closedForGood) {
        resolve();
        return;
      }
      const t = setTimeout(() => {
        this.waits.delete(t);
        resolve();
      }, ms);
      this.waits.add(t);
    });
  }

  private nextId(prefix: string): string {
    return `${prefix}-${this.clientId}-${++this.seq}`;
  }
}

function parse(raw: unknown): Frame | null {
  try {
    const f = JSON.parse(typeof raw === "string" ? raw : String(raw));
    return f && typeof f === "object" && typeof f.type === "string" ? f : null;
  } catch {
    return null;
  }
}

function strip(f: Frame): DirectMessage {
  const m: DirectMessage = { id: f.id, region: f.region, node: f.node, ts: f.ts, data: f.data };
  if (f.from !== undefined) {
    m.from = f.from;
  }
  return m;
}

/** Runs the application's callback; what it throws is reported on the console and does not break the client. */
function safe(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    console.error("geows: an application callback threw", e);
  }
}

/** The UTF-8 size of a string, without TextEncoder's allocation. */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      n += 1;
    } else if (c < 0x800) {
      n += 2;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4; // a surrogate pair: one code point of four bytes
      i++;
    } else {
      n += 3;
    }
  }
  return n;
}
