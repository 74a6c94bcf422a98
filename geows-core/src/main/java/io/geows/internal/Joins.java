package io.geows.internal;

import io.geows.Envelope;
import io.geows.ErrorCode;
import io.geows.RoomAuthorizer;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import io.geows.spi.Position;
import io.geows.spi.Subscription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room membership of sessions: join (fresh, or resuming from a position with the replay of what
 * was missed, from memory or from history), leave, and the cleanup when a session closes.
 */
final class Joins {
    private static final Logger log = LoggerFactory.getLogger(Joins.class);

    private final NodeContext node;
    private final RoomTable rooms;
    private final PresenceKeeper presence;
    private final Replies replies;
    private final JoinGate gate;
    private volatile boolean overloadLogged;

    Joins(NodeContext node, RoomTable rooms, PresenceKeeper presence, Replies replies) {
        this.node = node;
        this.rooms = rooms;
        this.presence = presence;
        this.replies = replies;
        this.gate = new JoinGate(node.limits.maxJoinsInFlight(), node.limits.maxJoinsWaiting(), node.scheduler);
    }

    /**
     * The result of joining one room: where it stands and what to replay ({@code read}: the replay
     * came from a history read).
     */
    record Outcome(String room, RoomCursor cursor, Position since, Position position, boolean recovered,
                   long startOffset, List<RoomCursor.Pending> replay, boolean read) {
    }

