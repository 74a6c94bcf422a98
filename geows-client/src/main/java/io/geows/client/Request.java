package io.geows.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * A frame waiting for its answer: a publish, direct or rpc (keyed by its message id; a publish is
 * resent with the same id), or a join, leave or presence query (keyed by a request id). Confined to the loop thread.
 */
final class Request {
    enum Kind { JOIN, LEAVE, PUBLISH, DIRECT, PRESENCE, RPC }

    final Kind kind;
    final String id;
    /** The room (join, leave, publish, presence), the recipient (direct) or the method (rpc). */
    final String target;
    /** The encoded frame for publish, direct and rpc (built once, resent as is); null for the others. */
    final String frame;
    /** Completed on the listener executor; null for a rejoin the client makes by itself. */
    final CompletableFuture<?> future;
    final long deadlineNanos;
    int attempts;
    /** The connection it was last sent on; null while it waits to be (re)sent. */
    WsConnection sentOn;
    ScheduledFuture<?> retry;

    Request(Kind kind, String id, String target, String frame, CompletableFuture<?> future, long deadlineNanos) {
        this.kind = kind;
        this.id = id;
        this.target = target;
        this.frame = frame;
        this.future = future;
        this.deadlineNanos = deadlineNanos;
    }

    boolean countsAsPending() {
        return kind == Kind.PUBLISH || kind == Kind.DIRECT || kind == Kind.RPC;
    }

    void cancelRetry() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    /** For messages: {@code publish 'c1-7' to 'lobby'}. */
    String describe() {
        return switch (kind) {
            case JOIN -> "join '" + target + "'";
            case LEAVE -> "leave '" + target + "'";
            case PUBLISH -> "publish '" + id + "' to '" + target + "'";
            case DIRECT -> "direct message '" + id + "' to '" + target + "'";
            case PRESENCE -> "presence of '" + target + "'";
            case RPC -> "rpc '" + target + "' (" + id + ")";
        };
    }
}
