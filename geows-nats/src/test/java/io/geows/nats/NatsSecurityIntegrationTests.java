package io.geows.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsException;
import io.geows.GeoWsNode;
import io.geows.testkit.NatsServer;
import io.geows.testkit.TestCertificates;
import io.geows.testkit.TestClient;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * NATS over TLS with a user and password, on a real nats-server that requires both. Certificates
 * are generated for the test run (testkit {@link TestCertificates}).
 */
class NatsSecurityIntegrationTests {
    private static final String USER = "geows";
    private static final String PASSWORD = "n0de-Secret";
    private static TestCertificates certs;
    private static NatsServer nats;

    @BeforeAll
    static void startServer() {
        certs = TestCertificates.generate();
        nats = NatsServer.builder().jetStream().tls(certs.server()).user(USER, PASSWORD).start();
    }

    @AfterAll
    static void stopServer() {
        nats.close();
        certs.close();
    }

    private static NatsBroker.Builder options(String url, String nodeId) {
        return TestNodes.options(url, nodeId).requestTimeout(Duration.ofSeconds(2));
    }

    @Test
    @DisplayName("two regions exchange a room message over TLS with user and password (CA as PEM file and as trust store)")
    void roomMessageCrossesRegionsOverTlsWithUserAndPassword() throws Exception {
        assertThat(nats.uri()).startsWith("tls://");
        String url = "tls://127.0.0.1:" + nats.port();
        NatsBroker usBroker = options("tls://" + USER + ":" + PASSWORD + "@127.0.0.1:" + nats.port(),
                "us-tls").trustedCertificates(certs.caFile()).build();
        NatsBroker euBroker = options(url, "eu-tls").credentials(USER, PASSWORD.toCharArray())
                .trustStore(certs.trustStore(), certs.trustStorePassword()).build();
        assertThat(usBroker.settings().toString()).doesNotContain(PASSWORD);
        try (TestNodes nodes = new TestNodes()) {
            GeoWsNode us = nodes.node("us-east", "us-tls", usBroker);
            GeoWsNode eu = nodes.node("eu-west", "eu-tls", euBroker);
            TestClient alice = nodes.client(us, "alice");
            TestClient carol = nodes.client(eu, "carol");
            alice.join("secure");
            carol.join("secure");
            TestNodes.awaitReady(us, eu);
            assertThat(TestClient.type(carol.publish("secure", "m1", "over tls"))).isEqualTo("ack");
            assertThat(alice.awaitMessage("secure").path("id").asText()).isEqualTo("m1");
        }
    }

    @Test
    @DisplayName("without credentials, or with a wrong password, the server refuses: a clear error naming the address, not the password")
    void wrongPasswordIsRefused() {
        String wrong = "Wr0ng-guess";
        String url = "tls://127.0.0.1:" + nats.port();
        assertThatThrownBy(() -> options(url, "wrong").credentials(USER, wrong.toCharArray())
                .trustedCertificates(certs.caFile()).build())
                .isInstanceOf(GeoWsException.class)
                .isNotInstanceOf(BrokerUnavailableException.class) // not worth retrying
                .hasMessageContaining("NATS at " + url + " refused the login")
                .hasMessageContaining("Authorization Violation")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(wrong).doesNotContain(PASSWORD));
        String inUrl = "tls://" + USER + ":" + wrong + "@127.0.0.1:" + nats.port();
        assertThatThrownBy(() -> options(inUrl, "wrong-url").trustedCertificates(certs.caFile()).build())
                .isInstanceOf(GeoWsException.class)
                .hasMessageContaining("NATS at tls://" + USER + ":***@127.0.0.1:" + nats.port() + " refused the login")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(wrong));
        assertThatThrownBy(() -> options(url, "anonymous").trustedCertificates(certs.caFile()).build())
                .isInstanceOf(GeoWsException.class)
                .hasMessageContaining("refused the login");
    }

    @Test
    @DisplayName("a token works as the login, from token(...) or the URL; a wrong one is refused without being shown")
    void tokenLogin() {
        String token = "t0ken-" + System.nanoTime();
        try (NatsServer tokenServer = NatsServer.builder().jetStream().token(token).start()) {
            try (NatsBroker broker = options(tokenServer.uri(), "token")
                    .token(token.toCharArray()).build()) {
                assertThat(broker.isConnected()).isTrue();
            }
            try (NatsBroker broker = options("nats://" + token + "@127.0.0.1:" + tokenServer.port(),
                    "token-url").build()) {
                assertThat(broker.isConnected()).isTrue();
            }
            assertThatThrownBy(() -> options(tokenServer.uri(), "bad-token")
                    .token("not-it".toCharArray()).build())
                    .isInstanceOf(GeoWsException.class)
                    .hasMessageContaining("NATS at " + tokenServer.uri() + " refused the login")
                    .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("not-it").doesNotContain(token));
        }
    }

    @Test
    @DisplayName("a server certificate from a CA the node does not trust is refused")
    void untrustedCertificateIsRefused() {
        try (NatsServer impostor = NatsServer.builder().jetStream().tls(certs.untrusted()).user(USER, PASSWORD).start()) {
            String url = "tls://127.0.0.1:" + impostor.port();
            assertThatThrownBy(() -> options(url, "untrusted").credentials(USER, PASSWORD.toCharArray())
                    .trustedCertificates(certs.caFile()).build())
                    .isInstanceOf(GeoWsException.class)
                    .hasMessageContaining("TLS handshake with NATS at " + url + " failed")
                    .hasMessageContaining("PKIX");
        }
        // nor is the private CA trusted unless configured: the JDK's default CAs do not include it
        String url = "tls://127.0.0.1:" + nats.port();
        assertThatThrownBy(() -> options(url, "default-trust").credentials(USER, PASSWORD.toCharArray())
                .build())
                .isInstanceOf(GeoWsException.class)
                .hasMessageContaining("TLS handshake with NATS at " + url + " failed")
                .hasMessageContaining("PKIX");
    }

    @Test
    @DisplayName("host names are verified: a trusted certificate for another host is refused")
    void certificateForAnotherHostIsRefused() throws Exception {
        try (NatsServer elsewhere = NatsServer.builder().jetStream().tls(certs.wrongHost()).user(USER, PASSWORD).start()) {
            String url = "tls://127.0.0.1:" + elsewhere.port();
            assertThatThrownBy(() -> options(url, "wrong-host").credentials(USER, PASSWORD.toCharArray())
                    .trustedCertificates(certs.caFile()).build())
                    .isInstanceOf(GeoWsException.class)
                    .hasMessageContaining("TLS handshake with NATS at " + url + " failed")
                    .hasMessageContaining("127.0.0.1");
            // jnats alone accepts it: the check is the broker's doing
            Options plain = new Options.Builder().server(url).userInfo(USER, PASSWORD)
                    .sslContext(certs.clientContext()).build();
            try (Connection c = Nats.connect(plain)) {
                assertThat(c.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            }
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
