/** A position in a room's history: what to resume from. */
export interface Position {
  offset: number;
  epoch: string;
}

/** A region and the WebSocket URL of a node in it. */
export interface Region {
  name: string;
  url: string;
}

/** A room message as a member receives it. */
export interface Message<T = unknown> {
  room: string;
  offset: number;
  epoch: string;
  /** The message id its publisher chose. */
  id: string;
  /** The publisher's user id; absent when the application published it. */
  from?: string;
  /** Where the publisher was connected. */
  region: string;
  node: string;
  /** Origin time, ms since the epoch. */
  ts: number;
  data: T;
}

/** A direct message to this user, or a broadcast to everyone (no `from`, no room). */
export interface DirectMessage<T = unknown> {
  id: string;
  from?: string;
  region: string;
  node: string;
  ts: number;
  data: T;
}

/** A member of a room: one user on one node. */
export interface Member {
  user: string;
  region: string;
  node: string;
}

/** A presence change in a room (docs/protocol.md, "Presence modes"). */
export interface PresenceEvent {
  room: string;
  event: "join" | "leave" | "diff" | "count";
  user?: string;
  region?: string;
  node?: string;
  joined?: Member[];
  left?: Member[];
  count?: number;
}

/** What a room member listens with. */
export interface RoomListener<T = unknown> {
  /** Each message of the room, once, in offset order, across reconnects and failovers. */
  onMessage(message: Message<T>): void;
  /** Who comes and goes (as the room's presence mode sends it). */
  onPresence?(event: PresenceEvent): void;
  /**
   * After a resume or a re-join: `false` when history no longer held everything since the last
   * position (the room's epoch changed or it was trimmed), so messages may have been missed.
   */
  onRecovered?(recovered: boolean): void;
}

/** The answer to an acknowledged publish. */
export interface PublishAck {
  room: string;
  id: string;
  offset: number;
  epoch: string;
  /** The id had been published before: acknowledged again with its first position, not delivered twice. */
  duplicate: boolean;
}

/** The answer to a direct message. */
export interface DirectAck {
  id: string;
  /** How many nodes it was sent to. */
  delivered: number;
}

/** The connection's state. */
export type ConnectionState = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

/** A state change, with where and why. */
export interface StateEvent {
  state: ConnectionState;
  previous: ConnectionState;
  region?: string;
  /** Why it changed (a close code and reason, goaway, ...). */
  reason?: string;
}

/** The WebSocket the client needs: the browser's, Node 22's, or the `ws` package's. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // typed loosely, so the browser's WebSocket (whose handlers take `this` and DOM events) fits too
  onopen: ((ev: any) => any) | null;
  onclose: ((ev: any) => any) | null;
  onerror: ((ev: any) => any) | null;
  onmessage: ((ev: any) => any) | null;
}

/** A WebSocket constructor. */
export type WebSocketFactory = new (url: string) => WebSocketLike;

/** Where the client gets its token: a string, or a function asked at every connect and refresh. */
export type TokenSource = string | (() => string | Promise<string>);

/** How the client behaves; only `token` and one of `regions` / `regionsFrom` are needed. */
export interface ClientOptions {
  /** The regions: `{ "us-east": "wss://us.example.com/", ... }` or a list. */
  regions?: Record<string, string> | Region[];
  /** A node's `/regions` URL (e.g. `https://us.example.com/regions`) to discover them from. */
  regionsFrom?: string;
  /** Try this region first, whatever the measured RTT. */
  preferredRegion?: string;
  /** The credential; a function is asked again on every connect and when the node asks for a refresh. */
  token: TokenSource;
  /** The WebSocket constructor (default: the platform's `WebSocket`; on Node 18–21 pass `ws`'s). */
  WebSocket?: WebSocketFactory;
  /** Measure each region's round trip at connect and try the nearest first (default true). */
  measureRtt?: boolean;
  /** How long a region's RTT probe may take, ms (default 2000). */
  probeTimeoutMs?: number;
  /** How long `connect()` tries before it fails, ms (default 15000). */
  connectTimeoutMs?: number;
  /** How long a hello may wait for its welcome, ms (default 5000). */
  handshakeTimeoutMs?: number;
  /** How long a request (join, publish, rpc, ...) may take, retries and reconnects included, ms (default 30000). */
  requestTimeoutMs?: number;
  /** Backoff between reconnect rounds and publish retries: full jitter on an exponential cap. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** How often to ping an idle connection, ms (default 15000); no frame for twice that closes it. */
  heartbeatIntervalMs?: number;
  /** At most this many requests wait for a connection (default 1000). */
  maxPending?: number;
  /** The largest frame the node reads, bytes (default 65536, the node's default): larger requests are refused here. */
  maxFrameBytes?: number;
  /** At most this many requests a second, so as not to meet the node's rate limit (default 100, the node's default). */
  maxSendRate?: number;
  /** For `regionsFrom` discovery (default: the platform's `fetch`). */
  fetch?: (url: string) => Promise<{ ok: boolean; status: number; json(): Promise<any> }>;
}
