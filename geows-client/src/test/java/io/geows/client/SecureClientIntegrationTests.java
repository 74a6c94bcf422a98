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
import io.geows.testkit.TestClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wss:// between the Java client and a node, with certificates made for the test (openssl and keytool,
 * never committed), and token refresh through the client's token supplier.
 */
class SecureClientIntegrationTests {
    private static final long WAIT = 15;
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        // PEM key and certificate for the node (openssl), valid for localhost and 127.0.0.1
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", dir.resolve("node-key.pem").toString(), "-out", dir.resolve("node-cert.pem").toString(),
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        // the same key and certificate as PKCS12
        run("openssl", "pkcs12", "-export", "-inkey", dir.resolve("node-key.pem").toString(), "-in",
                dir.resolve("node-cert.pem").toString(), "-out", dir.resolve("node.p12").toString(), "-passout", "pass:changeit");
        // a PKCS12 key store with a certificate for another host name (keytool)
        run("keytool", "-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=example.com", "-ext", "SAN=dns:example.com", "-keystore", dir.resolve("other.p12").toString(),
                "-storetype", "PKCS12", "-storepass", "changeit");
        run("keytool", "-exportcert", "-rfc", "-alias", "other", "-keystore", dir.resolve("other.p12").toString(),
                "-storepass", "changeit", "-file", dir.resolve("other-cert.pem").toString());
        // the client's trust store trusts both certificates
        for (String cert : List.of("node-cert.pem", "other-cert.pem")) {
            run("keytool", "-importcert", "-noprompt", "-alias", cert, "-file", dir.resolve(cert).toString(),
                    "-keystore", dir.resolve("trust.p12").toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
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

    private static SSLContext trusting(Path trustStore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            ks.load(in, PASSWORD);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    @DisplayName("the client talks to a wss:// node (PEM key material) through a trust store that holds its certificate")
    void clientOverWssWithTrustedCertificate() throws Exception {
        GeoWsNode node = wssNode(ServerTls.pem(dir.resolve("node-cert.pem"), dir.resolve("node-key.pem")),
                io.geows.Authenticator.insecureTokenAsUserId());
        assertThat(node.uri().getScheme()).isEqualTo("wss");
        Recorder room = new Recorder();
        GeoWsClient alice = later(GeoWsClient.builder().region("us-east", node.uri()).token("alice")
                .trustStore(dir.resolve("trust.p12"), PASSWORD).build());
        alice.connect().get(WAIT, TimeUnit.SECONDS);
        alice.join("lobby", room).get(WAIT, TimeUnit.SECONDS);
        PublishAck ack = alice.publish("lobby", Map.of("text", "over tls")).get(WAIT, TimeUnit.SECONDS);
        assertThat(Recorder.next(room.received, m -> true).id()).isEqualTo(ack.id());
    }

    @Test
    @DisplayName("a wss:// connection is refused with an untrusted certificate and with a certificate for another host")
    void untrustedOrWrongHostCertificatesAreRefused() throws Exception {
        GeoWsNode pem = wssNode(ServerTls.pem(dir.resolve("node-cert.pem"), dir.resolve("node-key.pem")),
                io.geows.Authenticator.insecureTokenAsUserId());
        GeoWsNode otherHost = wssNode(ServerTls.pkcs12(dir.resolve("other.p12"), PASSWORD),
                io.geows.Authenticator.insecureTokenAsUserId());
        SSLContext jvmDefault = SSLContext.getDefault();
        // the JVM's trust store does not know the test CA
        assertThatThrownBy(() -> TestClient.connect(pem.uri(), Map.of(), jvmDefault))
                .isInstanceOf(IllegalStateException.class);
        // trusted, but issued for example.com, not 127.0.0.1: the host name check refuses it
        SSLContext trustsBoth = trusting(dir.resolve("trust.p12"));
        assertThatThrownBy(() -> TestClient.connect(otherHost.uri(), Map.of(), trustsBoth))
                .isInstanceOf(IllegalStateException.class);
        // the same trust store and the right host: accepted
        try (TestClient ok = TestClient.connect(pem.uri(), Map.of(), trustsBoth)) {
            ok.send(Map.of("type", "hello", "token", "bob", "protocol", 1, "id", "h"));
            assertThat(ok.awaitRef("h").path("type").asText()).isEqualTo("welcome");
        }
        // PKCS12 key material works as well as PEM
        GeoWsNode p12 = wssNode(ServerTls.pkcs12(dir.resolve("node.p12"), PASSWORD), io.geows.Authenticator.insecureTokenAsUserId());
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
