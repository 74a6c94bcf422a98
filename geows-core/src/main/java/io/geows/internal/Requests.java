package io.geows.internal;

import io.geows.BrokerUnavailableException;
import io.geows.Envelope;
import io.geows.ErrorCode;
import io.geows.PublishDecision;
import io.geows.PublishRequest;
import io.geows.RoomAuthorizer;
import io.geows.RpcCall;
import io.geows.RpcReply;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's requests that send or ask something: {@code publish} (through the application's
 * interceptor, when there is one), {@code direct}, {@code presence} and {@code rpc}. Publishing
 * goes through the same {@link Publisher} pipeline as the application's own messages.
 */
final class Requests {
    private static final Logger log = LoggerFactory.getLogger(Requests.class);

    private final NodeContext node;
    private final Publisher publisher;
    private final Replies replies;
    private final Hooks hooks;
    private volatile boolean hookFailureLogged;

    Requests(NodeContext node, Publisher publisher, Replies replies, Hooks hooks) {
        this.node = node;
        this.publisher = publisher;
        this.replies = replies;
        this.hooks = hooks;
    }

    /** A {@code publish} frame. */
    void publish(WsSession s, ClientFrame.Publish p) {
        if (!replies.servedOrRedirected(s, p.room(), p.id())) {
            return;
        }
        if (!s.cursors.containsKey(p.room())) {
            replies.reject(s, ErrorCode.NOT_MEMBER, "join room '" + p.room() + "' before publishing to it", p.id());
            return;
        }
        if (!replies.allowedOrDenied(s, RoomAuthorizer.Action.PUBLISH, p.room(), p.id())) {
            return;
        }
        if (!hooks.intercepting()) {
            publishNow(s, p, p.data());
            return;
        }
        PublishRequest request = new PublishRequest(node.info(s), p.room(), p.id(), p.data());
        s.afterPreviousPublish(() -> hooks.intercept(request).handle((decision, err) -> {
            if (err != null) {
                hookFailed(s, p.id(), err, "publish interceptor");
            } else if (decision.isRejected()) {
                node.counters.publishRejected.increment();
                s.logOnce("publish rejected by the application:", decision.errorCode() + " (" + decision.message() + ")");
                s.send(ServerFrames.error(decision.errorCode(), decision.message(), p.id()));
            } else if (!s.cursors.containsKey(p.room())) {
                replies.reject(s, ErrorCode.NOT_MEMBER, "left room '" + p.room() + "' before the publish was accepted", p.id());
            } else {
                String data = decision.data() == null ? p.data() : checked(s, p.id(), decision.data());
                if (data != null) {
                    publishNow(s, p, data);
                }
            }
            return null;
        }));
    }

    private void publishNow(WsSession s, ClientFrame.Publish p, String data) {
        Envelope e = new Envelope(Envelope.Kind.ROOM, p.id(), p.room(), null, s.user(), node.region, node.nodeId,
                System.currentTimeMillis(), data);
        publisher.toRoom(e).whenComplete((a, err) -> {
            if (err != null) {
                failed(s, p.id(), err);
            } else {
                s.send(ServerFrames.publishAck(p.id(), p.room(), a.offset(), a.epoch(), a.duplicate()));
            }
        });
    }

    /** A {@code direct} frame. */
    void direct(WsSession s, ClientFrame.Direct d) {
        Envelope e = new Envelope(Envelope.Kind.DIRECT, d.id(), null, d.to(), s.user(), node.region, node.nodeId,
                System.currentTimeMillis(), d.data());
        publisher.toUser(e).whenComplete((nodes, err) -> {
            if (err != null) {
                failed(s, d.id(), err);
            } else if (nodes == 0) {
                s.send(ServerFrames.error(ErrorCode.USER_OFFLINE, "user '" + d.to() + "' is not connected", d.id()));
            } else {
                s.send(ServerFrames.directAck(d.id(), nodes));
            }
        });
    }

