/**
 * geows: the browser and Node.js client. Connects to the nearest region, fails over to another one
 * when it is lost or drains, and resumes every room from its last position — each message once, in
 * order. See {@link GeoWsClient}.
 *
 * @packageDocumentation
 */
export { GeoWsClient } from "./client.js";
export {
  GeoWsError,
  RequestRejectedError,
  ConnectError,
  SessionClosedError,
  RequestTimeoutError,
  ClientClosedError,
  ConnectionLostError,
  QueueFullError,
  FrameTooLargeError,
  ERROR_CODES,
  type ErrorCode,
} from "./errors.js";
export type {
  ClientOptions,
  ConnectionState,
  DirectAck,
  DirectMessage,
  Member,
  Message,
  Position,
  PresenceEvent,
  PublishAck,
  Region,
  RoomListener,
  StateEvent,
  TokenSource,
  WebSocketFactory,
  WebSocketLike,
} from "./types.js";
