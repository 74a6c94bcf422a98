package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.client.ClientListenerAdapter;
import io.geows.client.ConnectionEvent;
import io.geows.client.GeoWsClient;
import io.geows.client.Message;
import io.geows.client.PublishAck;
import io.geows.testkit.Await;
import io.geows.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chaos test: two regions as separate OS processes on a real Redis, clients of geows-client in
 * both, everyone publishing; the process of one region is killed with SIGKILL mid-stream.
 */
class ChaosIntegrationTests {
    private static final Logger log = LoggerFactory.getLogger(ChaosIntegrationTests.class);
    private static final int CLIENTS = 20;
    private static final List<String> ROOMS = List.of("alpha", "beta", "gamma");
    private static final Duration PUBLISH_EVERY = Duration.ofMillis(100);
    private static final Duration RUN = Duration.ofSeconds(7);
    private static final Duration KILL_AFTER = Duration.ofSeconds(3);

    /** One simulated user: its client, what it received per room, what it had acknowledged. */
    static final class User {
        final String name;
        final String preferred;
        GeoWsClient client;
        final Map<String, List<Message>> received = new ConcurrentHashMap<>();
        final List<CompletableFuture<PublishAck>> publishes = new CopyOnWriteArrayList<>();
        final List<String> publishedRooms = new CopyOnWriteArrayList<>();
        final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
        final AtomicLong firstMessageAfterKillNanos = new AtomicLong();
        volatile long killedAtNanos;

        User(String name, String preferred) {
            this.name = name;
            this.preferred = preferred;
            ROOMS.forEach(r -> received.put(r, new CopyOnWriteArrayList<>()));
        }

        void onMessage(Message m) {
            received.get(m.room()).add(m);
            long killed = killedAtNanos;
            if (killed != 0) {
                firstMessageAfterKillNanos.compareAndSet(0, System.nanoTime());
            }
        }
    }

    @Test
    @DisplayName("SIGKILL one region mid-stream: its clients fail over by themselves; every acked message reaches every member once, in order")
    void killARegionMidStream() throws Exception {
        scenario(true);
    }

    @Test
    @DisplayName("drain one region (SIGTERM: goaway, then close): its clients move before it closes, the app sees no error")
    void drainARegionMidStream() throws Exception {
        scenario(false);
    }

