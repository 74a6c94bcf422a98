package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.GeoWsNode;
import io.geows.NodeLimits;
import io.geows.memory.InMemoryBroker;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SlowConsumerIntegrationTests {

    @Test
    @DisplayName("a client that stops reading is disconnected at its buffer limit; the others keep receiving everything")
    void slowConsumerIsDisconnectedOthersUnaffected() throws Exception {
        try (GeoWsNode node = GeoWsNode.builder().region("us-east").nodeId("slow-1").port(0)
                .broker(new InMemoryBroker().connect("slow-1"))
                .limits(NodeLimits.builder().maxQueuedFrames(512).maxQueuedBytes(1024 * 1024).build())
                .drainTimeout(Duration.ZERO)
                .build().start();
             TestClient publisher = TestClient.connectAs(node.uri(), "publisher");
             TestClient reader = TestClient.connectAs(node.uri(), "reader");
             Socket stalled = new Socket()) {
            publisher.join("feed");
            reader.join("feed");

            // A WebSocket client that joins and then never reads again; a tiny receive window makes
            // the kernel buffers fill quickly, so the node's queue for it has to grow.
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", node.port()));
            RawWebSocket.handshake(stalled, node.port());
            RawWebSocket.sendText(stalled.getOutputStream(), "{\"type\":\"hello\",\"token\":\"stalled\",\"protocol\":1}");
            RawWebSocket.sendText(stalled.getOutputStream(), "{\"type\":\"join\",\"room\":\"feed\"}");
            int[] query = {0};
            Await.until("the stalled client is a member of the room", Duration.ofSeconds(10), () -> {
                String id = "who" + query[0]++;
                reader.send(java.util.Map.of("type", "presence", "room", "feed", "id", id));
                return reader.awaitRef(id).path("members").size() == 3;
            });

            String payload = "x".repeat(4000);
            int count = 2500;
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String id = "m" + i;
                ids.add(id);
                publisher.send(java.util.Map.of("type", "publish", "room", "feed", "id", id, "data", payload));
            }
            Await.until(() -> "slow consumer disconnected; stats " + node.stats(), Duration.ofSeconds(20),
                    () -> node.stats().slowConsumerDisconnects() == 1);

            List<String> got = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                got.add(reader.awaitMessage("feed").path("id").asText());
            }
            assertThat(got).containsExactlyElementsOf(ids);
            Await.until("the stalled session is gone", Duration.ofSeconds(10), () -> node.stats().sessions() == 2);
            assertThat(reader.isOpen()).isTrue();
            assertThat(node.stats().slowConsumerDisconnects()).isEqualTo(1);
        }
    }
}
