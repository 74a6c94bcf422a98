package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.testkit.Await;
import io.geows.testkit.FaultProxy;
import io.geows.testkit.MemoryBrokerFaults;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover against real nodes: a draining node ({@code goaway}), a cut connection, a silent
 * (black-holed) one, a refused token, a broker outage, lost history. Carol is the client that goes
 * through the fault; Paul publishes from the other region; Rita, in the other region too, is the
 * reference receiver.
 */
class FailoverIntegrationTests {
    private static final Logger log = LoggerFactory.getLogger(FailoverIntegrationTests.class);
    private static final long WAIT = 15;
    private static final int MESSAGES = 300;
    private static final int WINDOW = 10;
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
    void aDrainingNodeSendsItsClientsToTheOtherRegionAndNothingIsLostOrRepeated() throws Exception {
        Recorder carol = new Recorder();
        Recorder rita = new Recorder();
        GeoWsClient carolClient = connect(regions.client("carol").preferredRegion("eu-west").listener(carol));
        assertThat(carolClient.region()).isEqualTo("eu-west");
        carolClient.join("room", carol).get(WAIT, TimeUnit.SECONDS);
        GeoWsClient ritaClient = connect(regions.client("rita").preferredRegion("us-east"));
        ritaClient.join("room", rita).get(WAIT, TimeUnit.SECONDS);
        GeoWsClient paulClient = connect(regions.client("paul").preferredRegion("us-east"));
        paulClient.join("room", m -> { }).get(WAIT, TimeUnit.SECONDS);

        long[] drained = new long[1];
        Publisher paul = new Publisher(paulClient, "room", MESSAGES, WINDOW, 0, null).start();
        Publisher carols = new Publisher(carolClient, "room", MESSAGES, WINDOW, MESSAGES / 3, () -> {
            long start = System.nanoTime();
            regions.eu.close(); // goaway, waits for its clients to leave, closes with 1001
            drained[0] = System.nanoTime() - start;
        }).start();

        List<PublishAck> acks = new ArrayList<>(paul.acks());
        acks.addAll(carols.acks());
        assertEveryoneGotEveryMessageOnceInOrder(acks, carol, rita);

        assertThat(carolClient.region()).isEqualTo("us-east");
        List<ConnectionEvent> events = carol.allEvents();
        assertThat(events).extracting(ConnectionEvent::state).containsExactly(
                ConnectionState.CONNECTING, ConnectionState.CONNECTED, ConnectionState.RECONNECTING, ConnectionState.FAILED_OVER);
        assertThat(events.get(2).region()).isEqualTo("eu-west");
        assertThat(events.get(2).cause()).as("a planned move is not an error").isNull();
        assertThat(events.get(3).region()).isEqualTo("us-east");
        assertThat(Duration.ofNanos(drained[0])).as("the client left before the drain timeout")
                .isLessThan(Duration.ofSeconds(3));
        assertThat(carol.gaps).isEmpty();
        log.info("drain: node closed in {} ms; {} of Carol's publishes were in flight",
                drained[0] / 1_000_000, carols.inFlightAtFault());
    }

