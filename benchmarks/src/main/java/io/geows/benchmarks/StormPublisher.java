package io.geows.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A client of the surviving region that publishes to every room, round robin, and remembers the acks. */
final class StormPublisher implements NioWsClients.Listener {
    private final NioWsClients clients;
    private final URI uri;
    private final List<String> rooms;
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    /** Every acknowledged offset per room (NATS offsets are stream sequences: a room's are not consecutive). */
    private final Map<String, java.util.NavigableSet<Long>> ackedOffsets = new ConcurrentHashMap<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicInteger joined = new AtomicInteger();
    final AtomicLong published = new AtomicLong();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "storm-publisher");
        t.setDaemon(true);
        return t;
    });
    private volatile NioWsClients.Connection connection;
    private final AtomicLong outstanding = new AtomicLong();

    StormPublisher(NioWsClients clients, URI uri, List<String> rooms) {
        this.clients = clients;
        this.uri = uri;
        this.rooms = rooms;
    }

    void start() throws InterruptedException {
        connection = clients.connect(uri, this);
        if (!ready.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the publisher could not join its rooms on " + uri);
        }
    }

    void rate(double perSecond) {
        long periodMicros = (long) (1_000_000 / perSecond);
        AtomicLong n = new AtomicLong();
        pacer.scheduleAtFixedRate(() -> {
            long i = n.getAndIncrement();
            String room = rooms.get((int) (i % rooms.size()));
            outstanding.incrementAndGet();
            connection.send("{\"type\":\"publish\",\"room\":\"" + room + "\",\"id\":\"p-" + i + "\",\"data\":{\"n\":" + i + "}}");
            published.incrementAndGet();
        }, periodMicros, periodMicros, TimeUnit.MICROSECONDS);
    }

    /** Every offset acknowledged so far, per room. */
    Map<String, java.util.NavigableSet<Long>> ackedOffsets() {
        return ackedOffsets;
    }

    /** Stops publishing, waits for the outstanding acks, returns each room's last acknowledged offset. */
    Map<String, Long> stop() throws InterruptedException {
        pacer.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return Map.copyOf(acked);
    }

    @Override
    public void onOpen(NioWsClients.Connection c) {
        c.send("{\"type\":\"hello\",\"token\":\"storm-publisher\",\"protocol\":1,\"id\":\"h\"}");
    }

    @Override
    public void onText(NioWsClients.Connection c, byte[] data, int offset, int length) {
        JsonNode f = StormClients.parse(data, offset, length);
        if (f == null) {
            return;
        }
        switch (f.path("type").asText()) {
            case "welcome" -> rooms.forEach(r -> c.send("{\"type\":\"join\",\"room\":\"" + r + "\",\"id\":\"j-" + r + "\"}"));
            case "joined" -> {
                if (joined.incrementAndGet() == rooms.size()) {
                    ready.countDown();
                }
            }
            case "ack" -> {
                acked.merge(f.path("room").asText(), f.path("offset").asLong(), Math::max);
                ackedOffsets.computeIfAbsent(f.path("room").asText(), r -> new java.util.concurrent.ConcurrentSkipListSet<>())
                        .add(f.path("offset").asLong());
                outstanding.decrementAndGet();
            }
            case "error" -> outstanding.decrementAndGet();
            default -> {
            }
        }
    }
}