    private void failed(WsSession s, String ref, Throwable err) {
        Throwable why = Replies.unwrap(err);
        if (why instanceof io.geows.WrongRegionException wrong) {
            replies.wrongRegion(s, wrong, ref, null);
        } else if (why instanceof Publisher.Refused) {
            replies.reject(s, ErrorCode.FORBIDDEN, why.getMessage(), ref);
        } else if (why instanceof BrokerUnavailableException) {
            s.send(ServerFrames.error(ErrorCode.UNAVAILABLE, "broker unavailable; message not accepted, send it again later",
                    ref));
        } else {
            replies.unavailable(s, ref, why);
        }
    }

    /** A {@code presence} frame. */
    void presence(WsSession s, ClientFrame.PresenceQuery q) {
        if (!replies.servedOrRedirected(s, q.room(), q.id())) {
            return;
        }
        if (!s.cursors.containsKey(q.room())) {
            replies.reject(s, ErrorCode.NOT_MEMBER, "join room '" + q.room() + "' to see who is in it", q.id());
            return;
        }
        if (!replies.allowedOrDenied(s, RoomAuthorizer.Action.PRESENCE, q.room(), q.id())) {
            return;
        }
        node.brokers.of(q.room()).presence().members(q.room()).whenComplete((members, err) -> {
            if (err != null) {
                replies.unavailable(s, q.id(), err);
            } else {
                s.send(ServerFrames.presenceSnapshot(q.room(), members, q.id()));
            }
        });
    }

    /** An {@code rpc} frame: answered by the application's handler for its method. */
    void rpc(WsSession s, ClientFrame.Rpc r) {
        if (!hooks.hasMethod(r.method())) {
            replies.reject(s, ErrorCode.UNKNOWN_METHOD, "no rpc method '" + r.method() + "' on this server", r.id());
            return;
        }
        int max = node.limits.maxRpcsInFlight();
        if (!s.startRpc(max)) {
            node.counters.rateLimited.increment();
            s.logOnce("rate limited:", "more than " + max + " rpc calls waiting");
            s.send(ServerFrames.error(ErrorCode.RATE_LIMITED, max + " rpc calls wait for answers already; "
                    + "send this one again after one is answered", r.id()));
            return;
        }
        hooks.call(new RpcCall(node.info(s), r.method(), r.data())).whenComplete((reply, err) -> {
            s.endRpc();
            if (err != null) {
                hookFailed(s, r.id(), err, "rpc handler for '" + r.method() + "'");
            } else if (reply.isError()) {
                s.send(ServerFrames.error(reply.errorCode(), reply.message(), r.id()));
            } else {
                String data = checked(s, r.id(), reply.result());
                if (data != null) {
                    s.send(ServerFrames.rpcResult(r.id(), data));
                }
            }
        });
    }


    /** The application's JSON, or null after telling the client the hook answered something unusable. */
    private String checked(WsSession s, String ref, String json) {
        try {
            return AppJson.check(json);
        } catch (IllegalArgumentException e) {
            hookFailed(s, ref, e, "hook's answer");
            return null;
        }
    }

    private void hookFailed(WsSession s, String ref, Throwable err, String what) {
        Throwable why = Replies.unwrap(err);
        if (why instanceof TimeoutException) {
            s.send(ServerFrames.error(ErrorCode.TIMEOUT, "the application did not answer within "
                    + hooks.timeout().toMillis() + " ms; nothing was done", ref));
            logHookFailure(what + " did not answer within " + hooks.timeout().toMillis() + " ms", null);
            return;
        }
        s.send(ServerFrames.error(ErrorCode.HANDLER_FAILED, "the application failed to handle this request; "
                + "nothing was done", ref));
        logHookFailure(what + " failed", why);
    }

    private void logHookFailure(String what, Throwable why) {
        if (!hookFailureLogged) {
            hookFailureLogged = true;
            log.warn("node {}: {} (clients get an error; further hook failures at debug)", node.nodeId, what, why);
        } else {
            log.debug("node {}: {}", node.nodeId, what, why);
        }
    }
}
