package io.geows.testkit;

import io.geows.spi.Appended;
import io.geows.spi.History;
import io.geows.spi.HistorySlice;
import io.geows.spi.Position;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link History} that passes every call to another one: extend it (usually from a
 * {@link ForwardingBroker#history()} override) and override the call a test needs to count, hold or
 * alter.
 *
 * @since 0.1.0
 */
public class ForwardingHistory implements History {
    /** The history every call goes to. */
    protected final History inner;

    public ForwardingHistory(History inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    @Override
    public CompletableFuture<Appended> append(String room, String messageKey, String topic, byte[] payload) {
        return inner.append(room, messageKey, topic, payload);
    }

    @Override
    public CompletableFuture<HistorySlice> readAfter(String room, long afterOffset, int limit) {
        return inner.readAfter(room, afterOffset, limit);
    }

    @Override
    public CompletableFuture<Position> position(String room) {
        return inner.position(room);
    }
}
