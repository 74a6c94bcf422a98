package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.GeoWsNode;
import io.geows.NodeLimits;
import io.geows.memory.InMemoryBroker;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
            handshake(stalled, node.port());
            sendText(stalled.getOutputStream(), "{\"type\":\"hello\",\"token\":\"stalled\",\"protocol\":1}");
            sendText(stalled.getOutputStream(), "{\"type\":\"join\",\"room\":\"feed\"}");
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

    private static void handshake(Socket s, int port) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String req = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during handshake: " + head);
            }
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
    }

    /** A masked client text frame (RFC 6455 section 5.2). */
    private static void sendText(OutputStream out, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        out.write(0x81);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else {
            out.write(0x80 | 126);
            out.write(payload.length >> 8);
            out.write(payload.length & 0xFF);
        }
        out.write(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i % 4]);
        }
        out.flush();
    }
}
