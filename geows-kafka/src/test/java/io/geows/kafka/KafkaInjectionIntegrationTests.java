package io.geows.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.InterRegionKeys;
import io.geows.Topics;
import io.geows.kafka.internal.Names;
import io.geows.testkit.Await;
import io.geows.testkit.KafkaServer;
import io.geows.testkit.TestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Someone who can produce to the geows topics but lacks the inter-region key: a plain
 * {@code kafka-clients} producer writes well-formed records under alice's name, framed as the adapter
 * frames them (room records with the geows topic and message key headers, bus records keyed by their
 * geows topic), into the room's partition, a node's inbox and the all-nodes topic. No one receives them; both nodes count them.
 */
class KafkaInjectionIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final InterRegionKeys KEYS = InterRegionKeys.signingWith("prod-1",
            "a-shared-secret-of-32-bytes-min!".getBytes(StandardCharsets.UTF_8));
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
                .broker(KafkaBroker.builder().bootstrapServers(kafka.bootstrapServers()).name(id).partitions(4).build())
                .interRegionKeys(KEYS).drainTimeout(Duration.ZERO).build().start();
    }

    @Test
    @DisplayName("records produced straight into the geows topics without the key (forged sender, valid JSON) reach no one and are counted")
    void injectedRecordsAreDroppedAndCounted() throws Exception {
        try (GeoWsNode us = node("us-east", "us-inj");
             GeoWsNode eu = node("eu-west", "eu-inj");
             TestClient alice = TestClient.connectAs(us.uri(), "alice");
             TestClient bob = TestClient.connectAs(eu.uri(), "bob");
             KafkaProducer<String, byte[]> raw = producer()) {
            Await.until("nodes ready", WAIT, () -> us.isReady() && eu.isReady());
            alice.join("lobby");
            String epoch = bob.join("lobby").path("epoch").asText();
            String envelope = "{\"k\":\"room\",\"id\":\"evil\",\"room\":\"lobby\",\"from\":\"alice\",\"region\":\"us-east\","
                    + "\"node\":\"us-inj\",\"ts\":" + System.currentTimeMillis() + ",\"data\":\"wire me money\"}";
            Topics topics = Topics.defaults();
            Names names = new Names(Topics.DEFAULT_PREFIX);
            int roomPartitions = partitions(names.rooms());
            int busPartitions = partitions(names.bus());
            // into the room's history partition, with a message key, as an append would write it
            send(raw, names.roomsPartition(topics.room("lobby"), roomPartitions), "lobby", topics.room("lobby"), "evil", envelope);
            // a direct message into eu-inj's inbox and a broadcast on the all-nodes topic (bus records: keyed by topic)
            send(raw, names.busPartition(topics.node("eu-inj"), busPartitions), topics.node("eu-inj"), null, null,
                    envelope.replace("\"k\":\"room\"", "\"k\":\"direct\"").replace("\"room\":\"lobby\"", "\"to\":\"bob\""));
            send(raw, names.busPartition(topics.all(), busPartitions), topics.all(), null, null,
                    envelope.replace("\"k\":\"room\"", "\"k\":\"broadcast\""));
            // a signature line that does not verify is no better
            send(raw, names.roomsPartition(topics.room("lobby"), roomPartitions), "lobby", topics.room("lobby"), "evil-2",
                    "#gws1:prod-1:" + "A".repeat(43) + "\n" + envelope.replace("\"evil\"", "\"evil-2\""));
            raw.flush();
            Await.until(() -> "forged: us=" + us.stats().brokerMessagesForged() + " eu=" + eu.stats().brokerMessagesForged(),
                    WAIT, () -> us.stats().brokerMessagesForged() >= 3 && eu.stats().brokerMessagesForged() >= 4);

            assertThat(alice.publish("lobby", "genuine", 1).path("type").asText()).isEqualTo("ack");
            assertThat(bob.awaitMessage("lobby").path("id").asText()).isEqualTo("genuine");
            // a client resuming from the start gets the history without the forged records
            try (TestClient carol = TestClient.connectAs(eu.uri(), "carol")) {
                carol.send(Map.of("type", "join", "room", "lobby", "id", "j", "since", Map.of("offset", 0, "epoch", epoch)));
                JsonNode replayed = carol.awaitMessage("lobby");
                assertThat(replayed.path("id").asText()).isEqualTo("genuine");
                assertThat(carol.seen()).noneMatch(f -> f.path("id").asText().startsWith("evil"));
            }
            for (TestClient c : List.of(alice, bob)) {
                assertThat(c.seen()).noneMatch(f -> f.path("id").asText().startsWith("evil")
                        || "direct".equals(TestClient.type(f)) || "broadcast".equals(TestClient.type(f)));
            }
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> raw, TopicPartition tp, String recordKey, String geowsTopic,
                             String messageKey, String value) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        if (geowsTopic != null) {
            headers.add(Names.TOPIC_HEADER, geowsTopic.getBytes(StandardCharsets.UTF_8));
        }
        if (messageKey != null) {
            headers.add(Names.KEY_HEADER, messageKey.getBytes(StandardCharsets.UTF_8));
        }
        raw.send(new ProducerRecord<>(tp.topic(), tp.partition(), recordKey, value.getBytes(StandardCharsets.UTF_8), headers))
                .get(10, TimeUnit.SECONDS);
    }

    private static int partitions(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().size();
        }
    }
}
