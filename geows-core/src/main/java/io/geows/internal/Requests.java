package io.geows.internal;

import io.geows.Envelope;
import io.geows.ErrorCode;
import io.geows.RoomAuthorizer;

/**
 * A session's requests that send or ask something: {@code publish}, {@code direct} and
 * {@code presence}. Publishing goes through the same {@link Publisher} pipeline as the
 * application's own messages.
 */
final class Requests {
    private final NodeContext node;
    private final Publisher publisher;
    private final Replies replies;

    Requests(NodeContext node, Publisher publisher, Replies replies) {
        this.node = node;
        this.publisher = publisher;
        this.replies = replies;
    }

    /** A {@code publish} frame. */
    void publish(WsSession s, ClientFrame.Publish p) {
        if (!s.cursors.containsKey(p.room())) {
            replies.reject(s, ErrorCode.NOT_MEMBER, "join room '" + p.room() + "' before publishing to it", p.id());
            return;
        }
        if (!replies.allowedOrDenied(s, RoomAuthorizer.Action.PUBLISH, p.room(), p.id())) {
            return;
        }
        Envelope e = new Envelope(Envelope.Kind.ROOM, p.id(), p.room(), null, s.user(), node.region, node.nodeId,
                System.currentTimeMillis(), p.data());
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
        if (why instanceof Publisher.Refused) {
            replies.reject(s, ErrorCode.FORBIDDEN, why.getMessage(), ref);
        } else if (why instanceof io.geows.BrokerUnavailableException) {
            s.send(ServerFrames.error(ErrorCode.UNAVAILABLE, "broker unavailable; message not accepted, send it again later",
                    ref));
        } else {
            replies.unavailable(s, ref, why);
        }
    }

    /** A {@code presence} frame. */
    void presence(WsSession s, ClientFrame.PresenceQuery q) {
        if (!s.cursors.containsKey(q.room())) {
            replies.reject(s, ErrorCode.NOT_MEMBER, "join room '" + q.room() + "' to see who is in it", q.id());
            return;
        }
        if (!replies.allowedOrDenied(s, RoomAuthorizer.Action.PRESENCE, q.room(), q.id())) {
            return;
        }
        node.broker.presence().members(q.room()).whenComplete((members, err) -> {
            if (err != null) {
                replies.unavailable(s, q.id(), err);
            } else {
                s.send(ServerFrames.presenceSnapshot(q.room(), members, q.id()));
            }
        });
    }
}
