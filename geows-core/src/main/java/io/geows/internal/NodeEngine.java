package io.geows.internal;

import io.geows.Authenticator;
import io.geows.CloseCodes;
import io.geows.ConnectionListener;
import io.geows.NodeLimits;
import io.geows.NodeObserver;
import io.geows.NodeStats;
import io.geows.PresencePolicy;
import io.geows.PublishInterceptor;
import io.geows.RpcHandler;
import io.geows.RoomAuthorizer;
import io.geows.Topics;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerEvent;
import io.geows.spi.NodeInfo;
import io.geows.spi.Router;
import io.geows.spi.SessionRegistry;
import io.geows.spi.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's machinery between the transport and the broker, wired from its parts: {@link FrameHandler}
 * (a session's frames), {@link Hellos} (identity), {@link Joins} (membership and replay),
 * {@link RoomTable} (rooms, live delivery, recovery), {@link Requests} and {@link Publisher} (what
 * sessions and the application send), {@link PresenceKeeper}, and {@link ServerOps} (the application's
 * operations). This class holds the node's lifecycle: start, heartbeats, broker events, drain.
 *
 * <p>Never blocks a transport or broker thread: broker calls are asynchronous and their
 * continuations only queue frames.
 */
public final class NodeEngine {
    private static final Logger log = LoggerFactory.getLogger(NodeEngine.class);

    /** Everything the engine is built from; {@code GeoWsNode}'s builder fills it. */
    public record Parts(String region, String nodeId, String publicUrl, Topics topics, Brokers brokers,
                        SessionRegistry registry, Router router, Authenticator authenticator,
                        RoomAuthorizer authorizer, BrokerSeal seal, NodeLimits limits, PresencePolicy presencePolicy,
                        Duration presenceTtl, ScheduledExecutorService scheduler, NodeObserver observer,
                        List<ConnectionListener> connectionListeners, PublishInterceptor interceptor,
                        Map<String, RpcHandler> rpcMethods, Executor hooks, Duration hookTimeout) {
    }

    private final NodeContext node;
    private final Duration presenceTtl;
    private final AtomicLong sessionIds = new AtomicLong();
    private final PresenceKeeper presence;
    private final RoomTable rooms;
    private final Publisher publisher;
    private final FrameHandler frames;
    private final ServerOps ops;
    private final List<Subscription> fixedSubscriptions = new ArrayList<>();
    private int heartbeatsSincePrune;
    private volatile boolean draining;
    private volatile ScheduledFuture<?> heartbeats;
    private final java.util.Set<BrokerAdapter> lostLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public NodeEngine(Parts p) {
        this.node = new NodeContext(p.region(), p.nodeId(), p.publicUrl(), p.topics(), p.brokers(), p.registry(),
                p.router(), p.seal(), p.limits(), p.scheduler(), p.observer());
        this.presenceTtl = p.presenceTtl();
        BrokerGuard guard = new BrokerGuard(node);
        this.presence = new PresenceKeeper(p.region(), p.nodeId(), p.topics(), p.brokers(), p.seal(), p.presencePolicy(),
                p.scheduler(), (room, frame) -> rooms().sendPresence(room, frame));
        RoomListeners roomListeners = new RoomListeners(p.hooks());
        this.rooms = new RoomTable(node, guard, presence, roomListeners);
        Replies replies = new Replies(node, p.authorizer());
        Joins joins = new Joins(node, rooms, presence, replies);
        Connections connections = new Connections(node, p.connectionListeners(), p.hooks(), p.hookTimeout());
        Disconnects disconnects = new Disconnects(node, guard);
        this.publisher = new Publisher(node, guard, disconnects);
        this.frames = new FrameHandler(node, new Hellos(node, p.authenticator(), joins, presence, replies, connections),
                joins, new Requests(node, publisher, replies, new Hooks(p.interceptor(), p.rpcMethods(), p.hooks(),
                        p.hookTimeout())), replies, connections);
        this.publisher.erasures = new Erasures(node, guard, rooms, disconnects);
        this.ops = new ServerOps(node, publisher, guard, disconnects, rooms, roomListeners);
    }

    private RoomTable rooms() {
        return rooms;
    }

    Counters counters() {
        return node.counters;
    }

    NodeLimits limits() {
        return node.limits;
    }

    /** The application's operations on the cluster. */
    public ServerOps ops() {
        return ops;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Subscribes the node's inbox and the broadcast topic, and starts heartbeating. */
    public CompletableFuture<Void> start() {
        for (BrokerAdapter b : node.brokers.all()) {
            b.addListener(event -> onBrokerEvent(b, event));
        }
        CompletableFuture<Subscription> inbox = node.broker.subscribe(node.topics.node(node.nodeId), publisher::onInbox);
        CompletableFuture<Subscription> all = node.broker.subscribe(node.topics.all(), publisher::onBroadcast);
        // Direct messages to users pinned to a zone come through the zone's broker.
        List<CompletableFuture<Subscription>> zoneInboxes = new ArrayList<>();
        node.brokers.zones().values().forEach(b -> zoneInboxes.add(b.subscribe(node.topics.node(node.nodeId), publisher::onInbox)));
        long period = Math.max(50, presenceTtl.toMillis() / 3);
        heartbeats = node.scheduler.scheduleAtFixedRate(this::heartbeat, 0, period, TimeUnit.MILLISECONDS);
        List<CompletableFuture<Subscription>> every = new ArrayList<>(zoneInboxes);
        every.add(inbox);
        every.add(all);
        return CompletableFuture.allOf(every.toArray(CompletableFuture[]::new)).thenRun(() -> {
            synchronized (fixedSubscriptions) {
                every.forEach(f -> fixedSubscriptions.add(f.join()));
            }
        });
    }

    /** Not draining, and every broker (the global one and each zone's) connected. */
    public boolean isReady() {
        return !draining && node.brokers.allConnected();
    }

    /** The brokers that are not connected now, by name (with their zone); empty when all are. */
    public List<String> brokersDown() {
        List<String> down = new ArrayList<>();
        for (BrokerAdapter b : node.brokers.all()) {
            if (!b.isConnected()) {
                down.add(node.brokers.describe(b));
            }
        }
        return down;
    }

    /** Stops taking new work and tells every session where to go. */
    public void beginDrain(Duration lookupTimeout) {
        draining = true;
        stopHeartbeats(); // a draining node should not be offered to anyone as a place to go
        NodeInfo target = null;
        try {
            List<NodeInfo> nodes = node.broker.presence().nodes().get(lookupTimeout.toMillis(), TimeUnit.MILLISECONDS);
            target = pickOtherRegion(nodes);
        } catch (Exception e) {
            log.debug("node directory unavailable while draining; goaway names no region", e);
        }
        node.sendToAll(node.registry.all(), ServerFrames.goaway(target == null ? null : target.region(),
                target == null ? null : target.publicUrl(), "node " + node.nodeId + " is draining"));
    }

    private NodeInfo pickOtherRegion(List<NodeInfo> nodes) {
        NodeInfo best = null;
        for (NodeInfo n : nodes) {
            if (n.nodeId().equals(node.nodeId)) {
                continue;
            }
            // Prefer another region (this one may be going down as a whole), then one with a URL, then the least loaded.
            if (best == null || score(n) > score(best)
                    || (score(n) == score(best) && n.connections() < best.connections())) {
                best = n;
            }
        }
        return best;
    }

    private int score(NodeInfo n) {
        return (n.region().equals(node.region) ? 0 : 2) + (n.publicUrl() == null ? 0 : 1);
    }

    /** Leaves the node directory and closes the node's own subscriptions. */
    public void shutdown(Duration timeout) {
        stopHeartbeats();
        for (BrokerAdapter b : node.brokers.all()) {
            try {
                b.presence().removeNode(node.nodeId).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.debug("could not remove node {} from presence on {}; it expires after one TTL", node.nodeId,
                        node.brokers.describe(b), e);
            }
        }
        synchronized (fixedSubscriptions) {
            fixedSubscriptions.forEach(Subscription::close);
            fixedSubscriptions.clear();
        }
        rooms.closeAll();
    }

    public NodeStats stats() {
        Counters c = node.counters;
        return new NodeStats(node.registry.sessionCount(), node.registry.roomCount(), c.framesIn.sum(),
                c.framesOut.sum(), c.badFrames.sum(), c.publishRejected.sum(), c.slowConsumers.sum(),
                c.brokerDropped.sum(), c.brokerReconnects.sum(), c.recoveredResumes.sum(), c.unrecoverableResumes.sum(),
                c.brokerForged.sum(), c.rateLimited.sum(), c.connectionsRefused.sum(), c.accessDenied.sum(),
                c.tokensExpired.sum(), c.limitDisconnects.sum(), c.brokerReplayed.sum(), c.resumesFromMemory.sum());
    }

    private void stopHeartbeats() {
        ScheduledFuture<?> h = heartbeats;
        if (h != null) {
            h.cancel(false);
        }
    }

    private void heartbeat() {
        if (draining) {
            return;
        }
        NodeInfo info = new NodeInfo(node.nodeId, node.region, node.publicUrl, node.registry.sessionCount(),
                System.currentTimeMillis());
        // Every broker the node writes presence to keeps it alive: a zone's room members live as long
        // as the node's heartbeat on the zone's broker.
        for (BrokerAdapter b : node.brokers.all()) {
            if (b.isConnected()) {
                b.presence().heartbeat(info, presenceTtl).exceptionally(e -> {
                    log.debug("heartbeat of {} on {} failed", node.nodeId, node.brokers.describe(b), e);
                    return null;
                });
            }
        }
        if (!node.broker.isConnected()) {
            return;
        }
        // Once per time-to-live (every third beat): room counts of nodes that died leave the sums.
        if (++heartbeatsSincePrune >= 3 && presence.counting()) {
            heartbeatsSincePrune = 0;
            node.broker.presence().nodes().thenAccept(presence::prune).exceptionally(e -> {
                log.debug("node list for presence counts failed on {}", node.nodeId, e);
                return null;
            });
        }
    }

    private void onBrokerEvent(BrokerAdapter b, BrokerEvent event) {
        if (event == BrokerEvent.LOST) {
            if (lostLogged.add(b)) {
                log.warn("node {} lost its broker {}; {} refused until it is back", node.nodeId, node.brokers.describe(b),
                        b == node.broker ? "publishes to its rooms and direct messages are" : "its zone's rooms are");
            }
            rooms.brokerLost(b);
            return;
        }
        lostLogged.remove(b);
        node.counters.brokerReconnects.increment();
        int recovering = rooms.brokerRestored(b);
        log.info("node {}: broker {} restored; recovering {} room(s) from history", node.nodeId, node.brokers.describe(b),
                recovering);
        presence.reassert(b, this::heartbeat);
    }

    // ---------------------------------------------------------------- transport callbacks

    WsSession newSession(Connection conn) {
        NodeLimits limits = node.limits;
        return new WsSession(conn, node.nodeId + "-" + sessionIds.incrementAndGet(), limits.maxQueuedFrames(),
                limits.maxQueuedBytes(), node.counters, node.scheduler,
                limits.messagesPerSecond() == 0 ? null : new RateLimiter(limits.messagesPerSecond(), limits.messageBurst()));
    }

    void onOpen(WsSession s) {
        if (draining) {
            s.close(CloseCodes.GOING_AWAY, "node is draining");
            return;
        }
        frames.opened(s);
    }

    void onBinary(WsSession s) {
        frames.binary(s);
    }

    void onText(WsSession s, String text) {
        frames.text(s, text);
    }

    void onClose(WsSession s) {
        frames.closed(s);
    }
}
