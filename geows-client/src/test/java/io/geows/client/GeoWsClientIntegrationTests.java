package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.geows.testkit.Await;
import io.geows.testkit.FaultProxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against two real nodes in two regions on one broker. */
class GeoWsClientIntegrationTests {
    private static final long WAIT = 15;
    private final TwoRegions regions = new TwoRegions();

    @AfterEach
    void closeRegions() throws Exception {
        regions.close();
    }

    private GeoWsClient connect(GeoWsClient.Builder b) throws Exception {
        GeoWsClient c = regions.closeLater(b.build());
        c.connect().get(WAIT, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void aMessagePublishedInEuReachesAMemberInUs() throws Exception {
        Recorder aliceRoom = new Recorder();
        Recorder bobRoom = new Recorder();
        GeoWsClient alice = connect(regions.client("alice").preferredRegion("eu-west"));
        GeoWsClient bob = connect(regions.client("bob").preferredRegion("us-east"));
        assertThat(alice.region()).isEqualTo("eu-west");
        assertThat(bob.region()).isEqualTo("us-east");
        alice.join("lobby", aliceRoom).get(WAIT, TimeUnit.SECONDS);
        RoomHandle bobs = bob.join("lobby", bobRoom).get(WAIT, TimeUnit.SECONDS);

        PublishAck ack = alice.publish("lobby", Map.of("text", "hi")).get(WAIT, TimeUnit.SECONDS);

        Message m = Recorder.next(bobRoom.received, x -> true);
        assertThat(m.from()).isEqualTo("alice");
        assertThat(m.region()).isEqualTo("eu-west");
        assertThat(m.room()).isEqualTo("lobby");
        assertThat(m.id()).isEqualTo(ack.id());
        assertThat(m.offset()).isEqualTo(ack.offset());
        assertThat(m.epoch()).isEqualTo(ack.epoch());
        assertThat(m.dataJson()).isEqualTo("{\"text\":\"hi\"}");
        assertThat(ack.duplicate()).isFalse();
        assertThat(Recorder.next(aliceRoom.received, x -> true).id()).as("the publisher is a member too").isEqualTo(ack.id());

        bobs.leave().get(WAIT, TimeUnit.SECONDS);
        alice.publishJson("lobby", "\"after bob left\"").get(WAIT, TimeUnit.SECONDS);
        assertThat(Recorder.next(aliceRoom.received, x -> true).data(String.class)).isEqualTo("after bob left");
        assertThat(bobRoom.received).isEmpty();
    }

    @Test
    void aDirectMessageReachesTheUserInTheOtherRegion() throws Exception {
        Recorder bobEvents = new Recorder();
        GeoWsClient alice = connect(regions.client("alice").preferredRegion("eu-west"));
        connect(regions.client("bob").preferredRegion("us-east").listener(bobEvents));

        DirectAck ack = alice.direct("bob", Map.of("text", "psst")).get(WAIT, TimeUnit.SECONDS);

        Message m = Recorder.next(bobEvents.directs, x -> true);
        assertThat(m.from()).isEqualTo("alice");
        assertThat(m.region()).isEqualTo("eu-west");
        assertThat(m.room()).isNull();
        assertThat(m.id()).isEqualTo(ack.id());
        assertThat(m.data(Map.class).get("text")).isEqualTo("psst");
        assertThat(ack.delivered()).isGreaterThanOrEqualTo(1);

        assertThatThrownBy(() -> alice.direct("nobody", 1).get(WAIT, TimeUnit.SECONDS))
                .hasCauseInstanceOf(RequestRejectedException.class).hasMessageContaining("user_offline");
    }

    @Test
    void presenceListsTheMembersOfBothRegions() throws Exception {
        Recorder aliceRoom = new Recorder();
        GeoWsClient alice = connect(regions.client("alice").preferredRegion("eu-west"));
        GeoWsClient bob = connect(regions.client("bob").preferredRegion("us-east"));
        alice.join("lobby", aliceRoom).get(WAIT, TimeUnit.SECONDS);
        bob.join("lobby", m -> { }).get(WAIT, TimeUnit.SECONDS);

        PresenceEvent joined = Recorder.next(aliceRoom.presence, e -> e.member().user().equals("bob"));
        assertThat(joined.joined()).isTrue();
        assertThat(joined.member().region()).isEqualTo("us-east");

        List<Member> members = alice.presence("lobby").get(WAIT, TimeUnit.SECONDS);
        assertThat(members).extracting(Member::user, Member::region)
                .contains(org.assertj.core.groups.Tuple.tuple("alice", "eu-west"),
                        org.assertj.core.groups.Tuple.tuple("bob", "us-east"));

        assertThatThrownBy(() -> alice.presence("elsewhere").get(WAIT, TimeUnit.SECONDS))
                .hasCauseInstanceOf(RequestRejectedException.class).hasMessageContaining("not_member");
    }

    @Test
    void theNearestRegionIsChosenAndAPinnedOneWins() throws Exception {
        try (FaultProxy slowEu = FaultProxy.start("127.0.0.1", regions.eu.port())) {
            slowEu.setLatency(Duration.ofMillis(150));
            URI euUri = URI.create("ws://127.0.0.1:" + slowEu.port() + "/");

            GeoWsClient nearest = connect(GeoWsClient.builder().region("eu-west", euUri)
                    .region("us-east", regions.us.uri()).token("alice"));
            assertThat(nearest.region()).isEqualTo("us-east");
            assertThat(nearest.regions()).extracting(Region::name).containsExactly("us-east", "eu-west");

            GeoWsClient pinned = connect(GeoWsClient.builder().region("eu-west", euUri)
                    .region("us-east", regions.us.uri()).preferredRegion("eu-west").token("bob"));
            assertThat(pinned.region()).isEqualTo("eu-west");
        }
    }

    @Test
    void regionsAreLearnedFromRegionsAndOnesNotReadyAreTriedLast() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String body = "{\"regions\":[{\"region\":\"eu-west\",\"url\":\"" + regions.eu.uri() + "\",\"ready\":false},"
                + "{\"region\":\"us-east\",\"url\":\"" + regions.us.uri() + "\",\"ready\":true}]}";
        http.createContext("/regions", ex -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        http.start();
        try {
            GeoWsClient client = connect(GeoWsClient.builder()
                    .regionsFrom(URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/regions")).token("alice"));

            assertThat(client.region()).isEqualTo("us-east");
            assertThat(client.regions()).extracting(Region::name).containsExactly("us-east", "eu-west");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void joinsAndPublishesMadeBeforeConnectingAreSentOnceConnected() throws Exception {
        Recorder room = new Recorder();
        GeoWsClient alice = regions.closeLater(regions.client("alice").build());
        var joined = alice.join("early", room);
        var published = alice.publish("early", "first");

        alice.connect().get(WAIT, TimeUnit.SECONDS);

        assertThat(joined.get(WAIT, TimeUnit.SECONDS).room()).isEqualTo("early");
        assertThat(published.get(WAIT, TimeUnit.SECONDS).offset()).isPositive();
        assertThat(Recorder.next(room.received, x -> true).data(String.class)).isEqualTo("first");
    }

    @Test
    void closeLeavesNoThreadOfTheClientBehind() throws Exception {
        GeoWsClient alice = connect(regions.client("alice"));
        alice.join("lobby", m -> { }).get(WAIT, TimeUnit.SECONDS);
        String prefix = "geows-client-" + alice.toString().substring("GeoWsClient[".length()).split(" ")[0];
        assertThat(threadsNamed(prefix)).isNotEmpty();

        alice.close();

        Await.until(() -> "threads left: " + threadsNamed(prefix), Duration.ofSeconds(WAIT), () -> threadsNamed(prefix).isEmpty());
        assertThat(alice.state()).isEqualTo(ConnectionState.CLOSED);
        Await.until("the node saw the session leave", Duration.ofSeconds(WAIT), () -> regions.us.stats().sessions()
                + regions.eu.stats().sessions() == 0);
    }

    private static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).toList();
    }

    @Test
    void aPublishToARoomNotJoinedIsRejected() throws Exception {
        GeoWsClient alice = connect(regions.client("alice"));

        assertThatThrownBy(() -> alice.publish("not-mine", 1).get(WAIT, TimeUnit.SECONDS))
                .hasCauseInstanceOf(RequestRejectedException.class).hasMessageContaining("not_member")
                .hasMessageContaining("join the room first");
    }
}
