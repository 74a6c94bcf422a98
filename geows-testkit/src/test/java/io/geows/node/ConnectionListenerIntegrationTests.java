package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Authenticator;
import io.geows.CloseCodes;
import io.geows.ConnectionListener;
import io.geows.GeoWsNode;
import io.geows.NodeLimits;
import io.geows.SessionInfo;
import io.geows.memory.InMemoryBroker;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ConnectionListenerIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** What the listener was told, as text: "connected alice" or "disconnected alice 1000". */
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<SessionInfo> sessions = new LinkedBlockingQueue<>();

    private final ConnectionListener recorder = new ConnectionListener() {
        @Override
        public void connected(SessionInfo session) {
            sessions.add(session);
            events.add("connected " + session.userId());
        }

        @Override
        public void disconnected(SessionInfo session, int code, String reason) {
            events.add("disconnected " + session.userId() + " " + code);
        }
    };

    private GeoWsNode node(NodeLimits limits) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east")
                .nodeId("conn-1").broker(new InMemoryBroker().connect("conn-1")).limits(limits)
                .connectionListener(recorder).drainTimeout(Duration.ZERO).build().start();
    }

    private String next() throws InterruptedException {
        String e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(e).as("an event within " + WAIT).isNotNull();
        return e;
    }

    @Test
    @DisplayName("the listener sees connect, then disconnect with the close code: normal close, a killed client, node drain")
    void connectAndDisconnectWithTheirCodes() throws Exception {
        GeoWsNode node = node(NodeLimits.defaults());
        try (TestClient alice = TestClient.connectAs(node.uri(), "alice")) {
            assertThat(next()).isEqualTo("connected alice");
            SessionInfo info = sessions.take();
            assertThat(info.region()).isEqualTo("us-east");
            assertThat(info.nodeId()).isEqualTo("conn-1");
            assertThat(info.sessionId()).startsWith("conn-1-");
            assertThat(info.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
            alice.close();
            assertThat(next()).isEqualTo("disconnected alice " + CloseCodes.NORMAL);

            TestClient bob = TestClient.connectAs(node.uri(), "bob");
            assertThat(next()).isEqualTo("connected bob");
            bob.kill();
            assertThat(next()).isEqualTo("disconnected bob " + CloseCodes.ABNORMAL);

            TestClient carol = TestClient.connectAs(node.uri(), "carol");
            assertThat(next()).isEqualTo("connected carol");
            node.close(); // this client does not answer goaway: the node closes it
            assertThat(next()).isEqualTo("disconnected carol " + CloseCodes.GOING_AWAY);
            carol.close();
        } finally {
            node.close();
        }
        assertThat(events).isEmpty();
    }

    @Test
    @DisplayName("the listener sees a slow consumer's disconnect with 4008")
    void slowConsumerDisconnect() throws Exception {
        try (GeoWsNode node = node(NodeLimits.builder().messagesPerSecond(0).maxQueuedFrames(64).build());
             Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", node.port()));
            RawWebSocket.handshake(stalled, node.port());
            RawWebSocket.sendText(stalled.getOutputStream(), "{\"type\":\"hello\",\"token\":\"stalled\",\"protocol\":1}");
            RawWebSocket.sendText(stalled.getOutputStream(), "{\"type\":\"join\",\"room\":\"feed\",\"id\":\"j\"}");
            assertThat(next()).isEqualTo("connected stalled");
            Await.until("the stalled client is a member", WAIT, () -> node.presence("feed").join().size() == 1);
            String payload = "\"" + "x".repeat(4000) + "\"";
            for (int i = 0; i < 20_000 && node.stats().slowConsumerDisconnects() == 0; i++) {
                node.publish("feed", payload).get(5, TimeUnit.SECONDS);
            }
            assertThat(next()).isEqualTo("disconnected stalled " + CloseCodes.SLOW_CONSUMER);
        }
    }
}
