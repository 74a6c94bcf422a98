package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.CloseCodes;
import io.geows.GeoWsNode;
import io.geows.NodeLimits;
import io.geows.memory.InMemoryBroker;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.History;
import io.geows.spi.HistorySlice;
import io.geows.spi.Position;
import io.geows.testkit.Await;
import io.geows.testkit.ForwardingBroker;
import io.geows.testkit.ForwardingHistory;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Join admission: joins beyond what the node works on at once wait their turn (latency, not
 * failure); past the waiting bound a join is answered {@code overloaded} and a resuming hello is
 * closed with 1013, and both succeed when tried again.
 */
class JoinAdmissionIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    @DisplayName("joins over the in-flight limit wait; over the waiting bound they are refused as overloaded, retryable")
    void joinsWaitThenAreRefusedAndSucceedWhenTriedAgain() {
        InMemoryBroker memory = new InMemoryBroker();
        Held broker = new Held(memory.connect("us-east"));
        List<TestClient> clients = new ArrayList<>();
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east")
                .broker(broker).limits(NodeLimits.builder().maxJoinsInFlight(2).maxJoinsWaiting(3).build())
                .drainTimeout(Duration.ZERO).build().start()) {
            broker.hold();
            for (int i = 0; i < 6; i++) {
                TestClient c = TestClient.connectAs(node.uri(), "u" + i);
                clients.add(c);
                c.send(Map.of("type", "join", "room", "r", "id", "j" + i));
            }
            // the sessions' joins reach the gate in any order: whichever came sixth is refused
            int[] sixth = {-1};
            Await.until("a join refused", WAIT, () -> {
                for (int i = 0; i < 6; i++) {
                    if (clients.get(i).seen().stream().anyMatch(f -> "error".equals(TestClient.type(f)))) {
                        sixth[0] = i;
                        return true;
                    }
                }
                return false;
            });
            JsonNode refused = clients.get(sixth[0]).awaitRef("j" + sixth[0]);
            assertThat(refused.path("type").asText()).isEqualTo("error");
            assertThat(refused.path("code").asText()).isEqualTo("overloaded");
            for (int i = 0; i < 6; i++) {
                // two in flight, three waiting: none answered while the broker holds them
                if (i != sixth[0]) {
                    assertThat(clients.get(i).seen()).as("client %d answered while held", i)
                            .noneMatch(f -> "joined".equals(TestClient.type(f)) || "error".equals(TestClient.type(f)));
                }
            }

            // a resuming hello while the gate is full: told so and closed with 1013
            TestClient resumer = TestClient.connect(node.uri());
            clients.add(resumer);
            resumer.send(Map.of("type", "hello", "token", "resumer", "protocol", 1, "id", "h",
                    "resume", Map.of("r", Map.of("offset", 0, "epoch", "e"))));
            assertThat(resumer.awaitRef("h").path("code").asText()).isEqualTo("overloaded");
            assertThat(resumer.awaitClose(WAIT)).isEqualTo(CloseCodes.TRY_AGAIN_LATER);

            broker.release();
            for (int i = 0; i < 6; i++) {
                if (i != sixth[0]) {
                    assertThat(clients.get(i).awaitRef("j" + i).path("type").asText()).as("waited, then joined").isEqualTo("joined");
                }
            }
            clients.get(sixth[0]).send(Map.of("type", "join", "room", "r", "id", "again"));
            assertThat(clients.get(sixth[0]).awaitRef("again").path("type").asText()).isEqualTo("joined");
        } finally {
            clients.forEach(TestClient::close);
        }
    }

    /** Delegates to a real adapter; while held, history position reads wait until released. */
    private static final class Held extends ForwardingBroker {
        private final AtomicReference<CompletableFuture<Void>> gate = new AtomicReference<>(CompletableFuture.completedFuture(null));

        Held(BrokerAdapter inner) {
            super(inner);
        }

        void hold() {
            gate.set(new CompletableFuture<>());
        }

        void release() {
            gate.get().complete(null);
        }

        @Override
        public History history() {
            return new ForwardingHistory(inner.history()) {
                @Override
                public CompletableFuture<HistorySlice> readAfter(String room, long afterOffset, int limit) {
                    return gate.get().thenCompose(x -> inner.readAfter(room, afterOffset, limit));
                }

                @Override
                public CompletableFuture<Position> position(String room) {
                    return gate.get().thenCompose(x -> inner.position(room));
                }
            };
        }
    }
}
