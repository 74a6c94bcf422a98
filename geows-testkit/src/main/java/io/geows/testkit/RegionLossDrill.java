package io.geows.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.GeoWsNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The drill of losing a whole region, on any broker that keeps a room's history in more than one
 * region: three regions with a node each; in every region a client publishes to one room without
 * pause and another client only listens; the region that holds the history (the Redis primary, the
 * stream leader) is killed mid-stream, broker servers and node together, and its clients' network
 * goes silent. Then it checks what the product promises:
 * <ul>
 *   <li>publishes are accepted again in each surviving region, and says after how long;</li>
 *   <li>every node names the holder in {@link GeoWsNode#brokerPlacement()}, and the surviving ones
 *       name the new holder after the loss;</li>
 *   <li>every acknowledged message (the lost region's too) reaches the listeners of both surviving
 *       regions exactly once, in one room order that is the same in both, each publisher's messages
 *       in the order it sent them, offsets increasing;</li>
 *   <li>the lost region's listener, resuming in a surviving region from the last message it had, gets
 *       {@code recovered: true} and exactly the messages it missed;</li>
 *   <li>the region comes back (broker servers, then a node) with no manual step: a client there
 *       resumes the whole room from its start and exchanges messages with the other regions.</li>
 * </ul>
 * The broker-specific parts come from {@link Regions}.
 *
 * @since 0.2.0
 */
public final class RegionLossDrill {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int BEFORE_KILL = 8;
    private static final int AFTER_KILL = 8;
    private static final String ROOM = "ledger";
    private static final Duration RETRY_PAUSE = Duration.ofMillis(50);

    /** What the drill needs of a broker deployment over three regions (0, 1 and 2). */
    public interface Regions {
        /** Starts a node of the region on its broker servers (again, after {@link #restartBroker}). */
        GeoWsNode startNode(int region);

        /** The region that holds the rooms' history now (the primary, the stream leader), or -1. */
        int holder();

        /** Kills every broker server of the region (SIGKILL), as the region's loss would. */
        void killBroker(int region);

        /** Starts the region's broker servers again; they rejoin the others by themselves. */
        void restartBroker(int region);

        /**
         * The name a node's {@link GeoWsNode#brokerPlacement()} gives the region's broker server
         * when it holds the history, or {@code null} when the broker names no single holder (Kafka:
         * a leader per partition): the placement checks are then skipped.
         */
        String holderName(int region);
    }

    /**
     * What one run measured.
     *
     * @param lostRegion    the region killed (it held the history)
     * @param outage        from the kill to the first acknowledgement of a publish sent after it, in
     *                      the slower surviving region
     * @param holderMoved   from the kill until {@link Regions#holder()} named a surviving region
     * @param acknowledged  messages acknowledged over the run
     * @param delivered     messages each surviving listener received
     * @param answers       what each surviving region's publisher was answered after the kill until
     *                      its first acknowledgement, e.g. {@code region 1: unavailable x35 (87..3790 ms), ack at 3846 ms}
     */
    public record Report(int lostRegion, Duration outage, Duration holderMoved, int acknowledged, int delivered,
                         List<String> answers) {
    }

    private RegionLossDrill() {
    }

    /**
     * Runs the drill and asserts everything listed in the class documentation.
     *
     * @return what it measured
     * @throws AssertionError when a promise does not hold
     */
    public static Report run(Regions regions) {
        GeoWsNode[] nodes = new GeoWsNode[3];
        List<AutoCloseable> closeLater = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes[i] = regions.startNode(i);
            }
            for (GeoWsNode n : nodes) {
                Await.until("node " + n.nodeId() + " ready", WAIT, n::isReady);
            }
            int lost = regions.holder();
            assertThat(lost).as("a region holds the history").isBetween(0, 2);
            for (GeoWsNode n : regions.holderName(lost) == null ? new GeoWsNode[0] : nodes) {
                Await.until(() -> "node " + n.nodeId() + " names the holder " + regions.holderName(lost) + ", not "
                        + n.brokerPlacement(), WAIT, () -> n.brokerPlacement().containsValue(regions.holderName(lost)));
            }
            List<Integer> surviving = new ArrayList<>(List.of(0, 1, 2));
            surviving.remove(Integer.valueOf(lost));

            // The lost region's clients reach their node through a proxy that goes silent at the kill.
            FaultProxy lostNetwork = FaultProxy.start(Ports.LOOPBACK, nodes[lost].uri().getPort());
            closeLater.add(lostNetwork);
            URI lostUri = URI.create("ws://" + Ports.LOOPBACK + ":" + lostNetwork.port() + nodes[lost].uri().getRawPath());
            TestClient[] publishers = new TestClient[3];
            TestClient[] listeners = new TestClient[3];
            for (int i = 0; i < 3; i++) {
                URI uri = i == lost ? lostUri : nodes[i].uri();
                publishers[i] = TestClient.connectAs(uri, "publisher-" + i);
                listeners[i] = TestClient.connectAs(uri, "listener-" + i);
                closeLater.add(publishers[i]);
                closeLater.add(listeners[i]);
                publishers[i].join(ROOM);
                listeners[i].join(ROOM);
            }

            AtomicLong killedAt = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            List<Publisher> running = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Publisher p = new Publisher(i, i == lost, publishers[i], killedAt, stop);
                running.add(p);
                p.future = CompletableFuture.runAsync(p::run);
            }
            Await.until("every region published before the kill", WAIT,
                    () -> running.stream().allMatch(p -> p.acked.size() >= BEFORE_KILL));

            killedAt.set(System.nanoTime());
            lostNetwork.blackhole(true);
            regions.killBroker(lost);
            GeoWsNode lostNode = nodes[lost];
            CompletableFuture<Void> lostNodeClosed = CompletableFuture.runAsync(lostNode::close); // its broker is gone
            long[] movedAt = {0};
            // (each surviving node's brokerPlacement() must then name the new holder)
            Await.until("the history held in a surviving region", WAIT, () -> {
                int now = regions.holder();
                movedAt[0] = System.nanoTime();
                return now >= 0 && now != lost;
            });

            int holder = regions.holder();
            for (int i : regions.holderName(holder) == null ? List.<Integer>of() : surviving) {
                GeoWsNode n = nodes[i];
                Await.until(() -> "node " + n.nodeId() + " names the new holder " + regions.holderName(holder) + ", not "
                        + n.brokerPlacement(), WAIT, () -> n.brokerPlacement().containsValue(regions.holderName(holder)));
            }
            Await.until("surviving regions publishing again", WAIT, () -> surviving.stream()
                    .allMatch(i -> running.get(i).ackedAfterKill.get() >= AFTER_KILL || running.get(i).future.isDone()));
            stop.set(true);
            for (Publisher p : running) {
                p.future.orTimeout(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join();
            }
            for (int i : surviving) {
                assertThat(running.get(i).failure).as("publisher of surviving region %d", i).isNull();
                assertThat(running.get(i).ackedAfterKill.get()).as("region %d acknowledged after the kill", i)
                        .isGreaterThanOrEqualTo(AFTER_KILL);
            }
            long outageNanos = surviving.stream().mapToLong(i -> running.get(i).firstAckAfterKill.get() - killedAt.get())
                    .max().orElseThrow();
            JsonNode endAck = publishers[surviving.get(0)].publish(ROOM, "end", "end");
            assertThat(TestClient.type(endAck)).as("end marker: %s", endAck).isEqualTo("ack");

            // Every acknowledged message once, in one order in both surviving regions.
            List<JsonNode> first = until(listeners[surviving.get(0)], "end");
            List<JsonNode> second = until(listeners[surviving.get(1)], "end");
            List<String> order = ids(first);
            assertThat(ids(second)).as("the room's order in both surviving regions").containsExactlyElementsOf(order);
            assertThat(new HashSet<>(order)).as("nothing delivered twice: %s", order).hasSize(order.size());
            assertOffsetsIncrease(first);
            int acknowledged = 0;
            for (Publisher p : running) {
                List<String> acked = p.ackedIds();
                acknowledged += acked.size();
                assertThat(order).as("acknowledged messages of region %d", p.region).containsAll(acked);
                List<String> own = order.stream().filter(id -> id.startsWith(p.prefix())).toList();
                assertThat(own).as("region %d's messages in the order it sent them", p.region).startsWith(acked.toArray(String[]::new));
            }

            // The lost region's listener resumes in a surviving region from the last message it had.
            List<JsonNode> had = listeners[lost].messages(ROOM);
            assertThat(had).as("the lost region's listener had messages before the kill").isNotEmpty();
            JsonNode last = had.get(had.size() - 1);
            try (TestClient resumed = TestClient.connectAs(nodes[surviving.get(1)].uri(), "listener-" + lost)) {
                resumed.send(Map.of("type", "join", "room", ROOM, "id", "resume",
                        "since", Map.of("offset", last.path("offset").asLong(), "epoch", last.path("epoch").asText())));
                JsonNode joined = resumed.awaitRef("resume");
                assertThat(joined.path("recovered").asBoolean()).as("resume after the failover: %s", joined).isTrue();
                List<String> whole = new ArrayList<>(ids(had));
                whole.addAll(ids(until(resumed, "end")));
                assertThat(whole).as("what the lost region's listener had, then what it recovered").containsExactlyElementsOf(order);
            }
            lostNodeClosed.orTimeout(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join();

            // The region comes back by itself.
            regions.restartBroker(lost);
            nodes[lost] = regions.startNode(lost);
            GeoWsNode back = nodes[lost];
            Await.until("node of the returned region ready", WAIT, back::isReady);
            try (TestClient returned = TestClient.connectAs(back.uri(), "returned")) {
                returned.send(Map.of("type", "join", "room", ROOM, "id", "whole",
                        "since", Map.of("offset", 0, "epoch", first.get(0).path("epoch").asText())));
                JsonNode joined = returned.awaitRef("whole");
                assertThat(joined.path("recovered").asBoolean()).as("the whole room from the returned region: %s", joined).isTrue();
                List<String> expected = new ArrayList<>(order);
                expected.add("end");
                List<String> replayed = new ArrayList<>();
                while (replayed.size() < expected.size()) {
                    replayed.add(returned.awaitMessage(ROOM).path("id").asText());
                }
                assertThat(replayed).as("history as the returned region reads it").containsExactlyElementsOf(expected);
                assertThat(TestClient.type(returned.publish(ROOM, "from-returned", "x"))).isEqualTo("ack");
                listeners[surviving.get(0)].awaitMessage(ROOM, "from-returned", WAIT);
                publishers[surviving.get(1)].publish(ROOM, "to-returned", "x");
                returned.awaitMessage(ROOM, "to-returned", WAIT);
            }
            List<String> answers = new ArrayList<>();
            for (int i : surviving) {
                answers.add(summary(i, running.get(i).answersAfterKill));
            }
            return new Report(lost, Duration.ofNanos(outageNanos), Duration.ofNanos(movedAt[0] - killedAt.get()), acknowledged,
                    order.size(), answers);
        } finally {
            Collections.reverse(closeLater);
            for (AutoCloseable c : closeLater) {
                try {
                    c.close();
                } catch (Exception e) {
                    // the lost region's clients may be dead already
                }
            }
            for (GeoWsNode n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
        }
    }

    /** Runs of equal answers, from entries {@code code@ms}. */
    private static String summary(int region, List<String> answers) {
        StringBuilder b = new StringBuilder("region " + region + ":");
        String run = null;
        int count = 0;
        String first = null;
        String last = null;
        List<String> all;
        synchronized (answers) {
            all = new ArrayList<>(answers);
        }
        all.add("end@0");
        for (String a : all) {
            String code = a.substring(0, a.indexOf('@'));
            String at = a.substring(a.indexOf('@') + 1);
            if (!code.equals(run)) {
                if (run != null) {
                    b.append(' ').append(run).append(count > 1 ? " x" + count + " (" + first + ".." + last + " ms)" : " at " + first + " ms")
                            .append(code.equals("end") ? "" : ",");
                }
                run = code;
                count = 0;
                first = at;
            }
            count++;
            last = at;
        }
        return b.toString();
    }

    private static List<JsonNode> until(TestClient c, String endId) {
        List<JsonNode> got = new ArrayList<>();
        while (true) {
            JsonNode m = c.awaitFrame(f -> "message".equals(TestClient.type(f)) && ROOM.equals(f.path("room").asText()), WAIT);
            if (m.path("id").asText().equals(endId)) {
                return got;
            }
            got.add(m);
        }
    }

    private static List<String> ids(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("id").asText()).toList();
    }

    private static void assertOffsetsIncrease(List<JsonNode> messages) {
        long previous = 0;
        for (JsonNode m : messages) {
            long offset = m.path("offset").asLong();
            assertThat(offset).as("offset of %s after %d", m, previous).isGreaterThan(previous);
            previous = offset;
        }
    }

    /**
     * One region's publisher: publishes until told to stop, each message after the previous one's
     * acknowledgement; after {@code unavailable} the same id again 50 ms later.
     */
    private static final class Publisher {
        final int region;
        final boolean inLostRegion;
        final TestClient client;
        final AtomicLong killedAt;
        final AtomicBoolean stop;
        final List<String> acked = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong ackedAfterKill = new AtomicLong();
        final AtomicLong firstAckAfterKill = new AtomicLong();
        final List<String> answersAfterKill = Collections.synchronizedList(new ArrayList<>());
        volatile Throwable failure;
        CompletableFuture<Void> future;

        Publisher(int region, boolean inLostRegion, TestClient client, AtomicLong killedAt, AtomicBoolean stop) {
            this.region = region;
            this.inLostRegion = inLostRegion;
            this.client = client;
            this.killedAt = killedAt;
            this.stop = stop;
        }

        String prefix() {
            return "r" + region + "-";
        }

        List<String> ackedIds() {
            synchronized (acked) {
                return List.copyOf(acked);
            }
        }

        void run() {
            Set<String> tried = new HashSet<>();
            try {
                for (int n = 0; !stop.get(); n++) {
                    String id = prefix() + n;
                    while (!stop.get() || tried.contains(id)) {
                        long sent = System.nanoTime();
                        long kill = killedAt.get();
                        tried.add(id);
                        JsonNode a = client.publish(ROOM, id, id);
                        if (kill != 0 && firstAckAfterKill.get() == 0) {
                            answersAfterKill.add((TestClient.type(a).equals("ack") ? "ack" : a.path("code").asText())
                                    + "@" + (System.nanoTime() - kill) / 1_000_000);
                        }
                        if ("ack".equals(TestClient.type(a))) {
                            acked.add(id);
                            if (kill != 0 && sent > kill) {
                                firstAckAfterKill.compareAndSet(0, System.nanoTime());
                                ackedAfterKill.incrementAndGet();
                            }
                            break;
                        }
                        assertThat(a.path("code").asText()).as("answer to %s: %s", id, a).isIn("unavailable", "rate_limited");
                        // a client's back-off before the retry (pacing, not synchronization)
                        java.util.concurrent.locks.LockSupport.parkNanos(RETRY_PAUSE.toNanos());
                    }
                }
            } catch (Throwable t) {
                // the lost region's publisher ends in silence: its last message unanswered
                if (!inLostRegion || killedAt.get() == 0) {
                    failure = t;
                }
            }
        }
    }
}
