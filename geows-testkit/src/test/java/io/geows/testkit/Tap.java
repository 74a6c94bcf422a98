package io.geows.testkit;

import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerListener;
import io.geows.spi.BrokerMessage;
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
final class Tap extends ForwardingBroker {
    private final Map<String, List<BrokerListener>> listeners = new ConcurrentHashMap<>();

    Tap(BrokerAdapter inner) {
        super(inner);
    }

    /** Delivers {@code m} to this adapter's subscribers of its topic, on the caller's thread. */
    void inject(BrokerMessage m) {
        listeners.getOrDefault(m.topic(), List.of()).forEach(l -> l.onMessage(m));
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
}
