package io.geows.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.Authenticator;
import io.geows.GeoWsException;
import io.geows.GeoWsNode;
import io.geows.testkit.Await;
import io.geows.testkit.KafkaServer;
import io.geows.testkit.Ports;
import io.geows.testkit.TestCertificates;
import io.geows.testkit.TestClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * TLS and SASL/SCRAM against a real Kafka broker: one broker with a certificate from a throw-away
 * CA, a SASL_SSL listener where alice logs in with SCRAM, and an SSL listener without SASL. The
 * right URI and CA carry room messages between two nodes; a wrong password, or a certificate the
 * client does not trust, is refused with a message that says which of the two it is.
 */
class KafkaSecurityIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final String PASSWORD = "alice-s3cret-pw";
    private static TestCertificates certs;
    private static KafkaServer kafka;

    @BeforeAll
    static void startKafka() {
        certs = TestCertificates.generate();
        try {
            kafka = KafkaServer.builder().tls(certs.server()).saslScramUser("alice", PASSWORD).start();
        } catch (RuntimeException e) {
            certs.close();
            throw e;
        }
    }

    @AfterAll
    static void stopKafka() {
        try {
            if (kafka != null) {
                kafka.close();
            }
        } finally {
            certs.close();
        }
    }

    private static String scramUri(String password, String mechanism) {
        return "kafkas://alice:" + password + "@" + Ports.LOOPBACK + ":" + kafka.saslPort() + "?sasl=" + mechanism;
    }

    private static KafkaBroker.Builder broker(String uri) {
        return KafkaBroker.builder().uri(uri).partitions(4).requestTimeout(REQUEST_TIMEOUT);
    }

    private static GeoWsNode node(String region, String id) {
        KafkaBroker broker = broker(scramUri(PASSWORD, "SCRAM-SHA-512")).trustedCertificates(certs.caFile()).name(id)
                .build();
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region).nodeId(id)
                .broker(broker).drainTimeout(Duration.ZERO).build().start();
    }

    @Test
    @DisplayName("kafkas:// with SCRAM-SHA-512 and the CA: a room message goes from a client on one node to a client on the other")
    void scramOverTlsCarriesRoomMessagesBetweenNodes() {
        assertThat(kafka.saslPort()).isPositive().isNotEqualTo(kafka.port());
        try (GeoWsNode us = node("us-east", "us-tls");
             GeoWsNode eu = node("eu-west", "eu-tls");
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient bob = TestClient.connectAs(eu.uri(), "bob")) {
            Await.until("nodes ready", WAIT, () -> us.isReady() && eu.isReady());
            alice.join("secure-room");
            bob.join("secure-room");
            assertThat(alice.publish("secure-room", "over-tls", "hello through SASL_SSL").path("type").asText())
                    .isEqualTo("ack");
            var received = bob.awaitMessage("secure-room", "over-tls", WAIT);
            assertThat(received.path("data").asText()).isEqualTo("hello through SASL_SSL");
            assertThat(received.path("from").asText()).isEqualTo("alice");
        }
    }

    @Test
    @DisplayName("SCRAM-SHA-256 logs in on the same listener")
    void scramSha256LogsInToo() {
        try (KafkaBroker b = broker(scramUri(PASSWORD, "SCRAM-SHA-256")).trustedCertificates(certs.caFile())
                .topicPrefix("sha256").build()) {
            assertThat(b.isConnected()).isTrue();
        }
    }

    @Test
    @DisplayName("a wrong SCRAM password is named as a credentials problem, without either password")
    void aWrongScramPasswordIsNamedWithoutTheSecret() {
        assertThatThrownBy(() -> broker(scramUri("wrong-s3cret-pw", "SCRAM-SHA-512")).trustedCertificates(certs.caFile())
                .build())
                .isInstanceOf(GeoWsException.class)
                .hasMessageContaining("credentials")
                .hasMessageNotContaining("wrong-s3cret-pw").hasMessageNotContaining(PASSWORD);
    }

    @Test
    @DisplayName("the JVM's default trust store does not trust the test CA: the failure names TLS and the certificate")
    void theDefaultTrustStoreIsRefusedAsATlsProblem() {
        String uri = "kafkas://" + Ports.LOOPBACK + ":" + kafka.tlsPort();
        assertThatThrownBy(() -> broker(uri).build())
                .isInstanceOf(GeoWsException.class)
                .hasMessageContaining("TLS handshake failed").hasMessageContaining("certification path")
                .hasMessageContaining("trustedCertificates")
                .hasMessageContaining(Ports.LOOPBACK + ":" + kafka.tlsPort())
                .hasMessageNotContaining("credentials");
    }

    @Test
    @DisplayName("a CA that did not sign the broker's certificate is refused as a TLS problem, not a password one")
    void aCaThatDidNotSignTheCertificateIsRefusedAsATlsProblem() {
        assertThatThrownBy(() -> broker(scramUri(PASSWORD, "SCRAM-SHA-512")).trustedCertificates(certs.untrusted().caFile())
                .build())
                .isInstanceOf(GeoWsException.class)
                .hasMessageContaining("TLS handshake failed").hasMessageContaining("certification path")
                .hasMessageNotContaining("credentials")
                .hasMessageNotContaining(PASSWORD);
    }
}
