package io.geows.internal;

import io.geows.BrokerUnavailableException;
import io.geows.Envelope;
import io.geows.WrongRegionException;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.Appended;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import io.geows.spi.PresenceMember;
import io.geows.spi.Route;
import io.geows.spi.RouteContext;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Where messages leave the node and where node-addressed ones arrive: one pipeline for a room
 * message whether a client or the application sent it (route, sign, append to history, publish), the
 * same for direct messages and broadcasts, and the delivery of those that come in on the node's
 * inbox and the broadcast topic.
 */
final class Publisher {
    private final NodeContext node;
    private final BrokerGuard guard;
    private final Disconnects disconnects;
    /** Set once the node is wired (erasures need the room table, which needs this). */
    volatile Erasures erasures;

    Publisher(NodeContext node, BrokerGuard guard, Disconnects disconnects) {
        this.node = node;
        this.guard = guard;
        this.disconnects = disconnects;
    }

    /** The router refused a message; {@code getMessage()} is its reason. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Publishes a room message: into the room's history (which assigns its offset; a repeated key
     * is not stored again), then to the router's other topics.
     *
     * @return the append, or fails with {@link Refused} or {@link BrokerUnavailableException}
     */
    CompletableFuture<Appended> toRoom(Envelope e) {
        BrokerAdapter broker;
        try {
            broker = node.brokers.of(e.room()); // residency: a pinned room's every topic is on its zone's broker
        } catch (WrongRegionException wrong) {
            return CompletableFuture.failedFuture(wrong);
        }
        Route route = node.router.route(e, new RouteContext(node.topics, node.nodeId, node.region, List.of(),
                node.brokers.zoneOf(e.room())));
        if (route.isRejected() || route.topics().isEmpty()) {
            return CompletableFuture.failedFuture(new Refused(route.isRejected() ? route.rejection() : "no route"));
        }
        if (!broker.isConnected()) {
            node.counters.publishRejected.increment();
            return CompletableFuture.failedFuture(BrokerUnavailableException.disconnected(broker.name()));
        }
        byte[] payload = node.seal.seal(BrokerCodec.encode(e));
        return broker.history().append(e.room(), BrokerGuard.messageKey(e), route.topics().get(0), payload)
                .whenComplete((a, err) -> {
                    if (err != null) {
                        node.counters.publishRejected.increment();
                        return;
                    }
                    if (a.rejected() > 0) {
                        guard.historyRejected(new HistorySlice(a.epoch(), a.offset(), List.of(), true, a.rejected()), e.room());
                    }
                    if (!a.duplicate()) {
                        for (String extra : route.topics().subList(1, route.topics().size())) {
                            broker.publish(extra, payload);
                        }
                    }
                });
    }

    /**
     * Sends a direct message to every session of its recipient: this node's at once, other nodes'
     * through their inboxes (found in the user directory).
     *
     * @return how many nodes it was handed to (0: the user is connected nowhere), or fails with
     *         {@link Refused} or {@link BrokerUnavailableException}
     */
    CompletableFuture<Integer> toUser(Envelope e) {
        BrokerAdapter broker;
        try {
            broker = node.brokers.ofUser(e.to()); // a pinned user is reached only through their zone's broker
        } catch (WrongRegionException wrong) {
            return CompletableFuture.failedFuture(wrong);
        }
        return broker.presence().locate(e.to()).handle((where, err) -> {
            if (err != null) {
                // Without the directory we can still reach the user's sessions on this node.
                if (deliverDirect(e) > 0) {
                    return CompletableFuture.completedFuture(1);
                }
                return CompletableFuture.<Integer>failedFuture(err);
            }
            return route(e, where, broker);
        }).thenCompose(f -> f);
    }

    private CompletableFuture<Integer> route(Envelope e, List<PresenceMember> where, BrokerAdapter broker) {
        Route route = node.router.route(e, new RouteContext(node.topics, node.nodeId, node.region, where,
                node.brokers.zoneOfUser(e.to())));
        if (route.isRejected()) {
            return CompletableFuture.failedFuture(new Refused(route.rejection()));
        }
        int local = deliverDirect(e) > 0 ? 1 : 0;
        // This node's sessions got it just now: its own inbox would deliver it again.
        String own = node.topics.node(node.nodeId);
        List<String> topics = route.topics().stream().filter(t -> !t.equals(own)).distinct().toList();
        if (topics.isEmpty()) {
            return CompletableFuture.completedFuture(local);
        }
        byte[] payload = node.seal.seal(BrokerCodec.encode(e));
        CompletableFuture<?>[] sends = topics.stream()
                .map(t -> broker.publish(t, payload)).toArray(CompletableFuture[]::new);
        int reached = local + sends.length;
        return CompletableFuture.allOf(sends).handle((x, err) -> {
            if (err != null && local == 0) {
                throw err instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(err);
            }
            return reached;
        });
    }

    /** Sends to every session on every node (this node's at once). */
    CompletableFuture<Void> broadcast(String jsonData) {
        Envelope e = new Envelope(Envelope.Kind.BROADCAST, UUID.randomUUID().toString(), null, null, null, node.region,
                node.nodeId, System.currentTimeMillis(), jsonData);
        deliverBroadcast(e);
        return node.broker.publish(node.topics.all(), node.seal.seal(BrokerCodec.encode(e)));
    }

    private int deliverDirect(Envelope e) {
        var sessions = node.registry.byUser(e.to());
        if (sessions.isEmpty()) {
            return 0;
        }
        int n = node.sendToAll(sessions, ServerFrames.direct(e));
        node.observeDelivery("direct", e, n);
        return n;
    }

    private void deliverBroadcast(Envelope e) {
        int n = node.sendToAll(node.registry.all(), ServerFrames.broadcast(e));
        node.observeDelivery("broadcast", e, n);
    }

    /** A message on this node's inbox topic. */
    void onInbox(BrokerMessage m) {
        BrokerCodec.Decoded d = guard.decodeOrDrop(m);
        if (d instanceof BrokerCodec.Message msg && msg.envelope().kind() == Envelope.Kind.DIRECT) {
            deliverDirect(msg.envelope());
        } else if (d instanceof BrokerCodec.Erased answer && erasures != null) {
            erasures.answered(answer, m);
        } else if (d != null) {
            guard.dropBrokerMessage(m, "not a direct message");
        }
    }

    /** A message on the topic every node hears: a broadcast, or the application's order to disconnect. */
    void onBroadcast(BrokerMessage m) {
        BrokerCodec.Decoded d = guard.decodeOrDrop(m);
        if (d instanceof BrokerCodec.Disconnect order) {
            disconnects.received(order, m);
        } else if (d instanceof BrokerCodec.Erase order && erasures != null) {
            erasures.received(order, m);
        } else if (d instanceof BrokerCodec.Message msg && msg.envelope().kind() == Envelope.Kind.BROADCAST) {
            if (!msg.envelope().node().equals(node.nodeId)) { // delivered locally when sent
                deliverBroadcast(msg.envelope());
            }
        } else if (d != null) {
            guard.dropBrokerMessage(m, "not a broadcast");
        }
    }
}
