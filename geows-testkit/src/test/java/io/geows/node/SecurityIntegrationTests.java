package io.geows.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.geows.Authenticator;
import io.geows.CloseCodes;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.NodeLimits;
import io.geows.Topics;
import io.geows.auth.JwtAuthenticator;
import io.geows.memory.InMemoryBroker;
import io.geows.spi.BrokerAdapter;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Tokens, refresh, room authorization, forged fields and forged broker messages, end to end on real sockets. */
class SecurityIntegrationTests {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_SECRET = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long MINUTE = 60_000;

    private final List<AutoCloseable> closeables = new ArrayList<>();

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

    private static JWTClaimsSet.Builder claims(String sub, long lifetimeMillis) {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder().subject(sub).issuer("https://auth.example/").audience("geows")
                .expirationTime(new Date(now + lifetimeMillis)).notBeforeTime(new Date(now - MINUTE))
                .claim("rooms", List.of("chat.*")).claim("rooms_read", List.of("news"));
    }

    private static String sign(JWTClaimsSet claims, byte[] secret) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String token(String sub, long lifetimeMillis) {
        return sign(claims(sub, lifetimeMillis).build(), SECRET);
    }

    private GeoWsNode jwtNode() {
        return later(GeoWsNode.builder().region("us-east")
                .authenticator(JwtAuthenticator.builder().hmacSecret(SECRET).issuer("https://auth.example/")
                        .audience("geows").clockSkew(Duration.ZERO).build())
                .build().start());
    }

    private TestClient hello(GeoWsNode node, String token) {
        return later(TestClient.connectWithToken(node.uri(), token));
    }

    @Test
    @DisplayName("not-yet-valid, wrong-issuer, wrong-audience, bad-signature and alg:none tokens are refused with 4001; "
            + "an expired one with token_expired and 4003")
    void badTokensAreRefused() {
        GeoWsNode node = jwtNode();
        long now = System.currentTimeMillis();
        TestClient late = hello(node, sign(claims("a", MINUTE).expirationTime(new Date(now - MINUTE)).build(), SECRET));
        assertThat(late.awaitRef("hello").path("code").asText()).isEqualTo("token_expired");
        assertThat(late.awaitClose(WAIT)).isEqualTo(CloseCodes.TOKEN_EXPIRED);
        Map<String, String> bad = Map.of(
                "not yet valid", sign(claims("a", 10 * MINUTE).notBeforeTime(new Date(now + 5 * MINUTE)).build(), SECRET),
                "wrong issuer", sign(claims("a", MINUTE).issuer("https://evil.example/").build(), SECRET),
                "wrong audience", sign(claims("a", MINUTE).audience("other").build(), SECRET),
                "bad signature", sign(claims("a", MINUTE).build(), OTHER_SECRET),
                "alg none", new PlainJWT(new PlainHeader(), claims("a", MINUTE).build()).serialize());
        for (var e : bad.entrySet()) {
            TestClient c = hello(node, e.getValue());
            JsonNode error = c.awaitRef("hello");
            assertThat(error.path("code").asText()).as(e.getKey()).isEqualTo("unauthorized");
            assertThat(c.awaitClose(WAIT)).as(e.getKey()).isEqualTo(CloseCodes.UNAUTHORIZED);
        }
        TestClient good = hello(node, token("a", MINUTE));
        assertThat(good.awaitRef("hello").path("type").asText()).isEqualTo("welcome");
        assertThat(node.stats().sessions()).isEqualTo(1);
    }

