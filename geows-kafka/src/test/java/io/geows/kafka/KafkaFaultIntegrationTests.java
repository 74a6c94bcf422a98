package io.geows.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.testkit.Await;
import io.geows.testkit.KafkaServer;
import io.geows.testkit.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Kafka broker killed with SIGKILL while a client publishes without pause, then restarted on
 * the same port and data: what the publisher was told is what everyone got.
 */
class KafkaFaultIntegrationTests {
    private static final Logger measured = LoggerFactory.getLogger("io.geows.kafka.Measured");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static KafkaServer kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaServer.launch();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    private static GeoWsNode node(String region, String id) {
        return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(region).nodeId(id)
                .broker(KafkaBroker.builder().bootstrapServers(kafka.bootstrapServers()).name(id).partitions(4)
                        .requestTimeout(Duration.ofSeconds(2)).build())
                .drainTimeout(Duration.ZERO).build().start();
    }

    @Test
    @DisplayName("kill -9 mid-stream and restart: not ready meanwhile, publishes refused as unavailable, every acknowledged message delivered once, in order")
    void killMidStreamLosesNothingAcknowledged() throws Exception {
        try (GeoWsNode us = node("us-east", "us-fault");
             GeoWsNode eu = node("eu-west", "eu-fault");
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient bob = TestClient.connectAs(eu.uri(), "bob")) {
            Await.until("nodes ready", WAIT, () -> us.isReady() && eu.isReady());
            alice.join("stream");
            bob.join("stream");
            List<String> acked = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger refused = new AtomicInteger();
            AtomicReference<String> unexpected = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread publisher = new Thread(() -> {
                int i = 0;
                while (!stop.get()) {
                    String id = "m" + i;
                    JsonNode answer;
                    try {
                        answer = alice.publish("stream", id, i);
                    } catch (AssertionError e) {
                        unexpected.set("no answer to " + id + ": " + e.getMessage());
                        return;
                    }
                    if ("ack".equals(TestClient.type(answer))) {
                        acked.add(id);
                        i++;
                    } else if ("unavailable".equals(answer.path("code").asText())) {
                        refused.incrementAndGet();
                        LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // back off, then the same id again
                    } else {
                        unexpected.set(answer.toString());
                        return;
                    }
                }
            }, "publisher");
            publisher.start();
            try {
                Await.until("20 acknowledged before the crash", WAIT, () -> unexpected.get() != null || acked.size() >= 20);
                kafka.kill();
                long killedAt = System.nanoTime();
                Await.until("both nodes not ready", WAIT, () -> !us.isReady() && !eu.isReady());
                long notReadyAt = System.nanoTime();
                Await.until("a publish refused as unavailable", WAIT, () -> unexpected.get() != null || refused.get() > 0);
                int ackedBeforeRestart = acked.size();
                kafka.start();
                long upAt = System.nanoTime();
                Await.until("both nodes ready again", WAIT, () -> us.isReady() && eu.isReady());
                long readyAt = System.nanoTime();
                Await.until("20 more acknowledged after the restart", WAIT, () -> unexpected.get() != null || acked.size() >= ackedBeforeRestart + 20);
                long flowingAt = System.nanoTime();
                measured.info("Kafka SIGKILL mid-stream: both nodes not ready {} ms after the kill; ready {} ms after the broker"
                                + " was back, publishing again (20 acks) {} ms after; {} publishes refused meanwhile",
                        millis(killedAt, notReadyAt), millis(upAt, readyAt), millis(readyAt, flowingAt), refused.get());
            } finally {
                stop.set(true);
                publisher.join(WAIT.toMillis());
            }
            assertThat(unexpected.get()).as("an answer other than ack or unavailable").isNull();
            assertThat(alice.publish("stream", "end", "end").path("type").asText()).isEqualTo("ack");
            List<String> expected = new ArrayList<>(acked);
            for (TestClient member : List.of(bob, alice)) {
                List<String> got = new ArrayList<>();
                for (String id = member.awaitMessage("stream").path("id").asText(); !id.equals("end");
                     id = member.awaitMessage("stream").path("id").asText()) {
                    got.add(id);
                }
                assertThat(got).as("what %s got: every acknowledged message once, in order", member == bob ? "bob" : "alice")
                        .containsExactlyElementsOf(expected);
            }
        }
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
