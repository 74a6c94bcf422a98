package io.geows.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes {@code total} messages to a room on its own thread, keeping at most {@code window}
 * unacknowledged (so it waits on futures, never sleeps). After message {@code faultAfter} it runs
 * {@code fault} right away: the window's publishes are then in flight.
 */
final class Publisher {
    private final GeoWsClient client;
    private final String room;
    private final int total;
    private final int window;
    private final int faultAfter;
    private final Runnable fault;
    private final List<CompletableFuture<PublishAck>> futures = new ArrayList<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile int inFlightAtFault = -1;

    Publisher(GeoWsClient client, String room, int total, int window, int faultAfter, Runnable fault) {
        this.client = client;
        this.room = room;
        this.total = total;
        this.window = window;
        this.faultAfter = faultAfter;
        this.fault = fault;
    }

    Publisher start() {
        Thread t = new Thread(this::run, "publisher-" + client.user());
        t.setDaemon(true);
        t.start();
        return this;
    }

    private void run() {
        try {
            for (int i = 1; i <= total; i++) {
                CompletableFuture<PublishAck> f = client.publish(room, Map.of("n", i));
                synchronized (futures) {
                    futures.add(f);
                }
                if (i == faultAfter && fault != null) {
                    inFlightAtFault = (int) snapshot().stream().filter(x -> !x.isDone()).count();
                    fault.run();
                }
                if (i > window) {
                    snapshot().get(i - window - 1).get(30, TimeUnit.SECONDS);
                }
            }
            done.complete(null);
        } catch (Exception e) {
            done.completeExceptionally(e);
        }
    }

    private List<CompletableFuture<PublishAck>> snapshot() {
        synchronized (futures) {
            return new ArrayList<>(futures);
        }
    }

    /** Waits until every publish is answered and returns the acknowledgements in publish order. */
    List<PublishAck> acks() throws Exception {
        done.get(60, TimeUnit.SECONDS);
        List<PublishAck> acks = new ArrayList<>();
        for (CompletableFuture<PublishAck> f : snapshot()) {
            acks.add(f.get(30, TimeUnit.SECONDS));
        }
        return acks;
    }

    /** How many publishes were unanswered when the fault was injected (-1 before). */
    int inFlightAtFault() {
        return inFlightAtFault;
    }
}