    @Test
    @DisplayName("a session is asked to refresh before expiry: with a fresh token it stays, without one it is closed with 4003")
    void refreshKeepsTheSessionExpiryClosesIt() {
        GeoWsNode node = jwtNode();
        long lifetime = 3_000;
        TestClient keeper = hello(node, token("keeper", lifetime));
        TestClient lapser = hello(node, token("lapser", lifetime));
        JsonNode welcome = keeper.awaitRef("hello");
        assertThat(welcome.path("expiresAt").asLong()).isGreaterThan(System.currentTimeMillis());
        lapser.awaitRef("hello");
        keeper.join("chat.a");

        JsonNode ask = keeper.awaitType("refresh");
        assertThat(ask.path("expiresAt").asLong()).isEqualTo(welcome.path("expiresAt").asLong());
        assertThat(System.currentTimeMillis()).isLessThan(ask.path("expiresAt").asLong());
        keeper.send(Map.of("type", "refresh", "id", "r1", "token", "not a jwt"));
        assertThat(keeper.awaitRef("r1").path("code").asText()).isEqualTo("unauthorized"); // refused, still open
        keeper.send(Map.of("type", "refresh", "id", "r2", "token", token("keeper", 10 * MINUTE)));
        JsonNode refreshed = keeper.awaitRef("r2");
        assertThat(refreshed.path("type").asText()).isEqualTo("refreshed");
        assertThat(refreshed.path("expiresAt").asLong()).isGreaterThan(welcome.path("expiresAt").asLong());

        // The one that did not refresh is told and closed at its expiry ...
        assertThat(lapser.awaitClose(WAIT)).isEqualTo(CloseCodes.TOKEN_EXPIRED);
        assertThat(lapser.seen()).anyMatch(f -> "token_expired".equals(f.path("code").asText()));
        // ... by then the refreshed one is past its first expiry too, and still works.
        assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(welcome.path("expiresAt").asLong());
        assertThat(keeper.publish("chat.a", "after-expiry", 1).path("type").asText()).isEqualTo("ack");
        assertThat(keeper.awaitMessage("chat.a").path("id").asText()).isEqualTo("after-expiry");
        assertThat(keeper.isOpen()).isTrue();
        assertThat(node.stats().tokensExpired()).isEqualTo(1);
    }

    @Test
    @DisplayName("a refresh token for another user closes the session with 4001")
    void refreshForAnotherUserIsRefused() {
        GeoWsNode node = jwtNode();
        TestClient c = hello(node, token("alice", MINUTE));
        c.awaitRef("hello");
        c.send(Map.of("type", "refresh", "id", "r", "token", token("mallory", MINUTE)));
        assertThat(c.awaitRef("r").path("code").asText()).isEqualTo("unauthorized");
        assertThat(c.awaitClose(WAIT)).isEqualTo(CloseCodes.UNAUTHORIZED);
    }

    @Test
    @DisplayName("room authorization from the token's claims: a denied join, publish or presence is an error frame, not a close")
    void roomAuthorizationFromClaims() {
        GeoWsNode node = jwtNode();
        TestClient alice = hello(node, token("alice", MINUTE));
        alice.awaitRef("hello");
        assertThat(alice.join("chat.lobby").path("type").asText()).isEqualTo("joined");

        alice.send(Map.of("type", "join", "room", "admin", "id", "j-admin"));
        JsonNode denied = alice.awaitRef("j-admin");
        assertThat(denied.path("type").asText()).isEqualTo("error");
        assertThat(denied.path("code").asText()).isEqualTo("forbidden");

        assertThat(alice.join("news").path("type").asText()).isEqualTo("joined"); // read-only room
        alice.send(Map.of("type", "publish", "room", "news", "id", "p-news", "data", "x"));
        assertThat(alice.awaitRef("p-news").path("code").asText()).isEqualTo("forbidden");
        alice.send(Map.of("type", "presence", "room", "news", "id", "q-news"));
        assertThat(alice.awaitRef("q-news").path("type").asText()).isEqualTo("presence");

        // still open and working
        assertThat(alice.publish("chat.lobby", "ok", 1).path("type").asText()).isEqualTo("ack");
        assertThat(alice.isOpen()).isTrue();
        assertThat(node.stats().accessDenied()).isEqualTo(2);

        // a resume may not smuggle in a denied room either
        TestClient again = later(TestClient.connect(node.uri()));
        again.send(Map.of("type", "hello", "token", token("alice", MINUTE), "protocol", 1, "id", "h",
                "resume", Map.of("admin", Map.of("offset", 0, "epoch", "x"))));
        JsonNode welcome = again.awaitFrame(f -> "welcome".equals(TestClient.type(f)), WAIT);
        assertThat(welcome.path("positions").has("admin")).isFalse();
        // the refusal is sent before the welcome
        assertThat(again.seen()).anyMatch(f -> "forbidden".equals(f.path("code").asText()) && "h".equals(f.path("ref").asText()));
    }

