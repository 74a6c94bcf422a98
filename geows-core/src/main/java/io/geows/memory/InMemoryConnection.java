package io.geows.memory;

import io.geows.BrokerUnavailableException;
import io.geows.spi.Appended;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerEvent;
import io.geows.spi.BrokerEventListener;
import io.geows.spi.BrokerEventListeners;
import io.geows.spi.BrokerListener;
import io.geows.spi.BrokerMessage;
import io.geows.spi.History;
import io.geows.spi.HistorySlice;
import io.geows.spi.Position;
import io.geows.spi.Presence;
import io.geows.spi.Subscription;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's connection to an {@link InMemoryBroker}. Everything it delivers — messages, events and
 * the results of its operations — arrives on its own single thread, in order.
 *
 * @since 0.1.0
 */
public final class InMemoryConnection implements BrokerAdapter {
    private static final java.util.Map<String, String> PLACEMENT = java.util.Map.of("history", "in-process");
    private static final Logger log = LoggerFactory.getLogger(InMemoryConnection.class);
    private volatile io.geows.Retention retention = io.geows.Retention.none();

    private final InMemoryBroker broker;
    private final String name;
    private final ExecutorService thread;
    private final BrokerEventListeners events = new BrokerEventListeners();
    private final History history = new MemoryHistory();
    private final Presence presence;
    private volatile boolean cut;
    private volatile boolean brokerDown;
    private volatile boolean closed;

    InMemoryConnection(InMemoryBroker broker, String name) {
        this.broker = broker;
        this.name = name;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "geows-memory-" + name);
            t.setDaemon(true);
            return t;
        });
        this.brokerDown = broker.isFailed();
        this.presence = new InMemoryPresence.View(broker.presence, this);
    }

    /** The connection's name. */
    public String name() {
        return "memory";
    }

    /** {@code {"history": "in-process"}}: everything lives in this process. */
    @Override
    public java.util.Map<String, String> placement() {
        return PLACEMENT;
    }

    void checkReachableForPresence() {
        broker.checkReachable(this);
    }

    @Override
    public boolean isConnected() {
        return !cut && !brokerDown && !closed;
    }

    /** Cuts this connection only (a network partition of one node): it reports {@link BrokerEvent#LOST}. */
    void cut() {
        broker.atomically(() -> {
            boolean wasConnected = isConnected();
            cut = true;
            if (wasConnected) {
                emit(BrokerEvent.LOST);
            }
        });
    }

    /** Ends a {@link #cut()}: reports {@link BrokerEvent#RESTORED} unless the whole broker is down. */
    void restore() {
        broker.atomically(() -> {
            boolean wasConnected = isConnected();
            cut = false;
            if (!wasConnected && isConnected()) {
                emit(BrokerEvent.RESTORED);
            }
        });
    }

    /** Called under the broker's lock. */
    void brokerFailed() {
        boolean wasConnected = isConnected();
        brokerDown = true;
        if (wasConnected) {
            emit(BrokerEvent.LOST);
        }
    }

    /** Called under the broker's lock. */
    void brokerRecovered() {
        boolean wasConnected = isConnected();
        brokerDown = false;
        if (!wasConnected && isConnected()) {
            emit(BrokerEvent.RESTORED);
        }
    }

    private void emit(BrokerEvent event) {
        run(() -> events.emit(event));
    }

    void deliver(Sub sub, BrokerMessage m) {
        if (!isConnected()) {
            return; // lost while disconnected, as on a real broker; the node recovers it from history
        }
        run(() -> {
            if (!sub.closed) {
                try {
                    sub.listener.onMessage(m);
                } catch (RuntimeException e) {
                    log.warn("listener of {} failed", sub.topic, e);
                }
            }
        });
    }

    private boolean run(Runnable task) {
        try {
            thread.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false; // closed: nothing more is delivered
        }
    }

    /** Runs an operation against the broker and completes the future on this connection's thread. */
    <T> CompletableFuture<T> call(Supplier<T> op) {
        if (closed) {
            return CompletableFuture.failedFuture(
                    new BrokerUnavailableException("in-memory broker connection " + name + " is closed"));
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        Runnable completion;
        try {
            T result = op.get();
            completion = () -> f.complete(result);
        } catch (RuntimeException e) {
            completion = () -> f.completeExceptionally(e);
        }
        if (!run(completion)) {
            completion.run();
        }
        return f;
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        return call(() -> {
            broker.publish(this, topic, payload);
            return null;
        });
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String topic, BrokerListener listener) {
        Sub sub = new Sub(this, topic, listener);
        return call(() -> {
            broker.addSubscription(sub);
            return sub;
        });
    }

    @Override
    public History history() {
        return history;
    }

    @Override
    public Presence presence() {
        return presence;
    }

    @Override
    public void addListener(BrokerEventListener listener) {
        events.add(listener);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        broker.removeConnection(this);
        thread.shutdown();
    }

    @Override
    public String toString() {
        return "InMemoryConnection[" + name + "]";
    }

    /** The retention rules this connection's appends and reads apply. */
    io.geows.Retention retention() {
        return retention;
    }

    final class MemoryHistory implements History {
        @Override
        public CompletableFuture<Appended> append(String room, String messageKey, String topic, byte[] payload) {
            return call(() -> broker.append(InMemoryConnection.this, room, messageKey, topic, payload));
        }

        @Override
        public CompletableFuture<HistorySlice> readAfter(String room, long afterOffset, int limit) {
            return call(() -> broker.readAfter(InMemoryConnection.this, room, afterOffset, limit));
        }

        @Override
        public CompletableFuture<Long> eraseSender(String user) {
            return call(() -> broker.eraseSender(InMemoryConnection.this, user));
        }

        @Override
        public void retention(io.geows.Retention rules) {
            retention = java.util.Objects.requireNonNull(rules, "rules");
        }

        @Override
        public CompletableFuture<Position> position(String room) {
            return call(() -> broker.position(InMemoryConnection.this, room));
        }
    }

    static final class Sub implements Subscription {
        final InMemoryConnection connection;
        final String topic;
        final BrokerListener listener;
        volatile boolean closed;

        Sub(InMemoryConnection connection, String topic, BrokerListener listener) {
            this.connection = connection;
            this.topic = topic;
            this.listener = listener;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public void close() {
            closed = true;
            connection.broker.removeSubscription(this);
        }
    }
}
