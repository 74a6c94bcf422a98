package io.geows.internal;

import io.geows.Envelope;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import io.geows.spi.Session;
import io.geows.spi.Subscription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms with members on this node: each one's broker subscription (held while a local member
 * is there), its live delivery to the members, and its recovery from history after a broker outage
 * or a gap (see {@link LocalRoom}).
 */
final class RoomTable {
    private static final Logger log = LoggerFactory.getLogger(RoomTable.class);

    final NodeContext node;
    final BrokerGuard guard;
    private final PresenceKeeper presence;
    private final RoomListeners listeners;
    private final Object lock = new Object();
    private final Map<String, LocalRoom> rooms = new HashMap<>();

    RoomTable(NodeContext node, BrokerGuard guard, PresenceKeeper presence, RoomListeners listeners) {
        this.node = node;
        this.guard = guard;
        this.presence = presence;
        this.listeners = listeners;
    }

    /**
     * Takes a reference on the room, subscribing it (on its zone's broker) when it is new here.
     *
     * @throws io.geows.WrongRegionException when the room is pinned to a zone this node is outside of
     */
    LocalRoom acquire(String room) {
        BrokerAdapter broker = node.brokers.of(room);
        synchronized (lock) {
            LocalRoom r = rooms.get(room);
            if (r == null) {
                LocalRoom created = new LocalRoom(room, node.topics.room(room), System.currentTimeMillis(),
                        node.brokers.recentMessages(room, node.limits.recentMessagesPerRoom()),
                        node.limits.recentBytesPerRoom());
                created.subscription = broker.subscribe(created.topic, m -> onRoomMessage(created, m));
                rooms.put(room, created);
                r = created;
            }
            r.refs++;
            return r;
        }
    }

    /** Drops a reference; the last one drops the interest, so the broker stops sending the room here. */
    void release(String room) {
        synchronized (lock) {
            LocalRoom r = rooms.get(room);
            if (r != null && --r.refs == 0) {
                rooms.remove(room);
                r.subscription.whenComplete((sub, err) -> {
                    if (sub != null) {
                        sub.close();
                    }
                });
            }
        }
    }

    /** Whether the room has local members (a room that was left stops recovering). */
    private boolean isLocal(LocalRoom r) {
        synchronized (lock) {
            return rooms.get(r.room) == r;
        }
    }

    private List<LocalRoom> snapshot() {
        synchronized (lock) {
            return new ArrayList<>(rooms.values());
        }
    }

    /** The rooms {@code b} carries. */
    private List<LocalRoom> on(BrokerAdapter b) {
        List<LocalRoom> out = new ArrayList<>();
        for (LocalRoom r : snapshot()) {
            if (node.brokers.of(r.room) == b) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Broker {@code b} is gone: live messages of its rooms wait from now on, so none overtakes what
     * history still owes.
     */
    void brokerLost(BrokerAdapter b) {
        on(b).forEach(LocalRoom::beginRecovery);
    }

    /** Broker {@code b} is back: each of its rooms reads what it missed. Returns how many rooms recover. */
    int brokerRestored(BrokerAdapter b) {
        List<LocalRoom> current = on(b);
        for (LocalRoom r : current) {
            recover(r, r.beginRecovery(), 0);
        }
        return current.size();
    }

    /** Every room forgets the recent messages it kept for resumes (after an erasure). */
    void forgetRecent() {
        snapshot().forEach(LocalRoom::forgetRecent);
    }

    /** Closes every room's subscription. */
    void closeAll() {
        synchronized (lock) {
            for (LocalRoom r : rooms.values()) {
                r.subscription.thenAccept(Subscription::close);
            }
            rooms.clear();
        }
    }

    /** Confirms a room's live messages against history (see {@link LocalRoom}): the same read as a recovery. */
    void confirm(LocalRoom r, long gen) {
        recover(r, gen, 0);
    }

    private record Read(long after, HistorySlice slice) {
    }

    private void recover(LocalRoom r, long gen, int failures) {
        long after = r.readIssued(gen);
        if (after < 0) {
            return; // a newer recovery took over, or there is nothing to read
        }
        String knownEpoch = r.epoch();
        BrokerAdapter broker = node.brokers.of(r.room);
        var history = broker.history();
        history.readAfter(r.room, after, LocalRoom.PAGE).thenCompose(slice ->
                knownEpoch == null || slice.epoch().equals(knownEpoch)
                        ? CompletableFuture.completedFuture(new Read(after, slice))
                        : history.readAfter(r.room, 0, LocalRoom.PAGE).thenApply(all -> new Read(0, all))
        ).whenComplete((read, err) -> {
            if (err != null) {
                // Live messages keep waiting: delivering them now would skip what history still owes us.
                if (broker.isConnected() && isLocal(r)) {
                    long delay = Math.min(5_000, 250L << Math.min(failures, 5));
                    log.info("node {}: reading history of room '{}' failed ({}); retrying in {} ms", node.nodeId, r.room,
                            err.toString(), delay);
                    node.scheduler.schedule(() -> recover(r, gen, failures + 1), delay, TimeUnit.MILLISECONDS);
                } // else: the next RESTORED starts over, or the room is gone from this node
            } else {
                if (!read.slice().complete()) {
                    log.warn("node {}: history of room '{}' no longer holds everything after offset {}; "
                            + "members here miss some messages", node.nodeId, r.room, read.after());
                }
                r.endRecovery(gen, read.after(), read.slice(), this);
            }
        });
    }

    private void onRoomMessage(LocalRoom room, BrokerMessage m) {
        if (m.hasOffset()) {
            room.deliver(m, this);
            return;
        }
        // Presence events travel on the room topic without history.
        BrokerCodec.Decoded d = guard.decodeOrDrop(m);
        if (d instanceof BrokerCodec.PresenceEvent p && p.room().equals(room.room)) {
            presence.onRemote(p);
        } else if (d instanceof BrokerCodec.PresenceDiff diff && diff.room().equals(room.room)) {
            presence.onRemote(diff);
        } else if (d != null) {
            guard.dropBrokerMessage(m, "unexpected message without offset on a room topic");
        }
    }

    /** Sends a room message, in offset order, to every local member and the application's room listeners. */
    void fanOut(String room, Envelope e, long offset, String epoch, byte[] frame) {
        int recipients = 0;
        for (Session s : node.registry.members(room)) {
            WsSession ws = node.local(s);
            RoomCursor cursor = ws == null ? null : ws.cursors.get(room);
            if (cursor != null) {
                cursor.offer(ws, offset, epoch, frame);
                recipients++;
            }
        }
        node.observeDelivery("message", e, recipients);
        listeners.delivered(e, offset, epoch);
    }

    /** Sends a presence frame to the room's local members that are past their join. */
    void sendPresence(String room, byte[] frame) {
        for (Session s : node.registry.members(room)) {
            WsSession ws = node.local(s);
            RoomCursor c = ws == null ? null : ws.cursors.get(room);
            if (c != null && !c.isJoining()) {
                ws.send(frame);
            }
        }
    }
}