    @Test
    @DisplayName("a client that sets from, region or node gets forbidden_field; nothing is published under another name")
    void forgedIdentityFieldsAreRefused() {
        GeoWsNode node = later(GeoWsNode.builder().region("us-east").authenticator(Authenticator.insecureTokenAsUserId())
                .build().start());
        TestClient mallory = later(TestClient.connectAs(node.uri(), "mallory"));
        TestClient bob = later(TestClient.connectAs(node.uri(), "bob"));
        mallory.join("r");
        bob.join("r");
        for (String field : List.of("from", "region", "node")) {
            mallory.send(Map.of("type", "publish", "room", "r", "id", "forged-" + field, "data", "x", field, "alice"));
            assertThat(mallory.awaitRef("forged-" + field).path("code").asText()).isEqualTo("forbidden_field");
        }
        assertThat(mallory.publish("r", "real", 1).path("type").asText()).isEqualTo("ack");
        JsonNode got = bob.awaitMessage("r");
        assertThat(got.path("id").asText()).isEqualTo("real");
        assertThat(got.path("from").asText()).isEqualTo("mallory");
    }

    @Test
    @DisplayName("inter-region HMAC: unsigned or wrongly signed broker messages are dropped and counted; rotated keys still talk")
    void forgedBrokerMessagesAreDropped() {
        InMemoryBroker broker = new InMemoryBroker();
        byte[] k1 = "k1-secret-k1-secret-k1-secret-k1".getBytes(StandardCharsets.UTF_8);
        byte[] k2 = "k2-secret-k2-secret-k2-secret-k2".getBytes(StandardCharsets.UTF_8);
        // mid-rotation: us already signs with k2, eu still with k1; both accept both
        GeoWsNode us = later(GeoWsNode.builder().region("us-east").nodeId("us").broker(broker.connect("us"))
                .authenticator(Authenticator.insecureTokenAsUserId())
                .interRegionKeys(InterRegionKeys.signingWith("k2", k2).accepting("k1", k1)).build().start());
        GeoWsNode eu = later(GeoWsNode.builder().region("eu-west").nodeId("eu").broker(broker.connect("eu"))
                .authenticator(Authenticator.insecureTokenAsUserId())
                .interRegionKeys(InterRegionKeys.signingWith("k1", k1).accepting("k2", k2)).build().start());
        TestClient alice = later(TestClient.connectAs(us.uri(), "alice"));
        TestClient bob = later(TestClient.connectAs(eu.uri(), "bob"));
        alice.join("r");
        bob.join("r");

        // an intruder on the broker: no key, a stranger's key, and a real signature over other bytes
        try (BrokerAdapter intruder = broker.connect("intruder")) {
            String forged = "{\"k\":\"room\",\"id\":\"evil\",\"room\":\"r\",\"from\":\"alice\",\"region\":\"us-east\","
                    + "\"node\":\"us\",\"ts\":1,\"data\":\"send me your password\"}";
            byte[] unsigned = forged.getBytes(StandardCharsets.UTF_8);
            byte[] strangerKey = sealWith("k1", "x".repeat(32).getBytes(StandardCharsets.UTF_8), unsigned);
            byte[] tampered = sealWith("k1", k1, unsigned);
            tampered[tampered.length - 3] ^= 1; // the body changed after signing
            int n = 0;
            for (byte[] payload : List.of(unsigned, strangerKey, tampered)) {
                intruder.history().append("r", "intruder\n" + n++, Topics.defaults().room("r"), payload).join();
                intruder.publish(Topics.defaults().node("eu"), directTo("bob", payload)).join();
            }
            intruder.publish(Topics.defaults().all(), unsigned).join();
        }
        Await.until(() -> "forged counts us=" + us.stats().brokerMessagesForged() + " eu=" + eu.stats().brokerMessagesForged(),
                WAIT, () -> us.stats().brokerMessagesForged() >= 4 && eu.stats().brokerMessagesForged() >= 7);

        // genuine messages cross both ways while the two nodes sign with different keys
        alice.publish("r", "from-us", 1);
        bob.publish("r", "from-eu", 2);
        List<String> bobGot = List.of(bob.awaitMessage("r").path("id").asText(), bob.awaitMessage("r").path("id").asText());
        assertThat(bobGot).containsExactlyInAnyOrder("from-us", "from-eu");
        List<String> aliceGot = List.of(alice.awaitMessage("r").path("id").asText(), alice.awaitMessage("r").path("id").asText());
        assertThat(aliceGot).containsExactlyInAnyOrder("from-us", "from-eu");
        assertThat(bob.seen()).noneMatch(f -> "evil".equals(f.path("id").asText()) || "broadcast".equals(TestClient.type(f))
                || "direct".equals(TestClient.type(f)));
        assertThat(alice.seen()).noneMatch(f -> "evil".equals(f.path("id").asText()));
    }

