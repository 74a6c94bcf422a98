package io.geows.internal;

import io.geows.Envelope;
import io.geows.GeoWsException;
import io.geows.WrongRegionException;
import io.geows.Registration;
import io.geows.RoomListener;
import io.geows.RoomHistory;
import io.geows.RoomMessage;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import io.geows.spi.Position;
import io.geows.spi.PresenceMember;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The application's operations on the cluster, behind {@code GeoWsNode}'s methods: the same
 * pipelines client traffic takes, with the application as the sender (no {@code from}).
 */
public final class ServerOps {
    private final NodeContext node;
    private final Publisher publisher;
    private final BrokerGuard guard;
    private final Disconnects disconnects;
    private final RoomTable rooms;
    private final RoomListeners listeners;

    ServerOps(NodeContext node, Publisher publisher, BrokerGuard guard, Disconnects disconnects, RoomTable rooms,
              RoomListeners listeners) {
        this.node = node;
        this.publisher = publisher;
        this.guard = guard;
        this.disconnects = disconnects;
        this.rooms = rooms;
        this.listeners = listeners;
    }

    /**
     * Registers a listener for a room's messages: the node takes an interest in the room as a member
     * would (subscribes it) and completes once messages flow.
     */
    public CompletableFuture<Registration> listen(String room, RoomListener listener) {
        String r = room(room);
        Objects.requireNonNull(listener, "listener");
        if (!node.brokers.serves(r)) {
            return CompletableFuture.failedFuture(wrongRegion(r));
        }
        RoomListeners.Entry entry = listeners.add(r, listener);
        LocalRoom local = rooms.acquire(r);
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        Registration registration = () -> {
            if (closed.compareAndSet(false, true)) {
                listeners.remove(r, entry);
                rooms.release(r);
            }
        };
        return local.subscription.thenCompose(sub -> node.brokers.of(r).history().position(r)).handle((p, err) -> {
            if (err != null) {
                registration.close();
                throw refused(err);
            }
            // Like a first join: the broker's position seeds the room, so the next message is delivered live.
            local.seed(p.offset(), p.epoch());
            return registration;
        });
    }

    /** Publishes to a room; completes with the message's position. */
    public CompletableFuture<Position> publish(String room, String messageId, String jsonData) {
        Envelope e = new Envelope(Envelope.Kind.ROOM, id(messageId), room(room), null, null, node.region, node.nodeId,
                System.currentTimeMillis(), AppJson.check(jsonData));
        return publisher.toRoom(e).handle((a, err) -> {
            if (err != null) {
                throw refused(err);
            }
            return new Position(a.offset(), a.epoch());
        });
    }

    /** Sends to every session of a user; completes with the number of nodes it was handed to. */
    public CompletableFuture<Integer> sendToUser(String user, String jsonData) {
        Objects.requireNonNull(user, "user");
        if (!node.brokers.servesUser(user)) {
            return CompletableFuture.failedFuture(io.geows.WrongRegionException.forUser(user,
                    node.brokers.rules().regionsOf(node.brokers.zoneOfUser(user)), node.region));
        }
        Envelope e = new Envelope(Envelope.Kind.DIRECT, UUID.randomUUID().toString(), null, user, null, node.region,
                node.nodeId, System.currentTimeMillis(), AppJson.check(jsonData));
        return publisher.toUser(e).handle((n, err) -> {
            if (err != null) {
                throw refused(err);
            }
            return n;
        });
    }

    /** Broadcasts to every session on every node. */
    public CompletableFuture<Void> broadcast(String jsonData) {
        return publisher.broadcast(AppJson.check(jsonData));
    }

    /** Who is in a room, in every region. */
    public CompletableFuture<List<PresenceMember>> presence(String room) {
        String r = room(room);
        if (!node.brokers.serves(r)) {
            return CompletableFuture.failedFuture(wrongRegion(r));
        }
        return node.brokers.of(r).presence().members(r);
    }

    private WrongRegionException wrongRegion(String room) {
        return new WrongRegionException(room, node.brokers.rules().regionsOf(node.brokers.zoneOf(room)), node.region);
    }

    /** Reads a room's history after {@code since} ({@code null}: from the oldest message kept). */
    public CompletableFuture<RoomHistory> history(String room, Position since, int limit) {
        String r = room(room);
        if (limit < 1 || limit > node.limits.maxReplay()) {
            throw new IllegalArgumentException("limit must be 1-" + node.limits.maxReplay() + " (NodeLimits.maxReplay), was "
                    + limit);
        }
        if (!node.brokers.serves(r)) {
            return CompletableFuture.failedFuture(wrongRegion(r));
        }
        var history = node.brokers.of(r).history();
        long after = since == null ? 0 : since.offset();
        return history.readAfter(r, after, limit).thenCompose(slice -> {
            if (since == null || (slice.epoch().equals(since.epoch()) && since.offset() <= slice.top())) {
                return CompletableFuture.completedFuture(page(r, slice, slice.complete()));
            }
            // The position is of another epoch (history was lost since): what the current epoch holds.
            return history.readAfter(r, 0, limit).thenApply(all -> page(r, all, false));
        });
    }

    private RoomHistory page(String room, HistorySlice slice, boolean complete) {
        guard.historyRejected(slice, room);
        List<RoomMessage> out = new ArrayList<>(slice.messages().size());
        for (BrokerMessage m : slice.messages()) {
            Envelope e = guard.decodeRoomMessage(m, room);
            if (e != null) {
                out.add(new RoomMessage(e, new Position(m.offset(), m.epoch())));
            }
        }
        long last = slice.messages().isEmpty() ? 0 : slice.messages().get(slice.messages().size() - 1).offset();
        return new RoomHistory(out, new Position(Math.max(last, slice.top()), slice.epoch()), complete);
    }

    /** Erases a user's messages from history in every zone, and closes the user's sessions. */
    public CompletableFuture<io.geows.ErasureReport> eraseUser(String user) {
        Objects.requireNonNull(user, "user");
        if (user.isEmpty() || user.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("user must be a user id, was '" + user + "'");
        }
        return publisher.erasures.erase(user);
    }

    /** Closes every session of a user, on every node. */
    public CompletableFuture<Void> disconnectUser(String user, int code, String reason) {
        return disconnects.send(Objects.requireNonNull(user, "user"), null, code, reason);
    }

    /** Closes one session, wherever it is. */
    public CompletableFuture<Void> disconnectSession(String sessionId, int code, String reason) {
        return disconnects.send(null, Objects.requireNonNull(sessionId, "sessionId"), code, reason);
    }

    private static RuntimeException refused(Throwable err) {
        Throwable why = Replies.unwrap(err);
        if (why instanceof Publisher.Refused r) {
            return new GeoWsException("the router refused the message: " + r.getMessage());
        }
        return why instanceof RuntimeException re ? re : new GeoWsException(why.getMessage(), why);
    }

    private static String id(String messageId) {
        if (messageId == null) {
            return UUID.randomUUID().toString();
        }
        if (messageId.isEmpty() || messageId.length() > ClientFrameDecoder.MAX_ID_LENGTH
                || !ClientFrameDecoder.wellFormed(messageId)) {
            throw new IllegalArgumentException("messageId must be 1-" + ClientFrameDecoder.MAX_ID_LENGTH
                    + " characters, was '" + messageId + "'");
        }
        return messageId;
    }

    private static String room(String room) {
        Objects.requireNonNull(room, "room");
        try {
            return ClientFrameDecoder.validRoom(room, null);
        } catch (FrameException e) {
            throw new IllegalArgumentException(e.getMessage() + ": '" + room + "'");
        }
    }
}
