package io.geows.internal;

import io.geows.CloseCodes;
import io.geows.ErasureReport;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerMessage;
import io.geows.spi.NodeInfo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The right to be forgotten, across zones: {@link #erase} removes a user's messages from the
 * history of the global broker here and from each residency zone's broker through one node of that
 * zone (a node outside a zone has no connection to its broker), chosen from the node directory.
 * The order goes to every node on the broadcast topic, signed: each one forgets its rooms' recent
 * messages (so no resume is answered from memory with an erased message), and the chosen erasers
 * answer the order's node with what they removed. Every eraser goes over its broker twice, the
 * second time after {@link #SETTLE}, so that a message of the user still on its way into history
 * when the order came is not left behind.
 */
final class Erasures {
    private static final Logger log = LoggerFactory.getLogger(Erasures.class);
    /** How long after a first pass the second one runs: longer than a publish takes to be stored. */
    static final Duration SETTLE = Duration.ofSeconds(1);
    /** How long the order's node waits for the zones' answers. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    private final NodeContext node;
    private final BrokerGuard guard;
    private final RoomTable rooms;
    private final Disconnects disconnects;
    private final Map<String, Collector> waiting = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    Erasures(NodeContext node, BrokerGuard guard, RoomTable rooms, Disconnects disconnects) {
        this.node = node;
        this.guard = guard;
        this.rooms = rooms;
        this.disconnects = disconnects;
    }

    /** The answers an order still waits for, by zone. */
    private static final class Collector {
        final CompletableFuture<ErasureReport> done = new CompletableFuture<>();
        final Map<String, Long> removed = new LinkedHashMap<>();
        final Map<String, String> failures = new LinkedHashMap<>();
        final Set<String> open = ConcurrentHashMap.newKeySet();

        synchronized void answer(String zone, long count, String error) {
            if (!open.remove(zone)) {
                return;
            }
            if (error != null) {
                failures.put(zone, error);
            } else {
                removed.put(zone, count);
            }
            if (open.isEmpty()) {
                done.complete(new ErasureReport(removed, failures));
            }
        }

        synchronized void expire() {
            open.forEach(zone -> failures.put(zone, "no answer from the zone's node within " + ANSWER_TIMEOUT.toSeconds() + " s"));
            open.clear();
            done.complete(new ErasureReport(removed, failures));
        }
    }

    /** Erases the user's messages everywhere and closes the user's sessions (their presence goes with them). */
    CompletableFuture<ErasureReport> erase(String user) {
        return node.broker.presence().nodes().thenCompose(live -> {
            String id = UUID.randomUUID().toString();
            Map<String, String> erasers = new LinkedHashMap<>();
            Collector c = new Collector();
            c.open.add(ErasureReport.GLOBAL);
            for (var zone : node.brokers.rules().zones().entrySet()) {
                c.open.add(zone.getKey());
                String eraser = node.brokers.zones().containsKey(zone.getKey()) ? node.nodeId
                        : pick(live, zone.getValue());
                if (eraser == null) {
                    c.answer(zone.getKey(), 0, "no live node in the zone's regions " + zone.getValue());
                } else {
                    erasers.put(zone.getKey(), eraser);
                }
            }
            waiting.put(id, c);
            seen.add(id);
            BrokerCodec.Erase order = new BrokerCodec.Erase(id, user, erasers, node.region, node.nodeId,
                    System.currentTimeMillis());
            rooms.forgetRecent();
            disconnects.send(user, null, CloseCodes.FOR_GOOD, "erased");
            return node.broker.publish(node.topics.all(), node.seal.seal(BrokerCodec.encodeErase(order))).thenCompose(v -> {
                twice(node.broker, user).whenComplete((n, err) -> c.answer(ErasureReport.GLOBAL, n == null ? 0 : n,
                        err == null ? null : Replies.unwrap(err).getMessage()));
                carryOut(order, c);
                node.scheduler.schedule(c::expire, ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return c.done;
            }).whenComplete((r, err) -> waiting.remove(id));
        });
    }

    /** The least loaded live node in one of the regions, or {@code null}. */
    private static String pick(List<NodeInfo> live, Set<String> regions) {
        NodeInfo best = null;
        for (NodeInfo n : live) {
            if (regions.contains(n.region()) && (best == null || n.connections() < best.connections())) {
                best = n;
            }
        }
        return best == null ? null : best.nodeId();
    }

    /** Two passes over a broker, {@link #SETTLE} apart; completes with the sum. */
    private CompletableFuture<Long> twice(BrokerAdapter b, String user) {
        return b.history().eraseSender(user).thenCompose(first -> {
            CompletableFuture<Long> second = new CompletableFuture<>();
            node.scheduler.schedule(() -> b.history().eraseSender(user).whenComplete((n, err) -> {
                if (err != null) {
                    second.completeExceptionally(err);
                } else {
                    second.complete(first + n);
                }
            }), SETTLE.toMillis(), TimeUnit.MILLISECONDS);
            return second;
        });
    }

    /** Erases in the zones this node was named for; answers the order's node (itself: directly). */
    private void carryOut(BrokerCodec.Erase order, Collector local) {
        order.erasers().forEach((zone, eraser) -> {
            if (!eraser.equals(node.nodeId)) {
                return;
            }
            BrokerAdapter b = node.brokers.zones().get(zone);
            if (b == null) {
                answer(order, zone, 0, "node " + node.nodeId + " holds no broker of zone '" + zone + "'", local);
                return;
            }
            twice(b, order.user()).whenComplete((n, err) -> answer(order, zone, n == null ? 0 : n,
                    err == null ? null : String.valueOf(Replies.unwrap(err).getMessage()), local));
            log.info("node {}: erasing the messages of user {} in zone {} (order {} of node {})", node.nodeId,
                    order.user(), zone, order.id(), order.node());
        });
    }

    private void answer(BrokerCodec.Erase order, String zone, long removed, String error, Collector local) {
        if (local != null) {
            local.answer(zone, removed, error);
            return;
        }
        BrokerCodec.Erased reply = new BrokerCodec.Erased(order.id(), zone, (int) Math.min(Integer.MAX_VALUE, removed),
                error, node.region, node.nodeId, System.currentTimeMillis());
        node.broker.publish(node.topics.node(order.node()), node.seal.seal(BrokerCodec.encodeErased(reply)))
                .exceptionally(e -> {
                    log.warn("node {}: could not answer erase order {} of node {}: {}", node.nodeId, order.id(),
                            order.node(), e.toString());
                    return null;
                });
    }

    /** An order from another node (on the broadcast topic). */
    void received(BrokerCodec.Erase order, BrokerMessage m) {
        long age = System.currentTimeMillis() - order.ts();
        if (age > Disconnects.MAX_AGE_MILLIS || age < -Disconnects.MAX_AGE_MILLIS) {
            guard.dropReplayed(m, "erase order " + order.id() + " is " + age + " ms old");
            return;
        }
        if (!seen.add(order.id())) {
            if (!order.node().equals(node.nodeId)) {
                guard.dropReplayed(m, "erase order " + order.id() + " was carried out already");
            }
            return;
        }
        rooms.forgetRecent();
        carryOut(order, null);
    }

    /** An eraser's answer (on this node's inbox). */
    void answered(BrokerCodec.Erased reply, BrokerMessage m) {
        Collector c = waiting.get(reply.id());
        if (c == null) {
            guard.dropBrokerMessage(m, "an answer to no erase order of this node");
            return;
        }
        c.answer(reply.zone(), reply.removed(), reply.error());
    }
}
