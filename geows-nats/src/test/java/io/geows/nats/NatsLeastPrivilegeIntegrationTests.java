package io.geows.nats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.testkit.Await;
import io.geows.testkit.NatsServer;
import io.geows.testkit.TestClient;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two regions whose nodes log in as a NATS user with exactly the permissions
 * {@code docs/deployment.md} recommends (read from that file): everything works, and a publish on a
 * room's live subject with those credentials is refused by the server.
 */
class NatsLeastPrivilegeIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PASSWORD = "n0de-Secret";
    private static final InterRegionKeys KEYS = InterRegionKeys.signingWith("prod-1",
            "a-shared-secret-of-32-bytes-min!".getBytes(StandardCharsets.UTF_8));
    private static NatsServer nats;

    /** The permissions between the markers in the deployment guide. */
    static String documentedPermissions() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "deployment.md"));
        int from = doc.indexOf("# begin geows node permissions");
        int to = doc.indexOf("# end geows node permissions");
        if (from < 0 || to < from) {
            throw new AssertionError("no geows node permissions block in docs/deployment.md");
        }
        return doc.substring(doc.indexOf('\n', from) + 1, to);
    }

    @BeforeAll
    static void startServer() throws IOException {
        nats = NatsServer.builder().jetStream().config("authorization {\n  users = [\n"
                + "    { user: geows, password: \"" + PASSWORD + "\", permissions: {\n" + documentedPermissions() + "    } }\n"
                + "  ]\n}\n").start();
    }

    @AfterAll
    static void stop() {
        nats.close();
    }

    private static String url() {
        return "nats://127.0.0.1:" + nats.port();
    }

    /** What the server refused the nodes: nothing, if the documented permissions are enough. */
    private static final List<String> refusedToNodes = new CopyOnWriteArrayList<>();

    private static GeoWsNode node(String region, String id) {
        Options jnats = new Options.Builder().server(url()).userInfo("geows", PASSWORD).connectionName(id)
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        refusedToNodes.add(error);
                    }
                }).build();
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region).nodeId(id)
                .host("127.0.0.1").port(0)
                .broker(NatsBroker.builder().natsOptions(jnats)
                        .requestTimeout(Duration.ofSeconds(2)).build())
                .interRegionKeys(KEYS).presenceTtl(Duration.ofSeconds(2)).drainTimeout(Duration.ZERO).build().start();
    }

    @Test
    @DisplayName("two regions on the documented permissions: rooms, history, resume, direct, presence, broadcast work; the live subject is not publishable")
    void nodesNeedNothingMoreThanTheDocumentedPermissions() throws Exception {
        try (GeoWsNode us = node("us-east", "us-perm");
             GeoWsNode eu = node("eu-west", "eu-perm");
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient bob = TestClient.connectAs(eu.uri(), "bob")) {
            Await.until("nodes ready", WAIT, () -> us.isReady() && eu.isReady());
            alice.join("lobby");
            bob.join("lobby");
            JsonNode first = null;
            for (int i = 0; i < 4; i++) {
                JsonNode ack = alice.publish("lobby", "m" + i, i);
                assertThat(ack.path("type").asText()).as("ack of m%d: %s", i, ack).isEqualTo("ack");
                first = first == null ? ack : first;
                assertThat(bob.awaitMessage("lobby").path("id").asText()).isEqualTo("m" + i);
            }
            try (TestClient carol = TestClient.connectAs(eu.uri(), "carol")) {
                carol.send(Map.of("type", "join", "room", "lobby", "id", "j",
                        "since", Map.of("offset", first.path("offset").asLong(), "epoch", first.path("epoch").asText())));
                assertThat(carol.awaitRef("j").path("recovered").asBoolean()).isTrue();
                assertThat(List.of(carol.awaitMessage("lobby").path("id").asText(), carol.awaitMessage("lobby").path("id").asText(),
                        carol.awaitMessage("lobby").path("id").asText())).containsExactly("m1", "m2", "m3");
            }
            alice.send(Map.of("type", "direct", "to", "bob", "id", "d1", "data", "psst"));
            assertThat(bob.awaitType("direct").path("data").asText()).isEqualTo("psst");
            Await.until("both users present", WAIT, () -> {
                alice.send(Map.of("type", "presence", "room", "lobby", "id", "p"));
                return alice.awaitRef("p").path("members").size() == 2;
            });
            us.broadcast("\"maintenance at noon\"").get(10, TimeUnit.SECONDS);
            assertThat(bob.awaitType("broadcast").path("data").asText()).isEqualTo("maintenance at noon");

            // with the nodes' own credentials, the live subject (where only the stream republishes) is refused
            List<String> errors = new CopyOnWriteArrayList<>();
            Options o = new Options.Builder().server(url()).userInfo("geows", PASSWORD).errorListener(new ErrorListener() {
                @Override
                public void errorOccurred(Connection conn, String error) {
                    errors.add(error);
                }
            }).build();
            try (Connection raw = Nats.connect(o)) {
                raw.publish("geows.live.lobby", "G1 999 x\nforged".getBytes(StandardCharsets.UTF_8));
                raw.flush(Duration.ofSeconds(5));
                Await.until(() -> "a permissions violation, got " + errors, WAIT,
                        () -> errors.stream().anyMatch(e -> e.contains("Permissions Violation") && e.contains("geows.live.lobby")));
            }
            assertThat(alice.publish("lobby", "after", 9).path("type").asText()).isEqualTo("ack");
            assertThat(bob.awaitMessage("lobby").path("id").asText()).isEqualTo("after");
            assertThat(us.stats().brokerMessagesDropped() + us.stats().brokerMessagesForged()).isZero();
            assertThat(refusedToNodes).as("errors the server sent the nodes").isEmpty();
        }
    }
}
