package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.NodeObserver;
import io.geows.RoomAuthorizer;
import io.geows.memory.InMemoryBroker;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NodeObserverIntegrationTests {

    @Test
    @DisplayName("an observer that throws, or was built against another library version, breaks no session and no delivery")
    void failingObserverIsContained() {
        AtomicInteger calls = new AtomicInteger();
        NodeObserver broken = new NodeObserver() {
            @Override
            public void frameReceived(String type) {
                calls.incrementAndGet();
                // what a metrics binder compiled against a newer Micrometer throws on an older one
                throw new NoSuchMethodError("MeterRegistry.counter(String, Tags)");
            }

            @Override
            public void delivered(String kind, String originRegion, long originTimestampMillis, int recipients) {
                calls.incrementAndGet();
                throw new IllegalStateException("observer bug");
            }
        };
        try (GeoWsNode node = GeoWsNode.builder().region("us-east").nodeId("obs-1")
                .authenticator(Authenticator.insecureTokenAsUserId()).roomAuthorizer(RoomAuthorizer.allowAll())
                .broker(new InMemoryBroker().connect("obs-1")).observer(broken).drainTimeout(Duration.ZERO).build().start();
             TestClient alice = TestClient.connectAs(node.uri(), "alice");
             TestClient bob = TestClient.connectAs(node.uri(), "bob")) {
            alice.join("lobby");
            bob.join("lobby");
            assertThat(alice.publishAndAwait("lobby", "m1", Duration.ofSeconds(10), bob).path("type").asText())
                    .isEqualTo("ack");
            assertThat(alice.isOpen()).isTrue();
            assertThat(calls.get()).as("the observer was called and threw").isGreaterThan(2);
        }
    }
}
