package io.geows.testkit;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static io.geows.testkit.RawSockets.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NatsServerIntegrationTests {

    @Test
    void startsOnAFreeLoopbackPortAndSpeaksTheClientProtocol() throws IOException {
        try (NatsServer nats = NatsServer.launch();
                RawNatsClient client = new RawNatsClient(nats.port())) {
            assertThat(nats.port()).isPositive().isNotIn(Ports.RESERVED.toArray());
            assertThat(nats.uri()).isEqualTo("nats://127.0.0.1:" + nats.port());
            assertThat(nats.isRunning()).isTrue();
            assertThat(nats.info()).startsWith("{").contains("\"server_id\"");
            assertThat(client.info()).startsWith("INFO {");

            client.subscribe("greetings", 1);
            client.publish("greetings", "hello");

            assertThat(client.nextMessage(Duration.ofSeconds(2))).isEqualTo("hello");
        }
    }

    @Test
    void tlsAndAUserAreRequiredAndAnnouncedInInfo() throws IOException {
        try (TestCertificates certs = TestCertificates.generate();
             NatsServer nats = NatsServer.builder().jetStream().tls(certs.server()).user("geows", "pw-1").start()) {
            assertThat(nats.isTls()).isTrue();
            assertThat(nats.uri()).isEqualTo("tls://127.0.0.1:" + nats.port());
            assertThat(nats.info()).contains("\"tls_required\":true").contains("\"auth_required\":true");
        }
    }

    @Test
    void aTokenIsRequiredAndConfigurationValuesAreChecked() throws IOException {
        try (NatsServer nats = NatsServer.builder().token("t0ken").start()) {
            assertThat(nats.isTls()).isFalse();
            assertThat(nats.info()).contains("\"auth_required\":true");
        }
        assertThatThrownBy(() -> NatsServer.builder().user("geows", "p\"w"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("p\"w");
    }

    @Test
    void killDropsConnectionsAndStartBringsItBackOnTheSamePorts() throws IOException {
        try (NatsServer nats = NatsServer.builder().monitoring().start()) {
            int port = nats.port();
            int monitorPort = nats.monitorPort();
            long firstPid = nats.pid();
            try (RawNatsClient client = new RawNatsClient(port)) {
                nats.kill();

                assertThat(nats.isRunning()).isFalse();
                assertThatThrownBy(() -> {
                    client.publish("x", "y");
                    client.flush();
                }).isInstanceOf(IOException.class);
                assertRefused(port);
            }

            nats.start();

            assertThat(nats.port()).isEqualTo(port);
            assertThat(nats.monitorPort()).isEqualTo(monitorPort);
            assertThat(nats.pid()).isNotEqualTo(firstPid);
            assertThat(httpGet(nats.monitorUri() + "/healthz")).isEqualTo(200);
            try (RawNatsClient client = new RawNatsClient(port)) {
                client.flush();
            }
        }
    }

    @Test
    void restartKeepsThePortsAndCloseStopsTheProcess() throws IOException {
        NatsServer nats = NatsServer.builder().serverName("testkit-restart").start();
        int port = nats.port();
        long firstPid = nats.pid();

        nats.restart();

        assertThat(nats.port()).isEqualTo(port);
        assertThat(nats.pid()).isNotEqualTo(firstPid);
        assertThat(nats.info()).contains("\"server_name\":\"testkit-restart\"");
        try (RawNatsClient client = new RawNatsClient(port)) {
            client.flush();
        }

        long pid = nats.pid();
        Path dir = nats.logFile().getParent();
        nats.close();

        assertThat(nats.isRunning()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertRefused(port);
        assertThat(dir).doesNotExist();
    }

    @Test
    void jetStreamAndMonitoringAreReadyWhenStartReturns() throws IOException {
        try (NatsServer nats = NatsServer.builder().jetStream().monitoring().start()) {
            assertThat(nats.isJetStream()).isTrue();
            assertThat(nats.monitorPort()).isNotEqualTo(8222).isNotEqualTo(nats.port());
            assertThat(nats.info()).contains("\"jetstream\":true");
            assertThat(httpGet(nats.monitorUri() + "/healthz")).isEqualTo(200);
            assertThat(httpGet(nats.monitorUri() + "/jsz")).isEqualTo(200);
        }
    }

    @Test
    void monitorPortIsRejectedWithoutMonitoring() {
        try (NatsServer nats = NatsServer.launch()) {
            assertThatThrownBy(nats::monitorPort).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("monitoring()");
        }
    }

    @Test
    void aMessagePublishedOnOneGatewayReachesASubscriberOnTheOther() throws IOException {
        int gatewayA = Ports.freePort();
        int gatewayB = Ports.freePort();
        try (NatsServer a = NatsServer.builder().serverName("gw-a")
                        .config(gatewayConfig("A", gatewayA, "B", gatewayB)).start();
                NatsServer b = NatsServer.builder().serverName("gw-b")
                        .config(gatewayConfig("B", gatewayB, "A", gatewayA)).start();
                RawNatsClient subscriber = new RawNatsClient(b.port());
                RawNatsClient publisher = new RawNatsClient(a.port())) {
            subscriber.subscribe("geows.room.lobby", 1);
            subscriber.flush();

            // the gateways connect and exchange interest in the background: publish until through
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String received = null;
            for (int attempt = 1; received == null && System.nanoTime() < deadline; attempt++) {
                publisher.publish("geows.room.lobby", "hello-" + attempt);
                publisher.flush();
                received = subscriber.nextMessage(Duration.ofMillis(100));
            }

            assertThat(received).as("message relayed from A to B").startsWith("hello-");
        }
    }

    @Test
    void aBadConfigurationFailsWithTheServersLog() {
        assertThatThrownBy(() -> NatsServer.builder().config("gateway { name: ").start())
                .isInstanceOf(ServerProcessException.class)
                .hasMessageContaining("nats-server exited with code")
                .hasMessageContaining("nats.conf");
    }

    @Test
    void aMissingBinaryNamesThePackageAndTheVariable() {
        assertThatThrownBy(() -> NatsServer.builder()
                .environment(Map.of("GEOWS_NATS_SERVER", "/nonexistent/nats-server")).start())
                .isInstanceOf(ServerProcessException.class)
                .hasMessageContaining("nats-server not found")
                .hasMessageContaining("/nonexistent/nats-server")
                .hasMessageContaining("sudo apt-get install nats-server")
                .hasMessageContaining("GEOWS_NATS_SERVER");
    }

    private static String gatewayConfig(String name, int port, String otherName, int otherPort) {
        return "gateway {\n"
                + "  name: \"" + name + "\"\n"
                + "  host: \"127.0.0.1\"\n"
                + "  port: " + port + "\n"
                + "  gateways: [ { name: \"" + otherName + "\", urls: [\"nats://127.0.0.1:"
                + otherPort + "\"] } ]\n"
                + "}\n";
    }

    private static int httpGet(String uri) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(uri).toURL()
                .openConnection();
        try {
            connection.setConnectTimeout(2_000);
            connection.setReadTimeout(2_000);
            int status = connection.getResponseCode();
            if (status == 200) {
                assertThat(new String(connection.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8)).isNotBlank();
            }
            return status;
        } finally {
            connection.disconnect();
        }
    }
}
