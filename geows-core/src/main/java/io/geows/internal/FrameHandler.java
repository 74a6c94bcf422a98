package io.geows.internal;

import io.geows.CloseCodes;
import io.geows.ErrorCode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's frames from the transport: the hello deadline, rate limiting, decoding, and handing
 * each frame to the part of the node that answers it. Frames that arrive while the {@code hello}
 * completes wait and are handled after the {@code welcome}, in order.
 */
final class FrameHandler {
    private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);

    private final NodeContext node;
    private final ClientFrameDecoder decoder;
    private final Hellos hellos;
    private final Joins joins;
    private final Requests requests;
    private final Replies replies;
    private final Connections connections;

    FrameHandler(NodeContext node, Hellos hellos, Joins joins, Requests requests, Replies replies,
                 Connections connections) {
        this.node = node;
        this.decoder = new ClientFrameDecoder(node.limits.maxJsonDepth(), node.limits.maxStringLength());
        this.hellos = hellos;
        this.joins = joins;
        this.requests = requests;
        this.replies = replies;
        this.connections = connections;
    }

    /** A connection was upgraded: it has the hello timeout to authenticate. */
    void opened(WsSession s) {
        node.opened(s);
        node.scheduler.schedule(() -> {
            if (!s.helloSeen() && s.isOpen()) {
                s.logOnce("closed:", "no hello within " + node.limits.helloTimeout());
                s.close(CloseCodes.HELLO_TIMEOUT, "no hello within " + node.limits.helloTimeout().toMillis() + " ms");
            }
        }, node.limits.helloTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    void binary(WsSession s) {
        node.counters.badFrames.increment();
        s.logOnce("closed:", "binary frame");
        s.close(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported; send JSON text frames");
    }

    void text(WsSession s, String text) {
        node.counters.framesIn.increment();
        switch (s.deferIfHelloPending(text)) {
            case QUEUED:
                return;
            case OVERFLOW:
                replies.reject(s, ErrorCode.BAD_REQUEST, "too many frames before the welcome; wait for it", null);
                return;
            default:
                handle(s, text);
        }
    }

    /** The connection is gone: the session leaves its rooms and the directory. */
    void closed(WsSession s) {
        s.cancelExpiry();
        joins.closed(s);
        node.closed(s);
        connections.disconnected(s);
    }

    private void handle(WsSession s, String text) {
        RateLimiter limiter = s.rateLimiter();
        if (limiter != null && s.helloSeen()) {
            RateLimiter.Verdict v = limiter.acquire(System.nanoTime());
            if (v != RateLimiter.Verdict.ALLOWED) {
                rateLimited(s, text, v);
                return;
            }
        }
        ClientFrame frame;
        try {
            frame = decoder.decode(text);
        } catch (FrameException e) {
            node.observe(() -> node.observer.frameReceived("invalid"));
            replies.reject(s, e.code(), e.getMessage(), e.ref());
            return;
        }
        node.observe(() -> node.observer.frameReceived(frame.type()));
        try {
            dispatch(s, frame);
        } catch (RuntimeException e) {
            log.error("session {}: unexpected failure handling {}", s.id(), frame.getClass().getSimpleName(), e);
            s.send(ServerFrames.error(ErrorCode.INTERNAL, "internal error", frame.id()));
        }
    }

    private void rateLimited(WsSession s, String text, RateLimiter.Verdict v) {
        node.counters.rateLimited.increment();
        int limit = node.limits.messagesPerSecond();
        if (v == RateLimiter.Verdict.CLOSE) {
            if (s.isOpen()) {
                s.logOnce("closed:", "kept sending over its rate limit of " + limit + " frames/s");
                s.send(ServerFrames.error(ErrorCode.RATE_LIMITED, "far over the rate limit of " + limit
                        + " frames/s; closing", null));
                s.close(CloseCodes.RATE_LIMITED, "rate limit");
            }
            return;
        }
        s.logOnce("rate limited:", "over " + limit + " frames/s");
        // The id lets the client resend exactly this frame; reading it costs a parse only when limited.
        s.send(ServerFrames.error(ErrorCode.RATE_LIMITED, "over the rate limit of " + limit
                + " frames/s; not processed, send it again later", decoder.peekId(text)));
    }

    private void dispatch(WsSession s, ClientFrame frame) {
        if (frame instanceof ClientFrame.Hello hello) {
            if (s.helloSeen()) {
                replies.reject(s, ErrorCode.ALREADY_AUTHENTICATED, "hello was already accepted", hello.id());
            } else {
                hellos.hello(s, hello).thenRun(() -> handleEarly(s));
            }
            return;
        }
        if (!s.helloSeen()) {
            replies.reject(s, ErrorCode.NOT_AUTHENTICATED, "send hello first", frame.id());
            return;
        }
        if (frame instanceof ClientFrame.Refresh r) {
            hellos.refresh(s, r);
        } else if (frame instanceof ClientFrame.Join j) {
            joins.join(s, j);
        } else if (frame instanceof ClientFrame.Leave l) {
            joins.leave(s, l);
        } else if (frame instanceof ClientFrame.Publish p) {
            requests.publish(s, p);
        } else if (frame instanceof ClientFrame.Direct d) {
            requests.direct(s, d);
        } else if (frame instanceof ClientFrame.PresenceQuery q) {
            requests.presence(s, q);
        } else if (frame instanceof ClientFrame.Rpc r) {
            requests.rpc(s, r);
        } else if (frame instanceof ClientFrame.Ping ping) {
            s.send(ServerFrames.pong(ping.id(), System.currentTimeMillis()));
        }
    }

    /** Handles the frames that waited for the welcome, then lets new ones through directly. */
    private void handleEarly(WsSession s) {
        for (List<String> early = s.takeEarlyOrBecomeReady(); !early.isEmpty(); early = s.takeEarlyOrBecomeReady()) {
            early.forEach(text -> handle(s, text));
        }
    }
}
