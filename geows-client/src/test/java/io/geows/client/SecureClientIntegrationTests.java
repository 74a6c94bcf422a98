package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.geows.GeoWsNode;
import io.geows.ServerTls;
import io.geows.auth.JwtAuthenticator;
import io.geows.testkit.TestCertificates;
import io.geows.testkit.TestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wss:// between the Java client and a node, with certificates made for the test ({@link TestCertificates},
 * never committed), and token refresh through the client's token supplier.
 */
class SecureClientIntegrationTests {
    private static final long WAIT = 15;
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    private static TestCertificates certs;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.generate(); // a test CA, made now, never committed
        // the node's key and certificate as PKCS12 too
        java.nio.file.Files.copy(certs.keyStore(certs.server(), "changeit".toCharArray()), dir.resolve("node.p12"));
    }

    @AfterAll
    static void removeCertificates() {
        certs.close();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private <T extends AutoCloseable> T later(T c) {
        closeables.add(c);
        return c;
    }

    private GeoWsNode wssNode(ServerTls tls, io.geows.Authenticator auth) {
        return later(GeoWsNode.builder().region("us-east").authenticator(auth).tls(tls).build().start());
    }

    @Test
    @DisplayName("the client talks to a wss:// node (PEM key material) through a trust store that holds its certificate")
    void clientOverWssWithTrustedCertificate() throws Exception {
        GeoWsNode node = wssNode(ServerTls.pem(certs.server().certFile(), certs.server().keyFile()),
                io.geows.Authenticator.insecureTokenAsUserId());
        assertThat(node.uri().getScheme()).isEqualTo("wss");
        Recorder room = new Recorder();
        GeoWsClient alice = later(GeoWsClient.builder().region("us-east", node.uri()).token("alice")
                .trustStore(certs.trustStore(), certs.trustStorePassword()).build());
        alice.connect().get(WAIT, TimeUnit.SECONDS);
        alice.join("lobby", room).get(WAIT, TimeUnit.SECONDS);
        PublishAck ack = alice.publish("lobby", Map.of("text", "over tls")).get(WAIT, TimeUnit.SECONDS);
        assertThat(Recorder.next(room.received, m -> true).id()).isEqualTo(ack.id());
    }

    @Test
    @DisplayName("a wss:// connection is refused with an untrusted certificate and with a certificate for another host")
    void untrustedOrWrongHostCertificatesAreRefused() throws Exception {
        GeoWsNode pem = wssNode(ServerTls.pem(certs.server().certFile(), certs.server().keyFile()),
                io.geows.Authenticator.insecureTokenAsUserId());
        GeoWsNode untrusted = wssNode(ServerTls.pem(certs.untrusted().certFile(), certs.untrusted().keyFile()),
                io.geows.Authenticator.insecureTokenAsUserId());
        GeoWsNode otherHost = wssNode(ServerTls.pem(certs.wrongHost().certFile(), certs.wrongHost().keyFile()),
                io.geows.Authenticator.insecureTokenAsUserId());
        SSLContext trustsTestCa = certs.clientContext();
        // the JVM's trust store does not know the test CA
        assertThatThrownBy(() -> TestClient.connect(pem.uri(), Map.of(), SSLContext.getDefault()))
                .isInstanceOf(IllegalStateException.class);
        // signed by a CA the client does not trust
        assertThatThrownBy(() -> TestClient.connect(untrusted.uri(), Map.of(), trustsTestCa))
                .isInstanceOf(IllegalStateException.class);
        // signed by the trusted CA, but for another host name, not 127.0.0.1: the host name check refuses it
        assertThatThrownBy(() -> TestClient.connect(otherHost.uri(), Map.of(), trustsTestCa))
                .isInstanceOf(IllegalStateException.class);
        SSLContext trustsBoth = trustsTestCa;
        // the same trust store and the right host: accepted
        try (TestClient ok = TestClient.connect(pem.uri(), Map.of(), trustsBoth)) {
            ok.send(Map.of("type", "hello", "token", "bob", "protocol", 1, "id", "h"));
            assertThat(ok.awaitRef("h").path("type").asText()).isEqualTo("welcome");
        }
        // PKCS12 key material works as well as PEM
        GeoWsNode p12 = wssNode(ServerTls.pkcs12(dir.resolve("node.p12"), "changeit".toCharArray()), io.geows.Authenticator.insecureTokenAsUserId());
        try (TestClient ok = TestClient.connect(p12.uri(), Map.of(), trustsBoth)) {
            ok.send(Map.of("type", "hello", "token", "carol", "protocol", 1, "id", "h"));
            assertThat(ok.awaitRef("h").path("type").asText()).isEqualTo("welcome");
        }
        // and the Java client without the trust store never gets a session
        GeoWsClient stranger = later(GeoWsClient.builder().region("us-east", pem.uri()).token("eve")
                .reconnectBackoff(new ConstantBackoff(Duration.ofMillis(100))).build());
        assertThatThrownBy(() -> stranger.connect().get(3, TimeUnit.SECONDS)).isNotNull();
        assertThat(stranger.state()).isNotEqualTo(ConnectionState.CONNECTED);
        assertThat(pem.stats().sessions()).isZero();
    }

    @Test
    @DisplayName("the client answers the node's refresh request from its token supplier and keeps its session past the first expiry")
    void clientRefreshesItsToken() throws Exception {
        GeoWsNode node = later(GeoWsNode.builder().region("us-east")
                .authenticator(JwtAuthenticator.builder().hmacSecret(SECRET).clockSkew(Duration.ZERO).build())
                .build().start());
        AtomicInteger issued = new AtomicInteger();
        long firstExpiry = System.currentTimeMillis() + 3_000;
        Recorder events = new Recorder();
        GeoWsClient alice = later(GeoWsClient.builder().region("us-east", node.uri()).listener(events)
                .tokenSupplier(() -> token("alice", issued.incrementAndGet() == 1 ? firstExpiry : System.currentTimeMillis() + 60_000))
                .build());
        alice.connect().get(WAIT, TimeUnit.SECONDS);
        Recorder room = new Recorder();
        alice.join("lobby", room).get(WAIT, TimeUnit.SECONDS);
        io.geows.testkit.Await.until(() -> "tokens issued: " + issued.get() + ", now " + System.currentTimeMillis()
                + ", first expiry " + firstExpiry, Duration.ofSeconds(10),
                () -> issued.get() >= 2 && System.currentTimeMillis() > firstExpiry + 500);
        PublishAck ack = alice.publish("lobby", "still here").get(WAIT, TimeUnit.SECONDS);
        assertThat(Recorder.next(room.received, m -> true).id()).isEqualTo(ack.id());
        assertThat(issued.get()).as("one hello, one refresh: no reconnect").isEqualTo(2);
        assertThat(node.stats().tokensExpired()).isZero();
        assertThat(events.allEvents()).extracting(ConnectionEvent::state).doesNotContain(ConnectionState.RECONNECTING);
    }

    private static String token(String sub, long expiresAtMillis) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(sub)
                    .expirationTime(new Date(expiresAtMillis)).claim("rooms", List.of("*")).build());
            jwt.sign(new MACSigner(SECRET));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