    @Test
    void aCutConnectionFailsOverResumesAndDeliversEveryMessageOnceInOrder() throws Exception {
        try (FaultProxy euLink = FaultProxy.start("127.0.0.1", regions.eu.port())) {
            Recorder carol = new Recorder();
            Recorder rita = new Recorder();
            GeoWsClient carolClient = connect(GeoWsClient.builder()
                    .region("eu-west", URI.create("ws://127.0.0.1:" + euLink.port() + "/"))
                    .region("us-east", regions.us.uri()).preferredRegion("eu-west").token("carol").listener(carol));
            assertThat(carolClient.region()).isEqualTo("eu-west");
            carolClient.join("room", carol).get(WAIT, TimeUnit.SECONDS);
            GeoWsClient ritaClient = connect(regions.client("rita").preferredRegion("us-east"));
            ritaClient.join("room", rita).get(WAIT, TimeUnit.SECONDS);
            GeoWsClient paulClient = connect(regions.client("paul").preferredRegion("us-east"));
            paulClient.join("room", m -> { }).get(WAIT, TimeUnit.SECONDS);

            long[] cutAt = new long[1];
            Publisher paul = new Publisher(paulClient, "room", MESSAGES, WINDOW, 0, null).start();
            Publisher carols = new Publisher(carolClient, "room", MESSAGES, WINDOW, MESSAGES / 3, () -> {
                euLink.setRefuseConnections(true); // the eu region stays unreachable
                euLink.cutConnections();
                cutAt[0] = System.nanoTime();
            }).start();

            ConnectionEvent back = carol.awaitState(ConnectionState.FAILED_OVER);
            long failoverMillis = (System.nanoTime() - cutAt[0]) / 1_000_000;
            assertThat(back.region()).isEqualTo("us-east");

            List<PublishAck> acks = new ArrayList<>(paul.acks());
            List<PublishAck> carolAcks = carols.acks();
            acks.addAll(carolAcks);
            assertEveryoneGotEveryMessageOnceInOrder(acks, carol, rita);
            assertThat(carols.inFlightAtFault()).as("publishes were in flight at the cut").isPositive();
            assertThat(carolAcks).extracting(PublishAck::id).doesNotHaveDuplicates().hasSize(MESSAGES);
            assertThat(carol.gaps).isEmpty();
            log.info("cut: failed over in {} ms (to FAILED_OVER); {} of Carol's publishes in flight at the cut, {} acked as duplicates",
                    failoverMillis, carols.inFlightAtFault(), carolAcks.stream().filter(PublishAck::duplicate).count());
        }
    }

    @Test
    void missedHeartbeatsFailOver() throws Exception {
        try (FaultProxy euLink = FaultProxy.start("127.0.0.1", regions.eu.port())) {
            Recorder carol = new Recorder();
            Recorder rita = new Recorder();
            GeoWsClient carolClient = connect(GeoWsClient.builder()
                    .region("eu-west", URI.create("ws://127.0.0.1:" + euLink.port() + "/"))
                    .region("us-east", regions.us.uri()).preferredRegion("eu-west").token("carol").listener(carol)
                    .heartbeatInterval(Duration.ofMillis(200)).heartbeatTimeout(Duration.ofMillis(1000)));
            carolClient.join("room", carol).get(WAIT, TimeUnit.SECONDS);
            GeoWsClient paul = connect(regions.client("paul").preferredRegion("us-east"));
            paul.join("room", rita).get(WAIT, TimeUnit.SECONDS);
            PublishAck before = paul.publish("room", "before").get(WAIT, TimeUnit.SECONDS);
            assertThat(Recorder.next(carol.received, m -> true).id()).isEqualTo(before.id());

            euLink.blackhole(true); // a partition: the socket stays open, nothing gets through
            PublishAck during = paul.publish("room", "during").get(WAIT, TimeUnit.SECONDS);

            ConnectionEvent lost = carol.awaitState(ConnectionState.RECONNECTING);
            assertThat(lost.cause()).hasMessageContaining("missed heartbeats");
            assertThat(carol.awaitState(ConnectionState.FAILED_OVER).region()).isEqualTo("us-east");
            assertThat(Recorder.next(carol.received, m -> true).id()).as("replayed after the resume").isEqualTo(during.id());
        }
    }

