package io.geows.internal;

import io.geows.CloseCodes;
import io.geows.spi.BrokerMessage;
import io.geows.spi.Session;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's orders to close sessions (after a ban, a password change): carried out here at
 * once and sent to every node on the broadcast topic, signed like every broker message. An order
 * is carried out once per node: a copy replayed on the broker (same id), or one older than
 * {@link #MAX_AGE_MILLIS}, is dropped.
 */
final class Disconnects {
    private static final Logger log = LoggerFactory.getLogger(Disconnects.class);
    /** How old an order may be when it arrives (clock skew and broker delay included): {@value} ms. */
    static final long MAX_AGE_MILLIS = 60_000;
    private static final int REMEMBERED = 4096;

    private final NodeContext node;
    private final BrokerGuard guard;
    private final Map<String, Boolean> seen = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    Disconnects(NodeContext node, BrokerGuard guard) {
        this.node = node;
        this.guard = guard;
    }

    /** Validates an application's close code: {@value CloseCodes#APPLICATION_MIN}-{@value CloseCodes#APPLICATION_MAX}. */
    static int checkCode(int code) {
        if (code < CloseCodes.APPLICATION_MIN || code > CloseCodes.APPLICATION_MAX) {
            throw new IllegalArgumentException("close code " + code + " is not an application code: use "
                    + CloseCodes.APPLICATION_MIN + "-" + CloseCodes.APPLICATION_MAX + " (" + CloseCodes.RECONNECT + ": the "
                    + "client may reconnect; " + CloseCodes.FOR_GOOD + ": it must not)");
        }
        return code;
    }

    /** Closes matching sessions here and orders every other node to do the same. */
    CompletableFuture<Void> send(String user, String session, int code, String reason) {
        checkCode(code);
        String why = reason == null ? "" : reason;
        if (why.length() > 100) {
            throw new IllegalArgumentException("reason must be at most 100 characters (a close frame carries 123 bytes)");
        }
        BrokerCodec.Disconnect d = new BrokerCodec.Disconnect(UUID.randomUUID().toString(), user, session, code, why,
                node.region, node.nodeId, System.currentTimeMillis());
        remember(d.id());
        closeLocal(d);
        if (session != null && node.byId(session) != null) {
            return CompletableFuture.completedFuture(null); // it was here: nobody else holds it
        }
        return node.broker.publish(node.topics.all(), node.seal.seal(BrokerCodec.encodeDisconnect(d)));
    }

    /** An order from another node. */
    void received(BrokerCodec.Disconnect d, BrokerMessage m) {
        long age = System.currentTimeMillis() - d.ts();
        if (age > MAX_AGE_MILLIS || age < -MAX_AGE_MILLIS) {
            guard.dropReplayed(m, "disconnect order " + d.id() + " is " + age + " ms old");
            return;
        }
        if (d.code() < CloseCodes.APPLICATION_MIN || d.code() > CloseCodes.APPLICATION_MAX) {
            guard.dropBrokerMessage(m, "disconnect order with close code " + d.code());
            return;
        }
        if (!remember(d.id())) {
            if (!d.node().equals(node.nodeId)) {
                guard.dropReplayed(m, "disconnect order " + d.id() + " was carried out already");
            }
            return;
        }
        closeLocal(d);
    }

    private boolean remember(String id) {
        synchronized (seen) {
            return seen.put(id, Boolean.TRUE) == null;
        }
    }

    private void closeLocal(BrokerCodec.Disconnect d) {
        List<WsSession> targets = new java.util.ArrayList<>();
        if (d.session() != null) {
            WsSession s = node.byId(d.session());
            if (s != null && (d.user() == null || d.user().equals(s.user()))) {
                targets.add(s);
            }
        } else {
            for (Session s : node.registry.byUser(d.user())) {
                WsSession ws = node.local(s);
                if (ws != null) {
                    targets.add(ws);
                }
            }
        }
        for (WsSession s : targets) {
            log.info("node {}: closing session {} of user {} on the application's order ({} {})", node.nodeId, s.id(),
                    s.user(), d.code(), d.reason());
            s.close(d.code(), d.reason());
        }
    }
}
