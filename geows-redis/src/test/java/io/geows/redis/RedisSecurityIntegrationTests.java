package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.GeoWsException;
import io.geows.GeoWsNode;
import io.geows.testkit.RedisServer;
import io.geows.testkit.TestCertificates;
import io.geows.testkit.TestClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Redis over TLS with an ACL user, on a real redis-server that serves TLS only and has its default
 * user disabled. Certificates are generated for the test run (testkit {@link TestCertificates}).
 */
class RedisSecurityIntegrationTests {
    private static final String USER = "geows";
    private static final String PASSWORD = "n0de-Secret";
    private static final String ADMIN_PASSWORD = "adm1n-Secret";
    private static TestCertificates certs;
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        certs = TestCertificates.generate();
        // geows gets its own keys and channels and no dangerous commands; admin only inspects
        redis = RedisServer.builder().tls(certs.server())
                .aclUser(USER, PASSWORD, "~geows:*", "~{geows.*", "&geows.*", "+@all", "-@dangerous")
                .aclUser("admin", ADMIN_PASSWORD)
                .start();
    }

    @AfterAll
    static void stop() {
        redis.close();
        certs.close();
    }

    private static RedisBroker.Builder broker(String name) {
        return RedisBroker.builder().name(name).checkInterval(Duration.ofMillis(200)).commandTimeout(Duration.ofSeconds(2));
    }

    private static GeoWsNode node(String region, String id, RedisBroker broker) {
        return TestNodes.nodeBuilder(region, id).broker(broker).build().start();
    }

    @Test
    @DisplayName("two regions exchange a room message over TLS as the ACL user (CA as PEM file and as trust store)")
    void roomMessageCrossesRegionsOverTlsAsAclUser() throws Exception {
        assertThat(redis.uri()).startsWith("rediss://");
        RedisBroker usBroker = broker("us-tls").uri("rediss://" + USER + ":" + PASSWORD + "@127.0.0.1:" + redis.port())
                .trustedCertificates(certs.caFile()).build();
        RedisBroker euBroker = broker("eu-tls").uri(redis.uri()).credentials(USER, PASSWORD.toCharArray())
                .trustStore(certs.trustStore(), certs.trustStorePassword()).build();
        assertThat(usBroker.address()).isEqualTo(redis.uri()).doesNotContain(PASSWORD);
        try (GeoWsNode us = node("us-east", "us-tls", usBroker);
             GeoWsNode eu = node("eu-west", "eu-tls", euBroker);
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient carol = TestClient.connectAs(eu.uri(), "carol")) {
            alice.join("secure");
            carol.join("secure");
            assertThat(TestClient.type(carol.publish("secure", "m1", "over tls"))).isEqualTo("ack");
            assertThat(alice.awaitMessage("secure").path("id").asText()).isEqualTo("m1");

            // Every connection the two nodes hold is logged in as the ACL user.
            List<String> clients = adminClientList();
            assertThat(clients).filteredOn(c -> c.contains(" user=" + USER + " ")).hasSizeGreaterThanOrEqualTo(4);
            assertThat(clients).noneMatch(c -> c.contains(" user=default "));
        }
    }

    @Test
    @DisplayName("without credentials Redis refuses the connection: the default user is disabled")
    void defaultUserIsDisabled() {
        assertThatThrownBy(() -> broker("anonymous").uri(redis.uri()).trustedCertificates(certs.caFile()).build())
                .isInstanceOf(GeoWsException.class)
                .hasMessageContaining(redis.uri())
                .hasMessageContaining("requires a login")
                .hasMessageContaining("NOAUTH");
    }

    @Test
    @DisplayName("a wrong password fails with a clear error naming the address, not the password")
    void wrongPasswordIsRefused() {
        String wrong = "Wr0ng-guess";
        assertThatThrownBy(() -> broker("wrong").uri(redis.uri()).credentials(USER, wrong.toCharArray())
                .trustedCertificates(certs.caFile()).build())
                .isInstanceOf(GeoWsException.class)
                .hasMessageContaining("Redis at " + redis.uri())
                .hasMessageContaining("refused the login")
                .hasMessageContaining("WRONGPASS")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(wrong).doesNotContain(PASSWORD));
        String inUri = "rediss://" + USER + ":" + wrong + "@127.0.0.1:" + redis.port();
        assertThatThrownBy(() -> broker("wrong-uri").uri(inUri).trustedCertificates(certs.caFile()).build())
                .isInstanceOf(GeoWsException.class)
                .hasMessageContaining("refused the login")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(wrong));
    }

    @Test
    @DisplayName("a server certificate from a CA the node does not trust is refused")
    void untrustedCertificateIsRefused() {
        try (RedisServer impostor = RedisServer.builder().tls(certs.untrusted()).aclUser(USER, PASSWORD).start()) {
            String uri = "rediss://" + USER + ":" + PASSWORD + "@127.0.0.1:" + impostor.port();
            assertThatThrownBy(() -> broker("untrusted").uri(uri).trustedCertificates(certs.caFile()).build())
                    .isInstanceOf(GeoWsException.class)
                    .hasMessageContaining("TLS handshake with Redis at " + impostor.uri() + " failed")
                    .hasMessageNotContaining(PASSWORD);
        }
        // nor is the private CA trusted unless configured: the JDK's default CAs do not include it
        String uri = "rediss://" + USER + ":" + PASSWORD + "@127.0.0.1:" + redis.port();
        assertThatThrownBy(() -> broker("default-trust").uri(uri).build())
                .isInstanceOf(GeoWsException.class)
                .hasMessageContaining("TLS handshake with Redis at " + redis.uri() + " failed");
    }

    @Test
    @DisplayName("host names are verified: a trusted certificate for another host is refused")
    void certificateForAnotherHostIsRefused() {
        try (RedisServer elsewhere = RedisServer.builder().tls(certs.wrongHost()).aclUser(USER, PASSWORD).start()) {
            String uri = "rediss://" + USER + ":" + PASSWORD + "@127.0.0.1:" + elsewhere.port();
            assertThatThrownBy(() -> broker("wrong-host").uri(uri).trustedCertificates(certs.caFile()).build())
                    .isInstanceOf(GeoWsException.class)
                    .hasMessageContaining("TLS handshake with Redis at " + elsewhere.uri() + " failed")
                    .hasMessageContaining("127.0.0.1");
        }
    }

    /** CLIENT LIST as the admin user (the node user may not run it). */
    private static List<String> adminClientList() {
        RedisURI uri = RedisURI.create(redis.uri());
        uri.setAuthentication("admin", ADMIN_PASSWORD.toCharArray());
        RedisClient admin = RedisClient.create(uri);
        admin.setOptions(io.lettuce.core.ClientOptions.builder()
                .sslOptions(SslOptions.builder().trustManager(certs.caFile().toFile()).build()).build());
        try (StatefulRedisConnection<String, String> c = admin.connect()) {
            return c.sync().clientList().lines().toList();
        } finally {
            admin.shutdown();
        }
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
