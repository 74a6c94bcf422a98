package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.BrokerUnavailableException;
import io.geows.Topics;
import io.geows.spi.Appended;
import io.geows.spi.BrokerMessage;
import io.geows.testkit.Await;
import io.geows.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code replicasToAck}: an append is acknowledged, and published, only once a replica has it. */
class RedisReplicatedAppendsIntegrationTests {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("with replicasToAck(1) appends are acknowledged and published in order once the replica has them, and refused without it")
    void acknowledgedOnlyOnceReplicated() throws Exception {
        try (RedisServer primary = RedisServer.launch();
             RedisServer replica = RedisServer.launch("--replicaof", "127.0.0.1", String.valueOf(primary.port()));
             RedisBroker broker = RedisBroker.builder().uri(primary.uri()).replicasToAck(1)
                     .replicaAckTimeout(Duration.ofSeconds(2)).build()) { // (500 ms failed once on a loaded 2-core CI machine)
            Await.until("the replica in sync", Duration.ofSeconds(10), () -> replicaLinkUp(broker));
            String room = "ledger";
            String topic = Topics.defaults().room(room);
            BlockingQueue<BrokerMessage> live = new LinkedBlockingQueue<>();
            broker.subscribe(topic, live::add).get(5, TimeUnit.SECONDS);

            // Many at once: one WAIT covers a batch, and they are published in offset order.
            List<CompletableFuture<Appended>> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add(broker.history().append(room, "k" + i, topic, bytes("m" + i)));
            }
            long previous = 0;
            for (CompletableFuture<Appended> f : sent) {
                Appended a = f.get(10, TimeUnit.SECONDS);
                assertThat(a.offset()).isGreaterThan(previous);
                previous = a.offset();
            }
            for (int i = 0; i < 200; i++) {
                BrokerMessage m = live.poll(10, TimeUnit.SECONDS);
                assertThat(m).as("live message %s", i).isNotNull();
                assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("m" + i);
                assertThat(m.offset()).isEqualTo(i + 1);
            }

            replica.kill();
            CompletableFuture<Appended> lonely = broker.history().append(room, "alone", topic, bytes("alone"));
            assertThatThrownBy(() -> lonely.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(BrokerUnavailableException.class).hasMessageContaining("0 of 1 replicas");
            assertThat(live.poll(300, TimeUnit.MILLISECONDS)).as("an unreplicated message is not published").isNull();

            replica.start();
            Await.until("the replica back in sync", Duration.ofSeconds(10), () -> replicaLinkUp(broker));
            Appended retried = broker.history().append(room, "alone", topic, bytes("alone")).get(10, TimeUnit.SECONDS);
            assertThat(retried.duplicate()).as("the retry under the same key").isTrue();
            BrokerMessage published = live.poll(10, TimeUnit.SECONDS);
            assertThat(published).as("published once replicated").isNotNull();
            assertThat(published.offset()).isEqualTo(retried.offset());
        }
    }

    private static boolean replicaLinkUp(RedisBroker broker) {
        try {
            return broker.<String>call(c -> c.info("replication").toCompletableFuture()).get(2, TimeUnit.SECONDS)
                    .contains("state=online");
        } catch (Exception e) {
            return false;
        }
    }
}
