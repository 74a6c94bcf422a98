/** The error codes a node answers with (docs/protocol.md, "Error codes"), besides the application's `app.<code>`. */
export const ERROR_CODES = [
  "bad_json",
  "bad_request",
  "unknown_type",
  "forbidden_field",
  "not_authenticated",
  "already_authenticated",
  "unsupported_protocol",
  "unauthorized",
  "not_member",
  "room_limit",
  "user_offline",
  "forbidden",
  "rate_limited",
  "token_expired",
  "unavailable",
  "overloaded",
  "internal",
  "unknown_method",
  "timeout",
  "handler_failed",
  "wrong_region",
] as const;

/** An error code: one of {@link ERROR_CODES}, or `app.<code>` (the application refused, with a code of its own). */
export type ErrorCode = (typeof ERROR_CODES)[number] | `app.${string}`;

/** Codes after which the same request, sent again later with the same id, may succeed. */
const RETRYABLE = new Set<string>(["unavailable", "rate_limited", "overloaded", "timeout"]);

/** Every error the client raises. */
export class GeoWsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The node refused a request: `code` is the node's stable code (`app.<code>` for the application's
 * own), `message` its text. For `wrong_region`, `regions` and `url` say where the room is served.
 */
export class RequestRejectedError extends GeoWsError {
  /** The request the node answered (the id the client sent). */
  readonly ref?: string;
  /** For `wrong_region`: the room, and the regions that may serve it. */
  readonly room?: string;
  readonly regions?: string[];
  /** For `wrong_region`: a node there, when the node knows one. */
  readonly url?: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    frame: { ref?: string; room?: string; regions?: string[]; url?: string } = {},
  ) {
    super(`${code}: ${message}`);
    this.ref = frame.ref;
    this.room = frame.room;
    this.regions = frame.regions;
    this.url = frame.url;
  }

  /** Whether sending the same request again later (same id) may succeed. */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** Whether the application (its interceptor or RPC handler) refused, with a code of its own. */
  get isApplicationError(): boolean {
    return this.code.startsWith("app.");
  }
}

/** No region could be connected to within the connect timeout; `attempts` says what each answered. */
export class ConnectError extends GeoWsError {
  constructor(message: string, readonly attempts: Record<string, string>) {
    super(message);
  }
}

/**
 * The node ended the session and the client will not reconnect by itself: a refused or expired token
 * with no way to get a new one (`code` 4001 / 4003), or the application closed it for good (4500–4999).
 */
export class SessionClosedError extends GeoWsError {
  constructor(readonly code: number, readonly reason: string) {
    super(`session closed by the node (${code}${reason ? ": " + reason : ""})`);
  }
}

/** A request got no answer in time (the client may still be reconnecting). */
export class RequestTimeoutError extends GeoWsError {}

/** The client was closed (by `close()`, or for good by the node) before the request completed. */
export class ClientClosedError extends GeoWsError {}

/**
 * The connection was lost while an `rpc` was in flight: whether the handler ran is unknown, so the
 * call is not sent again by itself.
 */
export class ConnectionLostError extends GeoWsError {}

/**
 * A request's frame is larger than the node reads (`maxFrameBytes`, the node's limit: 64 KiB by
 * default), or the node closed the connection on it: it is not sent (again).
 */
export class FrameTooLargeError extends GeoWsError {}

/** More requests wait for a connection than `maxPending` allows. */
export class QueueFullError extends GeoWsError {}
