package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Authenticator;
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
        try (GeoWsNode node = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").nodeId("slow-1").port(0)
                .broker(new InMemoryBroker().connect("slow-1"))
                .limits(NodeLimits.builder().messagesPerSecond(0).maxQueuedFrames(512).maxQueuedBytes(1024 * 1024).build())
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

            // Publish in chunks and let the reader catch up after each: a healthy client never has
            // more than a chunk queued, while the stalled one falls further behind with every chunk.
            String payload = "x".repeat(4000);
            List<String> ids = new ArrayList<>();
            List<String> got = new ArrayList<>();
            int chunk = 50;
            for (int round = 0; round < 200 && (node.stats().slowConsumerDisconnects() == 0 || round < 4); round++) {
                for (int i = 0; i < chunk; i++) {
                    String id = "m" + ids.size();
                    ids.add(id);
                    publisher.send(java.util.Map.of("type", "publish", "room", "feed", "id", id, "data", payload));
                }
                while (got.size() < ids.size()) {
                    got.add(reader.awaitMessage("feed").path("id").asText());
                }
            }
            assertThat(node.stats().slowConsumerDisconnects()).as("the stalled client was disconnected").isEqualTo(1);
            assertThat(got).containsExactlyElementsOf(ids);
            Await.until("the stalled session is gone", Duration.ofSeconds(10), () -> node.stats().sessions() == 2);
            assertThat(reader.isOpen()).isTrue();
        }
    }
}
