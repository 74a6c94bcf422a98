package io.geows.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A real KRaft broker from the build's jars: it serves, dies with SIGKILL, comes back with its data.
 * ({@link KafkaCluster} is shown by geows-kafka's region-loss test, which kills a partition leader.)
 */
class KafkaServerIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void servesOnLoopbackAndKeepsItsDataAcrossAKill() throws Exception {
        try (KafkaServer kafka = KafkaServer.launch()) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
            assertThat(kafka.uri()).isEqualTo("kafka://127.0.0.1:" + kafka.port());
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            produce(kafka, "before");
            int port = kafka.port();
            long pid = kafka.pid();

            kafka.kill();
            assertThat(kafka.isRunning()).isFalse();
            kafka.start();
            assertThat(kafka.port()).isEqualTo(port);
            assertThat(kafka.pid()).isNotEqualTo(pid);

            produce(kafka, "after");
            assertThat(readAll(kafka)).as("the topic's data survived the kill").containsExactly("before", "after");
        }
    }

    @Test
    void topicsAreNotCreatedByAccident() throws Exception {
        try (KafkaServer kafka = KafkaServer.launch();
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            try (KafkaProducer<String, String> p = producer(kafka, Map.of("max.block.ms", "1000"))) {
                assertThatThrownBy(() -> p.send(new ProducerRecord<>("nobody-made-me", "x")).get(10, TimeUnit.SECONDS))
                        .hasStackTraceContaining("nobody-made-me");
            }
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("nobody-made-me");
        }
    }

    @Test
    void aClassPathWithoutKafkaFailsNamingWhatWasMissing() {
        String saved = System.getProperty(KafkaServer.CLASSPATH_PROPERTY);
        try {
            System.setProperty(KafkaServer.CLASSPATH_PROPERTY, "/nonexistent.jar");
            assertThatThrownBy(KafkaServer::launch).isInstanceOf(ServerProcessException.class)
                    .hasMessageContaining("kafka.tools.StorageTool");
        } finally {
            if (saved == null) {
                System.clearProperty(KafkaServer.CLASSPATH_PROPERTY);
            } else {
                System.setProperty(KafkaServer.CLASSPATH_PROPERTY, saved);
            }
        }
    }

    private static KafkaProducer<String, String> producer(KafkaServer kafka, Map<String, String> extra) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("acks", "all");
        p.putAll(extra);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static void produce(KafkaServer kafka, String value) throws Exception {
        try (KafkaProducer<String, String> p = producer(kafka, Map.of())) {
            p.send(new ProducerRecord<>("t", value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> readAll(KafkaServer kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition("t", 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            List<String> got = new ArrayList<>();
            Await.until("two records read", WAIT, () -> {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    got.add(r.value());
                }
                return got.size() >= 2;
            });
            return got;
        }
    }
}
