package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.NodeLimits;
import io.geows.memory.InMemoryBroker;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Coalesced presence: a room's joins and leaves of one window reach every member, in every region, as one diff frame. */
class PresenceBatchIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static GeoWsNode node(InMemoryBroker broker, String region, Duration batch) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region)
                .broker(broker.connect(region)).limits(NodeLimits.builder().presenceBatch(batch).build())
                .drainTimeout(Duration.ZERO).build().start();
    }

    @Test
    @DisplayName("joins and leaves within the window arrive as one diff per node and window, in both regions")
    void joinsAndLeavesAreCoalesced() {
        InMemoryBroker broker = new InMemoryBroker();
        List<TestClient> crowd = new ArrayList<>();
        try (GeoWsNode us = node(broker, "us-east", Duration.ofMillis(300));
             GeoWsNode eu = node(broker, "eu-west", Duration.ofMillis(300));
             TestClient local = TestClient.connectAs(us.uri(), "local-watcher");
             TestClient remote = TestClient.connectAs(eu.uri(), "remote-watcher")) {
            local.join("r");
            remote.join("r");
            for (int i = 0; i < 11; i++) {
                TestClient c = TestClient.connectAs(us.uri(), "u" + i);
                crowd.add(c);
                c.join("r");
            }
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
                long diffs = watcher.seen().stream().filter(f -> "diff".equals(f.path("event").asText())).count();
                assertThat(diffs).as("11 joins in a few windows, not one frame each").isLessThan(11);
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