    private void scenario(boolean kill) throws Exception {
        try (RedisServer redis = RedisServer.launch()) {
            ServerProcess us = ServerProcess.launch("us-east", "us-chaos", redis.uri());
            ServerProcess eu = ServerProcess.launch("eu-west", "eu-chaos", redis.uri());
            List<User> users = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    User u = new User("user" + i, i % 2 == 0 ? "us-east" : "eu-west");
                    u.client = GeoWsClient.builder()
                            .region("us-east", us.ws())
                            .region("eu-west", eu.ws())
                            .preferredRegion(u.preferred)
                            .token(u.name)
                            .listener(new ClientListenerAdapter() {
                                @Override
                                public void onConnectionEvent(ConnectionEvent event) {
                                    u.events.add(event);
                                }
                            })
                            .build();
                    users.add(u);
                }
                for (User u : users) {
                    u.client.connect().get(30, TimeUnit.SECONDS);
                    assertThat(u.client.region()).isEqualTo(u.preferred);
                    for (String room : ROOMS) {
                        u.client.join(room, u::onMessage).get(30, TimeUnit.SECONDS);
                    }
                }

                long start = System.nanoTime();
                long killAt = start + KILL_AFTER.toNanos();
                boolean killed = false;
                long killedAt = 0;
                int round = 0;
                // Open loop: everyone publishes on a fixed schedule, whatever the acks are doing.
                while (System.nanoTime() - start < RUN.toNanos()) {
                    if (!killed && System.nanoTime() >= killAt) {
                        killedAt = System.nanoTime();
                        if (kill) {
                            eu.kill();
                        } else {
                            // SIGTERM: the server's shutdown hook sends goaway and drains. Its own
                            // thread, so the publishing schedule goes on while it drains.
                            new Thread(() -> {
                                try {
                                    eu.stop();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }).start();
                        }
                        killed = true;
                        for (User u : users) {
                            u.killedAtNanos = killedAt;
                        }
                        log.info(kill ? "killed the eu-west process (SIGKILL)" : "draining the eu-west process (SIGTERM)");
                    }
                    for (User u : users) {
                        String room = ROOMS.get(Math.floorMod(round + u.name.hashCode(), ROOMS.size()));
                        u.publishedRooms.add(room);
                        u.publishes.add(u.client.publish(room, Map.of("n", round, "from", u.name)));
                    }
                    round++;
                    long next = start + round * PUBLISH_EVERY.toNanos();
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // the publishing schedule, not synchronization
                    }
                }

                // No publish is lost: every one is acknowledged (resent after failover where needed).
                Map<String, List<String>> ackedPerRoom = new HashMap<>();
                ROOMS.forEach(r -> ackedPerRoom.put(r, new ArrayList<>()));
                int published = 0;
                for (User u : users) {
                    for (int i = 0; i < u.publishes.size(); i++) {
                        PublishAck ack = u.publishes.get(i).get(60, TimeUnit.SECONDS);
                        assertThat(ack.room()).isEqualTo(u.publishedRooms.get(i));
                        ackedPerRoom.get(ack.room()).add(ack.id());
                        published++;
                    }
                }

                // Every client of the dead region is now in the surviving one, on its own.
                for (User u : users) {
                    Await.until(u.name + " connected to us-east", Duration.ofSeconds(30),
                            () -> "us-east".equals(u.client.region()));
                }

                // Every acked message reaches every member, exactly once, in room order.
                long deliveries = 0;
                for (User u : users) {
                    for (String room : ROOMS) {
                        Set<String> expected = new HashSet<>(ackedPerRoom.get(room));
                        Await.until(() -> u.name + " has " + u.received.get(room).size() + " of " + expected.size()
                                + " in " + room, Duration.ofSeconds(60), () -> u.received.get(room).size() >= expected.size());
                        List<Message> got = u.received.get(room);
                        List<String> ids = got.stream().map(Message::id).toList();
                        assertThat(ids).as("%s in %s: no duplicates", u.name, room).doesNotHaveDuplicates();
                        assertThat(new HashSet<>(ids)).as("%s in %s: every acked message", u.name, room).isEqualTo(expected);
                        List<Long> offsets = got.stream().map(Message::offset).toList();
                        assertThat(offsets).as("%s in %s: room order", u.name, room).isSorted();
                        deliveries += got.size();
                    }
                }

                // Failover time of the moved clients: kill -> first message received again.
                List<Long> failoverMs = new ArrayList<>();
                for (User u : users) {
                    if (u.preferred.equals("eu-west")) {
                        assertThat(u.events).extracting(ConnectionEvent::state).asString().contains("FAILED_OVER");
                        failoverMs.add((u.firstMessageAfterKillNanos.get() - killedAt) / 1_000_000);
                        if (!kill) {
                            assertThat(u.events).as("%s saw no error while its region drained", u.name)
                                    .allSatisfy(e -> assertThat(e.cause()).isNull());
                        }
                    }
                }
                Collections.sort(failoverMs);
                long p50 = failoverMs.get(failoverMs.size() / 2);
                long max = failoverMs.get(failoverMs.size() - 1);
                log.info("{}: {} clients, {} publishes acked, {} deliveries checked exactly once and in order; "
                        + "failover ({} -> first message again) p50 {} ms, max {} ms over {} clients",
                        kill ? "chaos" : "drain", CLIENTS, published, deliveries, kill ? "SIGKILL" : "SIGTERM", p50, max,
                        failoverMs.size());
                assertThat(max).as("failover time (the promise: under 2 s)").isLessThan(2_000);
            } finally {
                for (User u : users) {
                    if (u.client != null) {
                        u.client.close();
                    }
                }
                us.stop();
                eu.stop();
            }
        }
    }
}