    @Test
    void aRefusedTokenIsSurfacedAndNotRetried() throws Exception {
        Recorder events = new Recorder();
        GeoWsClient client = regions.closeLater(regions.client("bad token!").listener(events).build());
        long start = System.nanoTime();

        assertThatThrownBy(() -> client.connect().get(WAIT, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SessionRefusedException.class)
                .hasMessageContaining("refused the token").hasMessageContaining("not retrying");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no backoff, no second region")
                .isLessThan(ClientOptions.DEFAULT_HANDSHAKE_TIMEOUT);
        ConnectionEvent closed = events.awaitState(ConnectionState.CLOSED);
        assertThat(closed.cause()).isInstanceOf(SessionRefusedException.class);
        assertThat(((SessionRefusedException) closed.cause()).code()).isEqualTo("unauthorized");
        assertThat(events.allEvents()).extracting(ConnectionEvent::state)
                .containsExactly(ConnectionState.CONNECTING, ConnectionState.CLOSED);
        assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(regions.us.stats().sessions() + regions.eu.stats().sessions()).isZero();
    }

    @Test
    void aPublishAnsweredUnavailableIsResentWithTheSameIdUntilTheBrokerIsBack() throws Exception {
        Recorder room = new Recorder();
        GeoWsClient alice = connect(regions.client("alice").preferredRegion("us-east")
                .retryBackoff(Backoff.constant(Duration.ofMillis(100))));
        alice.join("room", room).get(WAIT, TimeUnit.SECONDS);

        MemoryBrokerFaults.cut(regions.usBroker);
        var ack = alice.publish("room", "kept");
        Await.until("the node refused the publish twice", Duration.ofSeconds(WAIT),
                () -> regions.us.stats().publishRejected() >= 2);
        assertThat(ack).as("unavailable is retried, not surfaced").isNotDone();
        MemoryBrokerFaults.restore(regions.usBroker);

        PublishAck a = ack.get(WAIT, TimeUnit.SECONDS);
        assertThat(a.duplicate()).isFalse();
        Message m = Recorder.next(room.received, x -> true);
        assertThat(m.id()).isEqualTo(a.id());
        assertThat(m.data(String.class)).isEqualTo("kept");
    }

    @Test
    void aResumeAfterTheHistoryWasLostIsReportedAsAGap() throws Exception {
        try (FaultProxy euLink = FaultProxy.start("127.0.0.1", regions.eu.port())) {
            Recorder carol = new Recorder();
            GeoWsClient carolClient = connect(GeoWsClient.builder()
                    .region("eu-west", URI.create("ws://127.0.0.1:" + euLink.port() + "/"))
                    .region("us-east", regions.us.uri()).preferredRegion("eu-west").token("carol").listener(carol));
            carolClient.join("room", carol).get(WAIT, TimeUnit.SECONDS);
            GeoWsClient paul = connect(regions.client("paul").preferredRegion("us-east"));
            paul.join("room", m -> { }).get(WAIT, TimeUnit.SECONDS);
            paul.publish("room", "old epoch").get(WAIT, TimeUnit.SECONDS);
            assertThat(Recorder.next(carol.received, m -> true).data(String.class)).isEqualTo("old epoch");

            euLink.setRefuseConnections(true);
            euLink.cutConnections();
            carol.awaitState(ConnectionState.RECONNECTING);
            MemoryBrokerFaults.loseHistory(regions.broker);
            PublishAck fresh = paul.publish("room", "new epoch").get(WAIT, TimeUnit.SECONDS);

            assertThat(carol.awaitState(ConnectionState.FAILED_OVER).region()).isEqualTo("us-east");
            assertThat(Recorder.next(carol.gaps, r -> true)).isEqualTo("room");
            Message m = Recorder.next(carol.received, x -> true);
            assertThat(m.id()).isEqualTo(fresh.id());
            assertThat(m.epoch()).isEqualTo(fresh.epoch());
        }
    }

    /**
     * Every acknowledged message reached both receivers exactly once, in offset order: the list of
     * ids each received equals the list of all acknowledged ids sorted by offset.
     */
    private static void assertEveryoneGotEveryMessageOnceInOrder(List<PublishAck> acks, Recorder... receivers) {
        assertThat(acks).extracting(PublishAck::epoch).containsOnly(acks.get(0).epoch());
        List<String> expected = acks.stream().sorted(Comparator.comparingLong(PublishAck::offset))
                .map(PublishAck::id).toList();
        assertThat(new HashSet<>(acks.stream().map(PublishAck::offset).toList())).as("one offset per message")
                .hasSize(acks.size());
        for (Recorder r : receivers) {
            Await.until(() -> "all " + expected.size() + " messages, got " + r.count() + "; events " + r.allEvents(),
                    Duration.ofSeconds(WAIT), () -> r.count() >= expected.size());
            assertThat(r.messages()).extracting(Message::id).containsExactlyElementsOf(expected);
        }
        log.info("checked {} messages x {} receivers: each once, in order", expected.size(), receivers.length);
    }
}