    @Test
    @DisplayName("a flooding client is rate limited and closed with 4029; others keep normal latency and lose nothing")
    void floodIsThrottledOthersUnaffected() throws Exception {
        GeoWsNode node = later(GeoWsNode.builder().region("us-east").authenticator(Authenticator.insecureTokenAsUserId())
                .limits(NodeLimits.builder().messagesPerSecond(50).messageBurst(50).build()).build().start());
        TestClient flood = later(TestClient.connectAs(node.uri(), "flood"));
        TestClient alice = later(TestClient.connectAs(node.uri(), "alice"));
        TestClient bob = later(TestClient.connectAs(node.uri(), "bob"));
        flood.join("r");
        alice.join("r");
        bob.join("r");
        Thread flooder = new Thread(() -> {
            for (int i = 0; i < 20_000 && flood.isOpen(); i++) {
                try {
                    flood.sendRaw("{\"type\":\"publish\",\"room\":\"r\",\"id\":\"f" + i + "\",\"data\":\"xxxxxxxxxxxxxxxx\"}");
                } catch (RuntimeException closed) {
                    return;
                }
            }
        });
        flooder.start();
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = "a" + i;
            long t0 = System.nanoTime();
            assertThat(alice.publish("r", id, i).path("type").asText()).isEqualTo("ack");
            bob.awaitFrame(f -> "message".equals(TestClient.type(f)) && id.equals(f.path("id").asText()), WAIT);
            latencies.add((System.nanoTime() - t0) / 1_000_000);
        }
        // 4029, or 1006 when the flooder's unread frames make the closing TCP connection reset
        assertThat(flood.awaitClose(WAIT)).isIn(CloseCodes.RATE_LIMITED, 1006);
        flooder.join(10_000);
        Await.until(() -> "sessions " + node.stats().sessions(), WAIT, () -> node.stats().sessions() == 2);
        // everything alice published reached bob, once, in order
        List<String> bobIds = bob.seen().stream().filter(f -> "message".equals(TestClient.type(f)))
                .map(f -> f.path("id").asText()).filter(id -> id.startsWith("a")).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("a" + i);
        }
        assertThat(bobIds).containsExactlyElementsOf(expected);
        assertThat(node.stats().rateLimited()).isGreaterThan(0);
        long worst = latencies.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(worst).as("alice's worst publish->bob latency in ms, %s", latencies).isLessThan(1000);
    }

    @Test
    @DisplayName("connections per address and the origin allow-list close with 4009 and 4005 and are counted")
    void connectionLimitsAndOrigins() {
        GeoWsNode node = later(GeoWsNode.builder().region("us-east").authenticator(Authenticator.insecureTokenAsUserId())
                .allowedOrigins(List.of("https://chat.example.com"))
                .limits(NodeLimits.builder().maxConnectionsPerAddress(3).build()).build().start());
        TestClient evilPage = later(TestClient.connect(node.uri(), Map.of("Origin", "https://evil.example"), null));
        assertThat(evilPage.awaitClose(WAIT)).isEqualTo(CloseCodes.ORIGIN_NOT_ALLOWED);
        TestClient goodPage = later(TestClient.connect(node.uri(), Map.of("Origin", "https://chat.example.com"), null));
        goodPage.send(Map.of("type", "hello", "token", "page", "protocol", 1, "id", "h"));
        assertThat(goodPage.awaitRef("h").path("type").asText()).isEqualTo("welcome");
        TestClient second = later(TestClient.connectAs(node.uri(), "app1")); // no Origin: not a browser
        TestClient third = later(TestClient.connectAs(node.uri(), "app2"));
        TestClient fourth = later(TestClient.connect(node.uri()));
        assertThat(fourth.awaitClose(WAIT)).isEqualTo(CloseCodes.TOO_MANY_CONNECTIONS);
        assertThat(node.stats().connectionsRefused()).isEqualTo(2);
        // a slot frees up when someone leaves
        third.close();
        Await.until(() -> "sessions " + node.stats().sessions(), WAIT, () -> node.stats().sessions() == 2);
        TestClient again = later(TestClient.connectAs(node.uri(), "app3"));
        assertThat(again.isOpen()).isTrue();
        assertThat(second.isOpen()).isTrue();
    }

    @Test
    @DisplayName("slow openers: no WebSocket upgrade or no hello within the hello timeout is closed and counted")
    void handshakeAndHelloDeadlines() throws Exception {
        GeoWsNode node = later(GeoWsNode.builder().region("us-east").authenticator(Authenticator.insecureTokenAsUserId())
                .limits(NodeLimits.builder().helloTimeout(Duration.ofMillis(500)).build()).build().start());
        try (java.net.Socket idle = new java.net.Socket("127.0.0.1", node.port());
             java.net.Socket partial = new java.net.Socket("127.0.0.1", node.port())) {
            idle.setSoTimeout((int) WAIT.toMillis());
            partial.setSoTimeout((int) WAIT.toMillis());
            partial.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            // the node closes both sockets: the reads end (-1), they do not time out
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            assertThat(partial.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(node.stats().connectionsRefused()).isEqualTo(2);
        TestClient silent = later(TestClient.connect(node.uri()));
        assertThat(silent.awaitClose(WAIT)).isEqualTo(CloseCodes.HELLO_TIMEOUT);
        Await.until(() -> "limit disconnects " + node.stats().limitDisconnects(), WAIT, () -> node.stats().limitDisconnects() == 1);
        TestClient fine = later(TestClient.connectAs(node.uri(), "fine"));
        assertThat(fine.isOpen()).isTrue();
    }

    private static byte[] sealWith(String keyId, byte[] secret, byte[] body) {
        return InterRegionKeysAccess.seal(keyId, secret, body);
    }

    private static byte[] directTo(String user, byte[] roomPayload) {
        String s = new String(roomPayload, StandardCharsets.UTF_8)
                .replace("\"k\":\"room\"", "\"k\":\"direct\"").replace("\"room\":\"r\"", "\"to\":\"" + user + "\"");
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Signs like a node would, through the internal seal (the intruder with a key of its own). */
    private static final class InterRegionKeysAccess {
        static byte[] seal(String keyId, byte[] secret, byte[] body) {
            return new io.geows.internal.BrokerSeal(keyId, Map.of(keyId, secret)).seal(body);
        }
    }
}
