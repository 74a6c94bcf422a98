package io.geows.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.BrokerUnavailableException;
import io.geows.CloseCodes;
import io.geows.GeoWsNode;
import io.geows.RoomHistory;
import io.geows.RoomMessage;
import io.geows.spi.Position;
import io.geows.spi.PresenceMember;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The application's operations on a node ({@link GeoWsNode#publish}, {@code sendToUser},
 * {@code presence}, {@code history}, {@code disconnectUser}) across two regions on one broker: the
 * same guarantees as client traffic. Part of the {@link BrokerCompatibilityKit}.
 *
 * @since 0.2.0
 */
public abstract class ServerOperationsKit extends KitSupport {

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("operation failed", e);
        }
    }

    @Test
    @DisplayName("a server publish in us-east reaches members in both regions once, in order with client messages sent meanwhile")
    void serverPublishReachesBothRegionsOnceInOrderWithClientMessages() throws Exception {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        String room = unique("orders");
        TestClient alice = client(us1, "alice");
        TestClient carol = client(eu1, "carol");
        alice.join(room);
        carol.join(room);

        // The application and a client publish at the same time; the room's history orders them.
        List<CompletableFuture<Position>> server = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            alice.send(Map.of("type", "publish", "room", room, "id", "c" + i, "data", Map.of("n", i)));
            server.add(us1.publish(room, "s" + i, "{\"status\":" + i + "}"));
        }
        List<Long> serverOffsets = new ArrayList<>();
        for (CompletableFuture<Position> f : server) {
            serverOffsets.add(await(f).offset());
        }
        for (int i = 0; i < 20; i++) {
            assertThat(TestClient.type(alice.awaitRef("c" + i))).isEqualTo("ack");
        }
        assertThat(serverOffsets).as("offsets of the server's messages").isSorted().doesNotHaveDuplicates();
        assertThat(await(us1.publish(room, "end", "\"end\"")).offset()).isGreaterThan(serverOffsets.get(19));

        List<List<String>> orders = new ArrayList<>();
        for (TestClient c : List.of(alice, carol)) {
            List<String> ids = idsUntil(c, room, "end");
            assertThat(ids).as("each message once").doesNotHaveDuplicates().hasSize(40);
            assertThat(ids.stream().filter(id -> id.startsWith("s")).toList()).as("server messages in publication order")
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "s" + i).toList());
            assertThat(ids.stream().filter(id -> id.startsWith("c")).toList()).as("client messages in order")
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "c" + i).toList());
            orders.add(ids);
        }
        assertThat(orders.get(1)).as("both regions see one order").isEqualTo(orders.get(0));
        JsonNode s3 = carol.seen().stream()
                .filter(f -> "message".equals(TestClient.type(f)) && "s3".equals(f.path("id").asText()))
                .findFirst().orElseThrow();
        assertThat(s3.has("from")).as("an application message has no sender: %s", s3).isFalse();
        assertThat(s3.path("region").asText()).isEqualTo("us-east");
        assertThat(s3.path("data").path("status").asInt()).isEqualTo(3);
        assertThat(s3.path("offset").asLong()).isEqualTo(serverOffsets.get(3));
    }

    @Test
    @DisplayName("a repeated server publish id, also from the other region, completes with the first position and is delivered once")
    void repeatedServerPublishIdIsDeliveredOnce() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        String room = unique("orders");
        TestClient carol = client(eu1, "carol");
        carol.join(room);

        Position first = await(us1.publish(room, "order-42-shipped", "{\"status\":\"shipped\"}"));
        Position again = await(us1.publish(room, "order-42-shipped", "{\"status\":\"shipped\"}"));
        Position elsewhere = await(eu1.publish(room, "order-42-shipped", "{\"status\":\"shipped\"}"));
        assertThat(again).isEqualTo(first);
        assertThat(elsewhere).isEqualTo(first);
        // A client may use the same id: the application's ids are its own.
        carol.publish(room, "order-42-shipped", "mine");
        await(us1.publish(room, "end", "0"));
        assertThat(idsUntil(carol, room, "end")).containsExactly("order-42-shipped", "order-42-shipped");
        assertThat(carol.messages(room).get(0).has("from")).isFalse();
    }

    @Test
    @DisplayName("during a broker outage a server publish fails with BrokerUnavailableException and is never delivered later")
    void serverPublishFailsDuringAnOutageAndNothingArrivesLater() throws Exception {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        String room = unique("orders");
        TestClient carol = client(eu1, "carol");
        carol.join(room);
        await(us1.publish(room, "before", "1"));
        // Delivered before the outage: a broker without persistence loses its history when killed.
        assertThat(carol.awaitMessage(room).path("id").asText()).isEqualTo("before");

        failBroker();
        Await.until("us1 notices the outage", WAIT, () -> !us1.isReady());
        CompletableFuture<Position> during = us1.publish(room, "during", "2");
        assertThatThrownBy(() -> during.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(BrokerUnavailableException.class);
        recoverBroker();
        awaitReady(us1, eu1);

        await(us1.publish(room, "after", "3"));
        assertThat(idsUntil(carol, room, "after")).as("nothing between 'before' and 'after'").isEmpty();
        assertThat(carol.drain(f -> "during".equals(f.path("id").asText()), java.time.Duration.ofMillis(300)))
                .as("the failed publish is never delivered").isEmpty();
    }

    @Test
    @DisplayName("sendToUser reaches every session of a user connected in the other region; an offline user is 0 nodes")
    void sendToUserReachesTheOtherRegion() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        TestClient carol = client(eu1, "carol");
        TestClient carolPhone = client(eu1, "carol");

        Await.until("carol in the user directory", WAIT, () -> await(us1.sendToUser("carol", "\"probe\"")) > 0);
        assertThat(await(us1.sendToUser("carol", "{\"text\":\"your order shipped\"}"))).isEqualTo(1);
        for (TestClient c : List.of(carol, carolPhone)) {
            JsonNode d = c.awaitFrame(f -> "direct".equals(TestClient.type(f))
                    && "your order shipped".equals(f.path("data").path("text").asText()), WAIT);
            assertThat(d.has("from")).isFalse();
            assertThat(d.path("region").asText()).isEqualTo("us-east");
        }
        assertThat(await(us1.sendToUser("nobody-" + unique("u"), "1"))).isZero();
    }

    @Test
    @DisplayName("disconnectUser in us-east closes the user's session in eu-west with the code given; others stay")
    void disconnectUserClosesSessionsInTheOtherRegion() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        TestClient mallory = client(eu1, "mallory");
        TestClient malloryHere = client(us1, "mallory");
        TestClient carol = client(eu1, "carol");

        await(us1.disconnectUser("mallory", CloseCodes.FOR_GOOD, "banned"));
        assertThat(mallory.awaitClose(WAIT)).isEqualTo(CloseCodes.FOR_GOOD);
        assertThat(mallory.closeReason()).isEqualTo("banned");
        assertThat(malloryHere.awaitClose(WAIT)).isEqualTo(CloseCodes.FOR_GOOD);
        carol.send(Map.of("type", "ping", "id", "p1"));
        assertThat(TestClient.type(carol.awaitRef("p1"))).isEqualTo("pong");
        assertThat(carol.isOpen()).isTrue();
        assertThatThrownBy(() -> us1.disconnectUser("carol", 1000, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4100-4999");
    }

    @Test
    @DisplayName("disconnectSession closes one session by its id, wherever it is")
    void disconnectSessionClosesOneSession() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        TestClient laptop = client(eu1, "dave");
        TestClient phone = client(eu1, "dave");
        String phoneSession = phone.seen().stream().filter(f -> "welcome".equals(TestClient.type(f))).findFirst()
                .orElseThrow().path("session").asText();

        await(us1.disconnectSession(phoneSession, CloseCodes.RECONNECT, "password changed"));
        assertThat(phone.awaitClose(WAIT)).isEqualTo(CloseCodes.RECONNECT);
        laptop.send(Map.of("type", "ping", "id", "p1"));
        assertThat(TestClient.type(laptop.awaitRef("p1"))).isEqualTo("pong");
    }

    @Test
    @DisplayName("presence and history of a room, read by the application, cover both regions")
    void presenceAndHistoryCoverBothRegions() {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        String room = unique("chat");
        TestClient alice = client(us1, "alice");
        TestClient carol = client(eu1, "carol");
        alice.join(room);
        carol.join(room);

        Await.until("both in presence", WAIT, () -> await(us1.presence(room)).stream().map(PresenceMember::user)
                .toList().containsAll(List.of("alice", "carol")));
        assertThat(await(eu1.presence(room))).extracting(PresenceMember::region).contains("us-east", "eu-west");

        carol.publish(room, "m1", "1");
        await(us1.publish(room, "m2", "2"));
        alice.publish(room, "m3", "3");
        RoomHistory all = await(eu1.history(room, null, 100));
        assertThat(all.complete()).isTrue();
        assertThat(all.messages()).extracting(m -> m.envelope().id()).containsExactly("m1", "m2", "m3");
        assertThat(all.messages()).extracting(RoomMessage::from).containsExactly("carol", null, "alice");
        assertThat(all.position()).isEqualTo(all.messages().get(2).position());

        RoomHistory rest = await(us1.history(room, all.messages().get(0).position(), 1));
        assertThat(rest.messages()).extracting(RoomMessage::data).containsExactly("2");
    }

    @Test
    @DisplayName("a room listener in eu-west gets the room's messages from both regions once, in order, until closed")
    void roomListenerSeesEveryRegionInOrder() throws Exception {
        GeoWsNode us1 = startNode("us-east", unique("us1"));
        GeoWsNode eu1 = startNode("eu-west", unique("eu1"));
        String room = unique("audit");
        TestClient alice = client(us1, "alice");
        alice.join(room);
        java.util.concurrent.BlockingQueue<RoomMessage> got = new java.util.concurrent.LinkedBlockingQueue<>();
        io.geows.Registration registration = await(eu1.listen(room, got::add));

        List<CompletableFuture<Position>> server = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            alice.send(Map.of("type", "publish", "room", room, "id", "c" + i, "data", i));
            server.add(us1.publish(room, "s" + i, "\"server\""));
        }
        server.forEach(ServerOperationsKit::await);
        for (int i = 0; i < 10; i++) {
            assertThat(TestClient.type(alice.awaitRef("c" + i))).isEqualTo("ack");
        }
        Position end = await(eu1.publish(room, "end", "0"));
        List<RoomMessage> seen = new ArrayList<>();
        while (seen.isEmpty() || !seen.get(seen.size() - 1).envelope().id().equals("end")) {
            RoomMessage m = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(m).as("a message within %s after %s", WAIT, seen.size()).isNotNull();
            seen.add(m);
        }
        assertThat(seen).hasSize(21);
        assertThat(seen).extracting(m -> m.position().offset()).isSorted().doesNotHaveDuplicates();
        assertThat(seen.get(20).position()).isEqualTo(end);
        assertThat(seen.stream().filter(m -> "alice".equals(m.from())).map(m -> m.envelope().id()).toList())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 10).mapToObj(i -> "c" + i).toList());

        registration.close();
        await(us1.publish(room, "after-close", "0"));
        alice.publish(room, "sentinel", "0");
        alice.awaitMessage(room, "sentinel", WAIT);
        assertThat(got.poll(200, TimeUnit.MILLISECONDS)).as("nothing after close").isNull();
    }
}
