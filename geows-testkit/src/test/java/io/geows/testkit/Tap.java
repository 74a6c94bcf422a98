package io.geows.testkit;

import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerEventListener;
import io.geows.spi.BrokerListener;
import io.geows.spi.BrokerMessage;
import io.geows.spi.History;
import io.geows.spi.Presence;
import io.geows.spi.Subscription;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A broker adapter that passes everything to another one and can also hand its subscribers a
 * message the broker never carried: the in-memory broker's stand-in for a stranger publishing on it.
 */
final class Tap implements BrokerAdapter {
    private final BrokerAdapter inner;
    private final Map<String, List<BrokerListener>> listeners = new ConcurrentHashMap<>();

    Tap(BrokerAdapter inner) {
        this.inner = inner;
    }

    /** Delivers {@code m} to this adapter's subscribers of its topic, on the caller's thread. */
    void inject(BrokerMessage m) {
        listeners.getOrDefault(m.topic(), List.of()).forEach(l -> l.onMessage(m));
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        return inner.publish(topic, payload);
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String topic, BrokerListener listener) {
        return inner.subscribe(topic, listener).thenApply(sub -> {
            listeners.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(listener);
            return new Subscription() {
                @Override
                public String topic() {
                    return sub.topic();
                }

                @Override
                public void close() {
                    listeners.getOrDefault(topic, List.of()).remove(listener);
                    sub.close();
                }
            };
        });
    }

    @Override
    public History history() {
        return inner.history();
    }

    @Override
    public Presence presence() {
        return inner.presence();
    }

    @Override
    public boolean isConnected() {
        return inner.isConnected();
    }

    @Override
    public void addListener(BrokerEventListener listener) {
        inner.addListener(listener);
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void close() {
        inner.close();
    }
}
