package io.geows.testkit;

import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerEventListener;
import io.geows.spi.BrokerListener;
import io.geows.spi.History;
import io.geows.spi.Presence;
import io.geows.spi.Subscription;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link BrokerAdapter} that passes every call to another one: extend it and override what a test
 * needs to see, delay or alter (a held history read, an injected message), the rest stays real.
 *
 * @since 0.1.0
 */
public class ForwardingBroker implements BrokerAdapter {
    /** The adapter every call goes to. */
    protected final BrokerAdapter inner;

    public ForwardingBroker(BrokerAdapter inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        return inner.publish(topic, payload);
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String topic, BrokerListener listener) {
        return inner.subscribe(topic, listener);
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
    public java.util.Map<String, String> placement() {
        return inner.placement();
    }

    @Override
    public void close() {
        inner.close();
    }
}
