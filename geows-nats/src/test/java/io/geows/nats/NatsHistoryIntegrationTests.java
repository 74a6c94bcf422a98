package io.geows.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsException;
import io.geows.Topics;
import io.geows.spi.Appended;
import io.geows.spi.BrokerMessage;
import io.geows.spi.HistorySlice;
import io.geows.spi.NodeInfo;
import io.geows.spi.Position;
import io.geows.spi.PresenceMember;
import io.geows.testkit.NatsServer;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** History, presence and connection options against a real nats-server, below the node. */
class NatsHistoryIntegrationTests {
    private static NatsServer nats;

    @BeforeAll
    static void startServer() {
        nats = NatsServer.builder().jetStream().start();
    }

    @AfterAll
    static void stopServer() {
        nats.close();
    }

    private static String unique(String p) {
        return p + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static NatsBroker.Builder options() {
        return NatsBroker.builder().url(nats.uri());
    }

    private static Appended append(NatsBroker b, String room, String key) throws Exception {
        return b.history().append(room, key, Topics.defaults().room(room), bytes(key)).get(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("storage(MEMORY) creates the history stream and the presence bucket in memory; FILE (the default) on disk")
    void storageOption() throws Exception {
        try (Connection admin = Nats.connect(nats.uri())) {
            for (NatsBroker.Storage storage : NatsBroker.Storage.values()) {
                String stream = unique("hist").replace('-', '_');
                String bucket = unique("pres").replace('-', '_');
                NatsBroker.Builder b = options().stream(stream).presenceBucket(bucket);
                if (storage == NatsBroker.Storage.MEMORY) {
                    b.storage(storage);
                }
                try (NatsBroker broker = b.build()) {
                    append(broker, "r", "k1");
                    broker.presence().join("r", new io.geows.spi.PresenceMember("u", "us-east", "n1")).get(10, TimeUnit.SECONDS);
                    io.nats.client.api.StorageType expected = storage == NatsBroker.Storage.MEMORY
                            ? io.nats.client.api.StorageType.Memory : io.nats.client.api.StorageType.File;
                    var jsm = admin.jetStreamManagement();
                    assertThat(jsm.getStreamInfo(stream).getConfiguration().getStorageType()).as(storage.name()).isEqualTo(expected);
                    assertThat(jsm.getStreamInfo("KV_" + bucket).getConfiguration().getStorageType()).as(storage.name())
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    @DisplayName("a room trimmed by the per-room limit reports the gap; a reader whose last message is still stored does not")
    void completeIsFalseOnlyWhenMessagesAfterTheOffsetWereTrimmed() throws Exception {
        String stream = unique("TRIM").replace('-', '_');
        try (NatsBroker b = options().stream(stream).historyMaxPerRoom(3).build()) {
            String room = unique("r");
            List<Long> offsets = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                offsets.add(append(b, room, "k" + i).offset());
                append(b, unique("other"), "x"); // other rooms' messages in between
            }
            // kept: k3, k4, k5
            HistorySlice fromK1 = b.history().readAfter(room, offsets.get(1), 100).get(10, TimeUnit.SECONDS);
            assertThat(fromK1.complete()).as("k2 was trimmed").isFalse();
            assertThat(fromK1.messages()).extracting(BrokerMessage::offset).containsExactlyElementsOf(offsets.subList(3, 6));
            HistorySlice fromK3 = b.history().readAfter(room, offsets.get(3), 100).get(10, TimeUnit.SECONDS);
            assertThat(fromK3.complete()).as("k3 is still stored: nothing after it is missing").isTrue();
            assertThat(fromK3.messages()).extracting(BrokerMessage::offset).containsExactlyElementsOf(offsets.subList(4, 6));
            assertThat(fromK3.top()).isEqualTo(offsets.get(5));
            HistorySlice limited = b.history().readAfter(room, offsets.get(3), 1).get(10, TimeUnit.SECONDS);
            assertThat(limited.messages()).hasSize(1);
            assertThat(limited.top()).isEqualTo(offsets.get(5));
            HistorySlice atTop = b.history().readAfter(room, offsets.get(5), 100).get(10, TimeUnit.SECONDS);
            assertThat(atTop.complete()).isTrue();
            assertThat(atTop.messages()).isEmpty();
            assertThat(b.history().readAfter(unique("empty"), 0, 10).get(10, TimeUnit.SECONDS).messages()).isEmpty();
        }
    }

    @Test
    @DisplayName("a read of thousands of messages returns them all, in order")
    void longReadsComplete() throws Exception {
        try (NatsBroker b = options().build()) {
            String room = unique("long");
            String topic = Topics.defaults().room(room);
            List<java.util.concurrent.CompletableFuture<Appended>> appends = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                appends.add(b.history().append(room, "k" + i, topic, bytes("m" + i)));
            }
            java.util.concurrent.CompletableFuture.allOf(appends.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
            HistorySlice all = b.history().readAfter(room, 0, Integer.MAX_VALUE).get(60, TimeUnit.SECONDS);
            assertThat(all.messages()).hasSize(3000);
            assertThat(all.complete()).isTrue();
            for (int i = 1; i < all.messages().size(); i++) {
                assertThat(all.messages().get(i).offset()).isGreaterThan(all.messages().get(i - 1).offset());
            }
        }
    }

    @Test
    @DisplayName("the same key in two rooms is two messages; a repeat in one room returns the original offset")
    void deduplicationIsPerRoom() throws Exception {
        try (NatsBroker b = options().build()) {
            String r1 = unique("r1");
            String r2 = unique("r2");
            Appended a = append(b, r1, "alice\nm1");
            Appended c = append(b, r2, "alice\nm1");
            Appended again = append(b, r1, "alice\nm1");
            assertThat(a.duplicate()).isFalse();
            assertThat(c.duplicate()).isFalse();
            assertThat(c.offset()).isNotEqualTo(a.offset());
            assertThat(again.duplicate()).isTrue();
            assertThat(again.offset()).isEqualTo(a.offset());
        }
    }

    @Test
    @DisplayName("a deleted stream is recreated by the next append with a new epoch, seen by every adapter")
    void lostStreamStartsANewEpoch() throws Exception {
        String stream = unique("LOSE").replace('-', '_');
        try (NatsBroker a = options().stream(stream).build();
             NatsBroker b = options().stream(stream).build();
             Connection admin = Nats.connect(nats.uri())) {
            String room = unique("r");
            Appended before = append(a, room, "k1");
            assertThat(b.history().position(room).get(10, TimeUnit.SECONDS)).isEqualTo(new Position(before.offset(), before.epoch()));
            admin.jetStreamManagement().deleteStream(stream);

            Appended after = append(a, room, "k2");
            assertThat(after.epoch()).isNotEqualTo(before.epoch());
            Position p = b.history().position(room).get(10, TimeUnit.SECONDS);
            assertThat(p.epoch()).isEqualTo(after.epoch());
            assertThat(p.offset()).isEqualTo(after.offset());
            Appended fromB = append(b, room, "k3");
            assertThat(fromB.epoch()).isEqualTo(after.epoch());
            assertThat(fromB.offset()).isGreaterThan(after.offset());
        }
    }

    @Test
    @DisplayName("a node restarted under the same id does not bring back the users of its previous life")
    void restartedNodeDoesNotResurrectItsOldUsers() throws Exception {
        String node = unique("node");
        String room = unique("room");
        try (NatsBroker first = options().build()) {
            first.presence().heartbeat(new NodeInfo(node, "us-east", null, 1, System.currentTimeMillis()), Duration.ofMinutes(1))
                    .get(10, TimeUnit.SECONDS);
            first.presence().join(room, new PresenceMember("ghost", "us-east", node)).get(10, TimeUnit.SECONDS);
            first.presence().userOnline(new PresenceMember("ghost", "us-east", node)).get(10, TimeUnit.SECONDS);
            assertThat(first.presence().members(room).get(10, TimeUnit.SECONDS)).extracting(PresenceMember::user)
                    .containsExactly("ghost");
        } // crashed: no removeNode
        try (NatsBroker second = options().build()) {
            second.presence().heartbeat(new NodeInfo(node, "us-east", null, 0, System.currentTimeMillis()), Duration.ofMinutes(1))
                    .get(10, TimeUnit.SECONDS);
            second.presence().join(room, new PresenceMember("fresh", "us-east", node)).get(10, TimeUnit.SECONDS);
            assertThat(second.presence().members(room).get(10, TimeUnit.SECONDS)).extracting(PresenceMember::user)
                    .containsExactly("fresh");
            assertThat(second.presence().locate("ghost").get(10, TimeUnit.SECONDS)).isEmpty();
            assertThat(second.presence().nodes().get(10, TimeUnit.SECONDS)).extracting(NodeInfo::nodeId).contains(node);
            second.presence().leave(room, new PresenceMember("fresh", "us-east", node)).get(10, TimeUnit.SECONDS);
            assertThat(second.presence().members(room).get(10, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    @DisplayName("an unreachable server is named in the error with the way out, without the password")
    void unreachableServerIsNamed() {
        int port = io.geows.testkit.Ports.freePort();
        assertThatThrownBy(() -> NatsBroker.builder()
                .url("nats://alice:s3cret@127.0.0.1:" + port).requestTimeout(Duration.ofSeconds(1)).build())
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("cannot reach NATS at nats://alice:***@127.0.0.1:" + port)
                .hasMessageContaining("is nats-server running")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    @DisplayName("a server without JetStream is refused with a message that says to enable it")
    void serverWithoutJetStreamIsRefused() {
        try (NatsServer plain = NatsServer.launch()) {
            assertThatThrownBy(() -> NatsBroker.builder().url(plain.uri())
                    .requestTimeout(Duration.ofMillis(500)).build())
                    .isInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining(plain.uri())
                    .hasMessageContaining("JetStream");
        }
    }

    @Test
    @DisplayName("user and password in the URL, or in the user's own jnats Options with their listener, reach the server")
    void credentialsAndUserOptionsPassThrough() throws Exception {
        try (NatsServer secured = NatsServer.builder().jetStream().args("--user", "geo", "--pass", "s3cret").start()) {
            String hostPort = "127.0.0.1:" + secured.port();
            try (NatsBroker b = NatsBroker.connect("nats://geo:s3cret@" + hostPort)) {
                assertThat(b.isConnected()).isTrue();
            }
            // a refused login is not "unavailable": retrying would not help
            assertThatThrownBy(() -> NatsBroker.connect("nats://geo:wrong@" + hostPort))
                    .isInstanceOf(GeoWsException.class).isNotInstanceOf(BrokerUnavailableException.class)
                    .hasMessageContaining("refused the login").hasMessageNotContaining("wrong");

            List<ConnectionListener.Events> seen = new CopyOnWriteArrayList<>();
            Options user = new Options.Builder().server("nats://" + hostPort).userInfo("geo", "s3cret")
                    .connectionListener((c, e) -> seen.add(e)).build();
            NatsBroker b = NatsBroker.builder().natsOptions(user).build();
            assertThat(b.isConnected()).isTrue();
            b.close();
            io.geows.testkit.Await.until("the user's listener heard the close", Duration.ofSeconds(5),
                    () -> seen.contains(ConnectionListener.Events.CLOSED));
        }
    }

    @Test
    @DisplayName("a wrapped connection stays open when the broker closes")
    void wrappedConnectionIsNotClosed() throws Exception {
        try (Connection own = Nats.connect(new Options.Builder().server(nats.uri()).reconnectBufferSize(0).build())) {
            NatsBroker b = NatsBroker.builder().connection(own).build(); // no url(...): the connection is used as it is
            String topic = Topics.defaults().node(unique("n"));
            List<BrokerMessage> got = new CopyOnWriteArrayList<>();
            b.subscribe(topic, got::add).get(10, TimeUnit.SECONDS);
            b.publish(topic, bytes("hi")).get(10, TimeUnit.SECONDS);
            io.geows.testkit.Await.until("delivered", Duration.ofSeconds(5), () -> got.size() == 1);
            b.close();
            assertThat(own.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            ExecutionException closed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> b.publish(topic, bytes("x")).get());
            assertThat(closed.getCause()).isInstanceOf(BrokerUnavailableException.class).hasMessageContaining("closed");
        }
    }
}
