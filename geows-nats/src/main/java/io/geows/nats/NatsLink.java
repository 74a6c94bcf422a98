package io.geows.nats;

import io.geows.BrokerUnavailableException;
import io.geows.nats.internal.JsApi;
import io.geows.spi.BrokerEvent;
import io.geows.spi.BrokerEventListeners;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of a {@link NatsBroker}'s connection as the node sees it. A disconnect is
 * {@link BrokerEvent#LOST} at once; after jnats reconnected, the link waits until JetStream answers
 * and a canary sent to itself comes back through the dispatcher that carries every subscription (so
 * the server has them all again), and only then reports {@link BrokerEvent#RESTORED}, on that
 * dispatcher's thread. The same control subject gives round trips that confirm a new subscription.
 */
final class NatsLink {
    private static final Logger log = LoggerFactory.getLogger(NatsBroker.class);
    private static final long CANARY_TIMEOUT_MILLIS = 2_000;

    /** What the adapter reports. */
    enum State { UP, DOWN, VERIFYING, CLOSED }

    private final Connection connection;
    private final String address;
    private final Duration requestTimeout;
    private final ScheduledExecutorService executor;
    private final BrokerEventListeners listeners;
    private final Function<Duration, CompletableFuture<?>> jetStreamReady;
    private final String controlSubject = "_GEOWS.ctl." + UUID.randomUUID().toString().replace("-", "");
    private final Map<Long, CompletableFuture<Void>> roundTrips = new ConcurrentHashMap<>();
    private final AtomicLong roundTripIds = new AtomicLong();
    private final Object lock = new Object();
    private volatile State state = State.DOWN;
    private long generation;

    /**
     * @param jetStreamReady completes once JetStream answers (within the given timeout) and what the
     *                       adapter keeps there is in place
     */
    NatsLink(Connection connection, String address, Duration requestTimeout, ScheduledExecutorService executor,
             BrokerEventListeners listeners, Function<Duration, CompletableFuture<?>> jetStreamReady) {
        this.connection = connection;
        this.address = address;
        this.requestTimeout = requestTimeout;
        this.executor = executor;
        this.listeners = listeners;
        this.jetStreamReady = jetStreamReady;
    }

    /** The subject of the control messages; subscribe {@link #onControl} to it on the dispatcher. */
    String controlSubject() {
        return controlSubject;
    }

    State state() {
        return state;
    }

    /** Whether the link is up (and verified after a reconnect) and jnats connected. */
    boolean isUp() {
        return state == State.UP && connection.getStatus() == Connection.Status.CONNECTED;
    }

    /** The start-up checks passed: up, unless the connection dropped meanwhile. */
    void started() {
        synchronized (lock) {
            if (state == State.DOWN && connection.getStatus() == Connection.Status.CONNECTED) {
                state = State.UP;
            }
        }
    }

    /** Closes the link; {@code false} when it was closed already. Pending round trips fail. */
    boolean close() {
        synchronized (lock) {
            if (state == State.CLOSED) {
                return false;
            }
            state = State.CLOSED;
        }
        roundTrips.values().forEach(f -> f.completeExceptionally(unavailable()));
        return true;
    }

    /** Why an operation cannot be done now. */
    BrokerUnavailableException unavailable() {
        return state == State.CLOSED
                ? new BrokerUnavailableException("NATS broker " + address + " is closed")
                : BrokerUnavailableException.disconnected("nats:" + address);
    }

    void onConnectionEvent(ConnectionListener.Events type) {
        if (state == State.CLOSED) {
            return; // our own close(), or a failed start
        }
        switch (type) {
            case DISCONNECTED -> down();
            case RECONNECTED -> verify();
            case CLOSED -> {
                down();
                log.warn("the NATS connection to {} was closed; no more reconnect attempts", address);
            }
            case LAME_DUCK -> log.info("NATS server {} entered lame duck mode; jnats moves to another server", address);
            default -> { }
        }
    }

    private void down() {
        synchronized (lock) {
            generation++;
            if (state == State.UP) {
                state = State.DOWN;
                log.warn("lost the connection to NATS at {}; operations fail until it is back", address);
                listeners.emit(BrokerEvent.LOST);
            } else if (state == State.VERIFYING) {
                state = State.DOWN;
            }
        }
    }

    private void verify() {
        long g;
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.VERIFYING;
            g = ++generation;
        }
        log.info("reconnected to NATS at {}; checking JetStream and subscriptions before reporting it restored", address);
        attemptVerify(g, 0);
    }

    private boolean verifying(long g) {
        synchronized (lock) {
            return state == State.VERIFYING && generation == g;
        }
    }

    private void attemptVerify(long g, int attempt) {
        if (!verifying(g)) {
            return;
        }
        // JetStream recovers its streams after the client port opens: wait for it, or the node's
        // recovery read would fail.
        jetStreamReady.apply(probeTimeout()).whenComplete((v, err) -> {
            if (!verifying(g)) {
                return;
            }
            if (err != null) {
                long delay = Math.min(500, 50L << Math.min(attempt, 4));
                log.debug("NATS at {} is back but JetStream is not ready ({}); checking again in {} ms", address,
                        JsApi.unwrap(err).toString(), delay);
                schedule(() -> attemptVerify(g, attempt + 1), delay);
                return;
            }
            try {
                connection.publish(controlSubject, ("c" + g).getBytes(StandardCharsets.US_ASCII));
            } catch (RuntimeException e) {
                log.debug("canary publish failed", e);
            }
            // If the canary is lost (the connection dropped again, or it raced the resubscription), try again.
            schedule(() -> attemptVerify(g, attempt + 1), CANARY_TIMEOUT_MILLIS);
        });
    }

    private Duration probeTimeout() {
        Duration half = Duration.ofMillis(500);
        return requestTimeout.compareTo(half) < 0 ? requestTimeout : half;
    }

    private void schedule(Runnable r, long millis) {
        try {
            executor.schedule(r, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Control messages to ourselves, on the dispatcher thread that delivers every subscription. */
    void onControl(Message m) {
        String token = new String(m.getData(), StandardCharsets.US_ASCII);
        if (token.startsWith("c")) {
            long g = Long.parseLong(token.substring(1));
            synchronized (lock) {
                if (state == State.VERIFYING && generation == g) {
                    state = State.UP;
                    log.info("NATS at {} restored: JetStream answers and every subscription is live again", address);
                    // On the dispatcher thread: the node hears RESTORED before any message received after it.
                    listeners.emit(BrokerEvent.RESTORED);
                }
            }
        } else if (token.startsWith("r")) {
            CompletableFuture<Void> f = roundTrips.remove(Long.parseLong(token.substring(1)));
            if (f != null) {
                try {
                    executor.execute(() -> f.complete(null));
                } catch (RejectedExecutionException e) {
                    f.complete(null);
                }
            }
        }
    }

    /** Completes once the server processed everything this connection sent before (subscriptions included). */
    CompletableFuture<Void> roundTrip() {
        long id = roundTripIds.incrementAndGet();
        CompletableFuture<Void> f = new CompletableFuture<>();
        roundTrips.put(id, f);
        try {
            connection.publish(controlSubject, ("r" + id).getBytes(StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            roundTrips.remove(id);
            return CompletableFuture.failedFuture(unavailable());
        }
        schedule(() -> {
            CompletableFuture<Void> late = roundTrips.remove(id);
            if (late != null) {
                late.completeExceptionally(new BrokerUnavailableException("NATS at " + address
                        + " did not confirm a subscription within " + requestTimeout.toMillis() + " ms; retry"));
            }
        }, requestTimeout.toMillis());
        return f;
    }
}
