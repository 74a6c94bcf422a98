package io.geows.internal;

import io.geows.Envelope;
import io.geows.NodeLimits;
import io.geows.NodeObserver;
import io.geows.Topics;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.Router;
import io.geows.spi.Session;
import io.geows.spi.SessionRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the parts of a node share: who it is, its broker and registry, its limits, counters and
 * scheduler, and the node's own sessions by id.
 *
 * <p>The {@link SessionRegistry} is an SPI: a custom one may hand back other {@link Session} objects
 * than the ones it was given (wrappers, snapshots). The node therefore never casts what the registry
 * returns; {@link #local(Session)} finds the node's own session by its id.
 */
final class NodeContext {
    private static final Logger log = LoggerFactory.getLogger(NodeContext.class);

    final String region;
    final String nodeId;
    final String publicUrl;
    final Topics topics;
    /** The global broker: node directory, user presence, direct messages, broadcasts, global rooms. */
    final BrokerAdapter broker;
    /** Every broker; {@link Brokers#of} gives a room's. */
    final Brokers brokers;
    final SessionRegistry registry;
    final Router router;
    final BrokerSeal seal;
    final NodeLimits limits;
    final ScheduledExecutorService scheduler;
    final NodeObserver observer;
    final Counters counters = new Counters();
    private final ConcurrentHashMap<String, WsSession> open = new ConcurrentHashMap<>();

    NodeContext(String region, String nodeId, String publicUrl, Topics topics, Brokers brokers,
                SessionRegistry registry, Router router, BrokerSeal seal, NodeLimits limits,
                ScheduledExecutorService scheduler, NodeObserver observer) {
        this.region = region;
        this.nodeId = nodeId;
        this.publicUrl = publicUrl;
        this.topics = topics;
        this.broker = brokers.global;
        this.brokers = brokers;
        this.registry = registry;
        this.router = router;
        this.seal = seal;
        this.limits = limits;
        this.scheduler = scheduler;
        this.observer = observer;
    }

    /** Tracks a session of this node's transport from its open until its close. */
    void opened(WsSession s) {
        open.put(s.id(), s);
    }

    void closed(WsSession s) {
        open.remove(s.id(), s);
    }

    /** The node's own session behind one the registry returned; {@code null} when it is closed. */
    WsSession local(Session s) {
        return s instanceof WsSession ws ? ws : open.get(s.id());
    }

    /** The node's own session with this id, or {@code null}. */
    WsSession byId(String sessionId) {
        return open.get(sessionId);
    }

    /** A session as the application's hooks see it. */
    io.geows.SessionInfo info(WsSession s) {
        return new io.geows.SessionInfo(s.id(), s.identity(), region, nodeId, s.remoteAddress());
    }

    /**
     * Runs an observer call; an observer that throws (or was built against another version of a
     * library: a linkage error) is logged, never allowed to break a session or a delivery.
     */
    void observe(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | LinkageError e) {
            if (!observerFailureLogged) {
                observerFailureLogged = true;
                log.warn("node observer failed (further failures at debug)", e);
            } else {
                log.debug("node observer failed", e);
            }
        }
    }

    private volatile boolean observerFailureLogged;

    void observeDelivery(String kind, Envelope e, int recipients) {
        observe(() -> observer.delivered(kind, e.region(), e.timestamp(), recipients));
    }

    /** Sends a frame to every session of the registry's collection; returns how many took it. */
    int sendToAll(Iterable<Session> sessions, byte[] frame) {
        int n = 0;
        for (Session s : sessions) {
            WsSession ws = local(s);
            if (ws != null && ws.send(frame)) {
                n++;
            }
        }
        return n;
    }
}
