package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.NodeLimits;
import io.geows.memory.InMemoryBroker;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.History;
import io.geows.spi.HistorySlice;
import io.geows.spi.Position;
import io.geows.testkit.ForwardingBroker;
import io.geows.testkit.ForwardingHistory;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A room live on a node keeps its last messages: a resume from a position among them, and a fresh
 * join, are answered without a broker read, with the same messages (exactly once, in order) a
 * history read would give; a resume from before them still reads history.
 */
class ResumeFromMemoryIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    @DisplayName("resumes within the room's recent messages and fresh joins do not read the broker; older resumes do")
    void recentResumesComeFromMemory() {
        Counting broker = new Counting(new InMemoryBroker().connect("us-east"));
        List<TestClient> clients = new ArrayList<>();
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east")
                .broker(broker).limits(NodeLimits.builder().recentMessagesPerRoom(8).build())
                .drainTimeout(Duration.ZERO).build().start()) {
            TestClient alice = TestClient.connectAs(node.uri(), "alice");
            TestClient bob = TestClient.connectAs(node.uri(), "bob");
            clients.add(alice);
            clients.add(bob);
            alice.join("r");
            bob.join("r");
            JsonNode seen = null;
            for (int i = 0; i < 3; i++) {
                seen = alice.publishAndAwait("r", "a" + i, WAIT, bob);
            }
            List<JsonNode> bobs = bob.messages("r");
            JsonNode bobsLast = bobs.get(bobs.size() - 1);
            assertThat(bobsLast.path("id").asText()).isEqualTo("a2");
            bob.close();
            List<String> missed = IntStream.range(0, 5).mapToObj(i -> "m" + i).toList();
            for (String id : missed) {
                alice.publishAndAwait("r", id, WAIT, alice);
            }

            broker.calls.clear();
            TestClient back = resume(node, "bob", bobsLast);
            clients.add(back);
            JsonNode welcome = back.awaitType("welcome");
            assertThat(welcome.path("recovered").path("r").asBoolean()).isTrue();
            alice.publish("r", "live", "live");
            assertThat(ids(back, "live")).containsExactly("m0", "m1", "m2", "m3", "m4", "live");
            TestClient carol = TestClient.connectAs(node.uri(), "carol");
            clients.add(carol);
            JsonNode joined = carol.join("r");
            List<JsonNode> backs = back.messages("r");
            assertThat(joined.path("offset").asLong()).as("a fresh join starts at the newest message")
                    .isEqualTo(backs.get(backs.size() - 1).path("offset").asLong());
            // (a room's first 2 s on a node, live messages are confirmed by reading after the newest one)
            assertThat(broker.calls).as("broker reads for the resume and the join")
                    .doesNotContain("position", "readAfter " + bobsLast.path("offset").asLong());
            assertThat(node.stats().resumesFromMemory()).isEqualTo(1);

            // From before what the room keeps (8 messages): history is read, and the answer is the same.
            for (int i = 0; i < 8; i++) {
                alice.publishAndAwait("r", "n" + i, WAIT, alice);
            }
            TestClient old = resume(node, "dave", seen);
            clients.add(old);
            assertThat(old.awaitType("welcome").path("recovered").path("r").asBoolean()).isTrue();
            alice.publish("r", "end", "end");
            List<String> expected = new ArrayList<>(missed);
            expected.add("live");
            IntStream.range(0, 8).forEach(i -> expected.add("n" + i));
            expected.add("end");
            assertThat(ids(old, "end")).containsExactlyElementsOf(expected);
            assertThat(broker.calls).as("the older resume read history").contains("readAfter " + seen.path("offset").asLong());
            assertThat(node.stats().resumesFromMemory()).isEqualTo(1);
        } finally {
            clients.forEach(TestClient::close);
        }
    }

    private static TestClient resume(GeoWsNode node, String user, JsonNode last) {
        TestClient c = TestClient.connect(node.uri());
        c.send(Map.of("type", "hello", "token", user, "protocol", 1, "id", "h",
                "resume", Map.of("r", Map.of("offset", last.path("offset").asLong(), "epoch", last.path("epoch").asText()))));
        return c;
    }

    /** The ids of the room's messages the client got, once the one with {@code lastId} arrived. */
    private static List<String> ids(TestClient c, String lastId) {
        c.awaitMessage("r", lastId, WAIT);
        return c.messages("r").stream().map(m -> m.path("id").asText()).toList();
    }

    /** Records history reads and position reads. */
    private static final class Counting extends ForwardingBroker {
        final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

        Counting(BrokerAdapter inner) {
            super(inner);
        }

        @Override
        public History history() {
            return new ForwardingHistory(inner.history()) {
                @Override
                public CompletableFuture<HistorySlice> readAfter(String room, long afterOffset, int limit) {
                    calls.add("readAfter " + afterOffset);
                    return inner.readAfter(room, afterOffset, limit);
                }

                @Override
                public CompletableFuture<Position> position(String room) {
                    calls.add("position");
                    return inner.position(room);
                }
            };
        }
    }
}
