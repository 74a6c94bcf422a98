package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.PresenceMode;
import io.geows.PresencePolicy;
import io.geows.memory.InMemoryBroker;
import io.geows.memory.InMemoryConnection;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import io.geows.testkit.MemoryBrokerFaults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Presence modes, two regions on one broker: coalesced diffs, member counts across regions (also
 * when a node enters late or dies), AUTO switching from lists to counts, one event per change, none.
 */
class PresenceModesIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static GeoWsNode node(InMemoryConnection broker, String region, PresencePolicy policy) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region)
                .broker(broker).presence(policy).presenceTtl(Duration.ofMillis(300))
                .drainTimeout(Duration.ZERO).build().start();
    }

    private static GeoWsNode node(InMemoryBroker broker, String region, PresencePolicy policy) {
        return node(broker.connect(region), region, policy);
    }

    @Test
    @DisplayName("DIFF: joins and leaves within the window arrive as one diff per node and window, in both regions")
    void joinsAndLeavesAreCoalesced() {
        InMemoryBroker broker = new InMemoryBroker();
        PresencePolicy diffs = PresencePolicy.builder().defaultMode(PresenceMode.DIFF).window(Duration.ofMillis(300)).build();
        List<TestClient> crowd = new ArrayList<>();
        try (GeoWsNode us = node(broker, "us-east", diffs);
             GeoWsNode eu = node(broker, "eu-west", diffs);
             TestClient local = TestClient.connectAs(us.uri(), "local-watcher");
             TestClient remote = TestClient.connectAs(eu.uri(), "remote-watcher")) {
            local.join("r");
            remote.join("r");
            joinAll(crowd, 11, "r", "u", us);
            for (TestClient watcher : List.of(local, remote)) {
                Set<String> joined = new HashSet<>();
                Await.until(() -> "joined seen by a watcher: " + joined, WAIT, () -> {
                    joined.clear();
                    joined.addAll(diffUsers(watcher, "joined"));
                    joined.removeIf(u -> u.endsWith("-watcher")); // the watchers' own joins are in the diffs too
                    return joined.size() >= 11;
                });
                assertThat(joined).containsExactlyInAnyOrder("u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9", "u10");
                assertThat(watcher.seen()).as("no per-member events while batching")
                        .noneMatch(f -> "presence".equals(TestClient.type(f)) && "join".equals(f.path("event").asText()));
                long diffs2 = watcher.seen().stream().filter(f -> "diff".equals(f.path("event").asText())).count();
                assertThat(diffs2).as("11 joins in a few windows, not one frame each").isLessThan(11);
            }
            crowd.get(0).close();
            crowd.get(1).close();
            for (TestClient watcher : List.of(local, remote)) {
                Await.until("the two who left, seen by a watcher", WAIT,
                        () -> diffUsers(watcher, "left").containsAll(List.of("u0", "u1")));
                assertThat(diffUsers(watcher, "left")).hasSize(2);
            }
        } finally {
            crowd.forEach(TestClient::close);
        }
    }

    @Test
    @DisplayName("COUNT: members in both regions see the room's total, no member lists, and the count follows leaves")
    void countsAddUpAcrossRegions() {
        InMemoryBroker broker = new InMemoryBroker();
        PresencePolicy policy = PresencePolicy.builder().room("stadium.*", PresenceMode.COUNT)
                .countInterval(Duration.ofMillis(200)).build();
        List<TestClient> crowd = new ArrayList<>();
        try (GeoWsNode us = node(broker, "us-east", policy);
             GeoWsNode eu = node(broker, "eu-west", policy);
             TestClient usWatcher = TestClient.connectAs(us.uri(), "us-watcher");
             TestClient euWatcher = TestClient.connectAs(eu.uri(), "eu-watcher")) {
            usWatcher.join("stadium.1");
            euWatcher.join("stadium.1");
            joinAll(crowd, 6, "stadium.1", "fan", us, eu); // fans 0, 2, 4 in us-east; 1, 3, 5 in eu-west
            for (TestClient w : List.of(usWatcher, euWatcher)) {
                Await.until("both watchers see 8 members", WAIT, () -> lastCount(w, "stadium.1") == 8);
                assertThat(w.seen()).as("a counted room sends no member lists")
                        .noneMatch(f -> "presence".equals(TestClient.type(f))
                                && List.of("join", "leave", "diff").contains(f.path("event").asText()));
            }
            crowd.get(0).close(); // one in us-east
            crowd.get(1).close(); // one in eu-west
            for (TestClient w : List.of(usWatcher, euWatcher)) {
                Await.until("both watchers see 6 members", WAIT, () -> lastCount(w, "stadium.1") == 6);
            }
            // the members are still listed on request
            usWatcher.send(Map.of("type", "presence", "room", "stadium.1", "id", "p"));
            assertThat(usWatcher.awaitRef("p").path("members")).hasSize(6);
        } finally {
            crowd.forEach(TestClient::close);
        }
    }

    @Test
    @DisplayName("COUNT: a node entering a room late learns the other nodes' counts; a node that dies leaves the sum")
    void lateNodesLearnCountsAndDeadNodesLeaveThem() {
        InMemoryBroker broker = new InMemoryBroker();
        PresencePolicy policy = PresencePolicy.builder().defaultMode(PresenceMode.COUNT)
                .countInterval(Duration.ofMillis(100)).build();
        InMemoryConnection doomedLink = broker.connect("ap-south");
        List<TestClient> crowd = new ArrayList<>();
        try (GeoWsNode us = node(broker, "us-east", policy);
             GeoWsNode doomed = node(doomedLink, "ap-south", policy);
             GeoWsNode eu = node(broker, "eu-west", policy)) {
            joinAll(crowd, 3, "arena", "us", us);
            joinAll(crowd, 2, "arena", "ap", doomed);
            TestClient first = crowd.get(0);
            Await.until("us-east sees 5", WAIT, () -> lastCount(first, "arena") == 5);
            // eu-west enters the room only now: it hears nothing until it asks by announcing itself
            TestClient late = TestClient.connectAs(eu.uri(), "late");
            crowd.add(late);
            late.join("arena");
            Await.until("the late node's member sees 6", WAIT, () -> lastCount(late, "arena") == 6);
            Await.until("us-east sees 6", WAIT, () -> lastCount(first, "arena") == 6);
            // ap-south loses its broker for good: its heartbeats stop, its two members leave the sums
            MemoryBrokerFaults.cut(doomedLink);
            Await.until("us-east sees 4 after ap-south died", WAIT, () -> lastCount(first, "arena") == 4);
            Await.until("eu-west sees 4 after ap-south died", WAIT, () -> lastCount(late, "arena") == 4);
        } finally {
            crowd.forEach(TestClient::close);
        }
    }

    @Test
    @DisplayName("AUTO: diffs while the room is at most listLimit, counts above, one last count when it shrinks back")
    void autoSwitchesFromListsToCounts() {
        InMemoryBroker broker = new InMemoryBroker();
        PresencePolicy policy = PresencePolicy.builder().listLimit(4).window(Duration.ofMillis(50))
                .countInterval(Duration.ofMillis(100)).build();
        List<TestClient> crowd = new ArrayList<>();
        try (GeoWsNode us = node(broker, "us-east", policy);
             GeoWsNode eu = node(broker, "eu-west", policy);
             TestClient watcher = TestClient.connectAs(eu.uri(), "watcher")) {
            watcher.join("r");
            joinAll(crowd, 3, "r", "small", us);
            Await.until("three joins listed", WAIT, () -> diffUsers(watcher, "joined").containsAll(List.of("small0", "small1", "small2")));
            assertThat(lastCount(watcher, "r")).as("no count while the room is small").isEqualTo(-1);
            joinAll(crowd, 4, "r", "big", us);
            Await.until("a count of 8 once the room outgrew its list", WAIT, () -> lastCount(watcher, "r") == 8);
            for (int i = 0; i < 5; i++) {
                crowd.get(i).close();
            }
            Await.until("a last count of 3 as it shrinks back", WAIT, () -> lastCount(watcher, "r") == 3);
            int frames = watcher.seen().size();
            TestClient again = TestClient.connectAs(us.uri(), "again");
            crowd.add(again);
            again.join("r");
            Await.until("small again: a join is listed", WAIT, () -> diffUsers(watcher, "joined").contains("again"));
            assertThat(watcher.seen().subList(frames, watcher.seen().size()))
                    .noneMatch(f -> "count".equals(f.path("event").asText()));
        } finally {
            crowd.forEach(TestClient::close);
        }
    }

    @Test
    @DisplayName("COUNT: a node's count frames stay within its budget: with many members, counts come less often")
    void countsStayWithinTheNodesFrameBudget() {
        InMemoryBroker broker = new InMemoryBroker();
        // 4 members at 2 count frames per second: a count at most every 2 s, however short the interval.
        PresencePolicy policy = PresencePolicy.builder().defaultMode(PresenceMode.COUNT)
                .countInterval(Duration.ofMillis(10)).countFramesPerSecond(2).build();
        List<TestClient> crowd = new ArrayList<>();
        try (GeoWsNode us = node(broker, "us-east", policy);
             TestClient watcher = TestClient.connectAs(us.uri(), "watcher")) {
            watcher.join("arena");
            joinAll(crowd, 3, "arena", "fan", us);
            Await.until("the watcher sees 4 members", WAIT, () -> lastCount(watcher, "arena") == 4);
            assertThat(watcher.seen().stream().filter(f -> "count".equals(f.path("event").asText())).count())
                    .as("count frames: the first at once, the next one budget interval later").isLessThanOrEqualTo(2);
        } finally {
            crowd.forEach(TestClient::close);
        }
    }

    @Test
    @DisplayName("EVENTS sends one frame per change at once; OFF sends none")
    void eventsAndOff() {
        InMemoryBroker broker = new InMemoryBroker();
        PresencePolicy policy = PresencePolicy.builder().room("quiet.*", PresenceMode.OFF)
                .defaultMode(PresenceMode.EVENTS).build();
        try (GeoWsNode us = node(broker, "us-east", policy);
             GeoWsNode eu = node(broker, "eu-west", policy);
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient carol = TestClient.connectAs(eu.uri(), "carol")) {
            alice.join("quiet.1");
            alice.join("chat");
            carol.join("quiet.1");
            carol.join("chat");
            JsonNode joined = alice.awaitFrame(f -> "presence".equals(TestClient.type(f))
                    && "join".equals(f.path("event").asText()) && "chat".equals(f.path("room").asText())
                    && "carol".equals(f.path("user").asText()), WAIT);
            assertThat(joined.path("region").asText()).isEqualTo("eu-west");
            // carol's join of quiet.1 happened first; the presence answer orders after it
            alice.send(Map.of("type", "presence", "room", "quiet.1", "id", "q"));
            assertThat(alice.awaitRef("q").path("members")).hasSize(2);
            assertThat(alice.seen()).noneMatch(f -> "presence".equals(TestClient.type(f))
                    && "quiet.1".equals(f.path("room").asText()) && !"snapshot".equals(f.path("event").asText()));
        }
    }

    /** Connects {@code n} users named {@code prefix0…}, to the nodes in turn, and joins each to {@code room}. */
    private static void joinAll(List<TestClient> crowd, int n, String room, String prefix, GeoWsNode... nodes) {
        for (int i = 0; i < n; i++) {
            TestClient c = TestClient.connectAs(nodes[i % nodes.length].uri(), prefix + i);
            crowd.add(c);
            c.join(room);
        }
    }

    private static int lastCount(TestClient c, String room) {
        int count = -1;
        for (JsonNode f : c.seen()) {
            if ("presence".equals(TestClient.type(f)) && "count".equals(f.path("event").asText())
                    && room.equals(f.path("room").asText())) {
                count = f.path("count").asInt();
            }
        }
        return count;
    }

    private static List<String> diffUsers(TestClient c, String list) {
        List<String> users = new ArrayList<>();
        for (JsonNode f : c.seen()) {
            if ("presence".equals(TestClient.type(f)) && "diff".equals(f.path("event").asText())) {
                f.path(list).forEach(m -> users.add(m.path("user").asText()));
            }
        }
        return users;
    }
}
