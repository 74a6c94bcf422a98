package io.geows.internal;

import io.geows.ConnectionListener;
import io.geows.SessionInfo;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells the application's {@link ConnectionListener}s of sessions that start and end, in order, off the network threads. */
final class Connections {
    private static final Logger log = LoggerFactory.getLogger(Connections.class);

    private final NodeContext node;
    private final List<ConnectionListener> listeners;
    private final Executor events;
    private final long slowNanos;
    private volatile boolean slowLogged;

    Connections(NodeContext node, List<ConnectionListener> listeners, Executor hooks, java.time.Duration slow) {
        this.node = node;
        this.listeners = List.copyOf(listeners);
        this.events = new SerialExecutor(hooks);
        this.slowNanos = slow.toNanos();
    }

    /** The session's hello was accepted. */
    void connected(WsSession s) {
        if (listeners.isEmpty()) {
            return;
        }
        SessionInfo info = node.info(s);
        s.markAnnounced();
        events.execute(() -> each(l -> l.connected(info)));
    }

    /** The session ended; told only for sessions that were announced as connected. */
    void disconnected(WsSession s) {
        if (listeners.isEmpty() || !s.announced()) {
            return;
        }
        SessionInfo info = node.info(s);
        int code = s.closeCode();
        String reason = s.closeReason();
        events.execute(() -> each(l -> l.disconnected(info, code, reason)));
    }


    private void each(java.util.function.Consumer<ConnectionListener> call) {
        for (ConnectionListener l : listeners) {
            long start = System.nanoTime();
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("connection listener {} failed on node {}", l, node.nodeId, e);
            }
            long took = System.nanoTime() - start;
            if (took > slowNanos && !slowLogged) {
                slowLogged = true;
                log.warn("connection listener {} took {} ms (hook timeout {} ms): later events wait for it; hand slow work "
                        + "to an executor of your own (logged once)", l, TimeUnit.NANOSECONDS.toMillis(took),
                        TimeUnit.NANOSECONDS.toMillis(slowNanos));
            }
        }
    }
}