    /** A join the gate refused: too many wait. */
    static final class Overloaded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Overloaded() {
            super("the node is overloaded: too many joins wait; try again later", null, false, false);
        }
    }

    /** Joins admitted together that took the session over its room limit. */
    private static final class RoomLimit extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RoomLimit() {
            super("room limit", null, false, false);
        }
    }

    /** A {@code join} frame. */
    void join(WsSession s, ClientFrame.Join j) {
        if (!replies.allowedOrDenied(s, RoomAuthorizer.Action.JOIN, j.room(), j.id())
                || !replies.servedOrRedirected(s, j.room(), j.id())) {
            return;
        }
        if (s.cursors.containsKey(j.room())) {
            // Already a member: answer with the current position, replay nothing (idempotent join).
            node.brokers.of(j.room()).history().position(j.room()).whenComplete((p, err) -> {
                if (err != null) {
                    replies.unavailable(s, j.id(), err);
                } else {
                    s.send(ServerFrames.joined(j.room(), p, null, j.id()));
                }
            });
            return;
        }
        if (s.cursors.size() >= node.limits.maxRoomsPerSession()) {
            replies.reject(s, ErrorCode.ROOM_LIMIT, "a session may join at most " + node.limits.maxRoomsPerSession()
                    + " rooms", j.id());
            return;
        }
        joinRoom(s, j.room(), j.since()).whenComplete((o, err) -> {
            Throwable why = err == null ? null : Replies.unwrap(err);
            if (why instanceof Overloaded) {
                s.send(ServerFrames.error(ErrorCode.OVERLOADED, why.getMessage(), j.id()));
            } else if (why instanceof RoomLimit) {
                replies.reject(s, ErrorCode.ROOM_LIMIT, "a session may join at most " + node.limits.maxRoomsPerSession()
                        + " rooms", j.id());
            } else if (why != null) {
                replies.unavailable(s, j.id(), why);
            } else if (o.since() == null) {
                activate(s, o, start -> ServerFrames.joined(j.room(), new Position(start, o.position().epoch()), null, j.id()));
            } else {
                activate(s, o, start -> ServerFrames.joined(j.room(), o.position(), o.recovered(), j.id()));
            }
        });
    }

    /** Joins now, or when the join gate admits it; fails with {@link Overloaded} when too many wait. */
    CompletableFuture<Outcome> joinRoom(WsSession s, String room, Position since) {
        CompletableFuture<Outcome> admitted = gate.submit(() -> joinRoomNow(s, room, since));
        if (admitted != null) {
            return admitted;
        }
        node.counters.joinsRefused.increment();
        if (!overloadLogged) {
            overloadLogged = true;
            log.warn("node {} refused joins: more than {} waiting (NodeLimits.maxJoinsWaiting); clients are told to try "
                    + "again later (logged once)", node.nodeId, node.limits.maxJoinsWaiting());
        }
        return CompletableFuture.failedFuture(new Overloaded());
    }

    /**
     * Makes the session a member (live messages start queueing behind the replay at once), subscribes
     * the room if it is new here, then reads the position or the history to replay.
     */
    private CompletableFuture<Outcome> joinRoomNow(WsSession s, String room, Position since) {
        RoomCursor cursor = new RoomCursor();
        LocalRoom local;
        synchronized (s.membership) {
            if (s.isClosed()) {
                return CompletableFuture.failedFuture(new IllegalStateException("session closed"));
            }
            if (s.cursors.putIfAbsent(room, cursor) != null) {
                return node.brokers.of(room).history().position(room)
                        .thenApply(p -> new Outcome(room, null, since, p, true, p.offset(), List.of(), false));
            }
            if (s.cursors.size() > node.limits.maxRoomsPerSession()) {
                s.cursors.remove(room, cursor); // joins that waited for the gate together went over the limit
                return CompletableFuture.failedFuture(new RoomLimit());
            }
            node.registry.join(s, room);
            local = rooms.acquire(room);
            presence.join(s.user(), room);
        }
        CompletableFuture<Outcome> outcome = fromMemory(local, room, cursor, since);
        if (outcome == null) {
            // The subscription must be live before history is read: whatever is appended after the read
            // then arrives live (and waits in the cursor), so nothing falls between the two.
            outcome = local.subscription.thenCompose(sub -> since == null
                    ? node.brokers.of(room).history().position(room)
                            .thenApply(p -> new Outcome(room, cursor, null, p, true, p.offset(), List.of(), false))
                    : replay(room, cursor, since));
        }
        return outcome.whenComplete((o, err) -> {
            if (err != null) {
                synchronized (s.membership) {
                    if (s.cursors.remove(room, cursor)) {
                        node.registry.leave(s, room);
                        rooms.release(room);
                        presence.leave(s.user(), room);
                    }
                }
            } else {
                // Only what the broker said seeds the node's position: never a client's claim.
                local.seed(o.position().offset(), o.position().epoch());
                if (o.read() && o.recovered()) {
                    local.remember(o.since().offset(), o.position(), o.replay());
                }
            }
        });
    }

    /**
     * A join answered without the broker, when the room is live here: a fresh join starts at the last
     * message delivered here, a resume replays what the room keeps in memory. {@code null} when the
     * broker must be asked. The session is a member already, so nothing delivered after this is missed.
     */
    private CompletableFuture<Outcome> fromMemory(LocalRoom local, String room, RoomCursor cursor, Position since) {
        CompletableFuture<Subscription> sub = local.subscription;
        if (!sub.isDone() || sub.isCompletedExceptionally() || !node.brokers.of(room).isConnected()) {
            return null; // (in an outage the broker's answer, or its failure, is what the client gets)
        }
        if (since == null) {
            Position p = local.livePosition();
            return p == null ? null
                    : CompletableFuture.completedFuture(new Outcome(room, cursor, null, p, true, p.offset(), List.of(), false));
        }
        LocalRoom.Replay r = local.replayFromMemory(since);
        if (r == null) {
            return null;
        }
        node.counters.recoveredResumes.increment();
        node.counters.resumesFromMemory.increment();
        return CompletableFuture.completedFuture(
                new Outcome(room, cursor, since, r.position(), true, since.offset(), r.frames(), false));
    }

    private CompletableFuture<Outcome> replay(String room, RoomCursor cursor, Position since) {
        int max = node.limits.maxReplay();
        var history = node.brokers.of(room).history();
        return history.readAfter(room, since.offset(), max).thenCompose(slice -> {
            rooms.guard.historyRejected(slice, room);
            if (slice.epoch().equals(since.epoch()) && since.offset() <= slice.top()) {
                return CompletableFuture.completedFuture(outcome(room, cursor, since, slice, since.offset(), slice.complete()));
            }
            // History was lost since the client's position (or the position was never handed out in this
            // epoch): offer what the current epoch holds, flagged as a gap.
            return history.readAfter(room, 0, max).thenApply(all -> {
                rooms.guard.historyRejected(all, room);
                return outcome(room, cursor, since, all, 0, false);
            });
        });
    }

    private Outcome outcome(String room, RoomCursor cursor, Position since, HistorySlice slice, long start,
                            boolean complete) {
        List<BrokerMessage> msgs = slice.messages();
        long last = msgs.isEmpty() ? 0 : msgs.get(msgs.size() - 1).offset();
        boolean truncated = msgs.size() >= node.limits.maxReplay() && last < slice.top();
        boolean recovered = complete && !truncated;
        (recovered ? node.counters.recoveredResumes : node.counters.unrecoverableResumes).increment();
        return new Outcome(room, cursor, since, new Position(Math.max(last, slice.top()), slice.epoch()), recovered,
                start, frames(room, msgs), true);
    }

    /** History's messages as the frames to replay, each message once (a copy at another offset is dropped). */
    private List<RoomCursor.Pending> frames(String room, List<BrokerMessage> messages) {
        List<RoomCursor.Pending> replay = new ArrayList<>(messages.size());
        Map<String, Long> replayed = new HashMap<>();
        for (BrokerMessage m : messages) {
            Envelope e = rooms.guard.decodeRoomMessage(m, room);
            Long first = e == null ? null : replayed.putIfAbsent(BrokerGuard.messageKey(e), m.offset());
            if (first != null) {
                rooms.guard.dropReplayed(m, "history holds the message of offset " + first + " again at offset " + m.offset());
            } else if (e != null) {
                replay.add(new RoomCursor.Pending(m.offset(), m.epoch(), ServerFrames.message(e, m.offset(), m.epoch())));
            }
        }
        return replay;
    }

    /** Sends the join's first frame and replay, then lets live messages through. */
    void activate(WsSession s, Outcome o, LongFunction<byte[]> joinedFrame) {
        RoomCursor cursor = o.cursor();
        if (cursor == null) {
            return;
        }
        // Under the membership lock, so a leave cannot slip between the check and the frames:
        // nothing of this join may reach the client after its 'left'.
        synchronized (s.membership) {
            if (s.cursors.get(o.room()) != cursor) {
                return; // left (and maybe joined again) or closed meanwhile: this result is stale
            }
            cursor.activate(s, o.startOffset(), o.position().epoch(), o.since() == null, joinedFrame, o.replay());
        }
    }

    /** A {@code leave} frame. */
    void leave(WsSession s, ClientFrame.Leave l) {
        synchronized (s.membership) {
            if (s.cursors.remove(l.room()) == null) {
                replies.reject(s, ErrorCode.NOT_MEMBER, "not a member of room '" + l.room() + "'", l.id());
                return;
            }
            node.registry.leave(s, l.room());
            rooms.release(l.room());
            presence.leave(s.user(), l.room());
            s.send(ServerFrames.left(l.room(), l.id()));
        }
    }

    /** The session closed: it leaves every room and the user directory. */
    void closed(WsSession s) {
        synchronized (s.membership) {
            s.markClosed();
            String user = s.user();
            if (user == null || node.registry.byId(s.id()).isEmpty()) {
                return;
            }
            for (String room : node.registry.unregister(s)) {
                s.cursors.remove(room);
                rooms.release(room);
                presence.leave(user, room);
            }
            s.cursors.clear();
            presence.userOffline(user);
        }
    }
}
