package io.geows.spi;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link BrokerEventListener}s of an adapter, for adapter authors: {@link BrokerAdapter#addListener}
 * adds to it, and the adapter {@link #emit}s each event to every listener in order, a listener that
 * throws logged and the others still told.
 *
 * <p>Threading: thread-safe; {@link #emit} calls the listeners on the calling thread (an adapter emits
 * from one thread at a time, so events arrive in order).
 *
 * @since 0.1.0
 */
public final class BrokerEventListeners {
    private static final Logger log = LoggerFactory.getLogger(BrokerEventListeners.class);
    private final List<BrokerEventListener> listeners = new CopyOnWriteArrayList<>();

    /** Adds a listener. */
    public void add(BrokerEventListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Tells every listener, in the order they were added. */
    public void emit(BrokerEvent event) {
        for (BrokerEventListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("broker event listener failed on {}", event, e);
            }
        }
    }
}
