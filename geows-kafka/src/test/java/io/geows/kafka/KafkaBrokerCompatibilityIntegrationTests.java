package io.geows.kafka;

import io.geows.Topics;
import io.geows.kafka.internal.Names;
import io.geows.spi.BrokerAdapter;
import io.geows.testkit.Await;
import io.geows.testkit.BrokerCompatibilityKit;
import io.geows.testkit.FaultProxy;
import io.geows.testkit.KafkaServer;
import io.geows.testkit.Ports;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Kafka broker passes the compatibility kit against a real Kafka broker (KRaft). Each node
 * reaches the broker through a listener of its own whose advertised address is a fault proxy, so one
 * node can be cut off while the others go on.
 */
class KafkaBrokerCompatibilityIntegrationTests extends BrokerCompatibilityKit {
    private static final int SLOTS = 16;
    private static KafkaServer kafka;
    private static final List<FaultProxy> proxies = new ArrayList<>();
    private static final Map<String, FaultProxy> proxyOfNode = new ConcurrentHashMap<>();
    private static final AtomicInteger next = new AtomicInteger();

    @BeforeAll
    static void startServer() {
        KafkaServer.Builder b = KafkaServer.builder();
        for (int i = 0; i < SLOTS; i++) {
            int port = Ports.freePort();
            FaultProxy proxy = FaultProxy.start(Ports.LOOPBACK, port);
            proxies.add(proxy);
            b.proxiedListener("NODE" + i, port, proxy.port());
        }
        kafka = b.start();
    }

    @AfterAll
    static void stopServer() {
        proxies.forEach(FaultProxy::close);
        kafka.close();
    }

    @Override
    protected BrokerAdapter connect(String nodeId) {
        FaultProxy proxy = proxies.get(next.getAndIncrement() % SLOTS);
        proxy.setRefuseConnections(false);
        proxyOfNode.put(nodeId, proxy);
        return KafkaBroker.builder().bootstrapServers(Ports.LOOPBACK + ":" + proxy.port()).name(nodeId)
                .partitions(4).requestTimeout(Duration.ofSeconds(3)).build();
    }

    @Override
    protected void failBroker() {
        kafka.kill();
    }

    @Override
    protected void recoverBroker() {
        kafka.start();
    }

    @Override
    protected void isolate(String nodeId) {
        proxyOfNode.get(nodeId).setRefuseConnections(true);
        proxyOfNode.get(nodeId).cutConnections();
    }

    @Override
    protected void heal(String nodeId) {
        proxyOfNode.get(nodeId).setRefuseConnections(false);
    }

    @Override
    protected void publishAsHistory(String room, byte[] payload, long offset, String epoch, long previous) throws Exception {
        // Kafka gives every record its own offset: the most a writer can do is store the copy again.
        String topic = Topics.defaults().room(room);
        TopicPartition tp = new Names(Topics.DEFAULT_PREFIX).roomsPartition(topic, partitions());
        RecordHeaders headers = new RecordHeaders();
        headers.add(Names.TOPIC_HEADER, topic.getBytes(StandardCharsets.UTF_8));
        headers.add(Names.KEY_HEADER, ("mallory\n" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), room, payload, headers)).get(10, TimeUnit.SECONDS);
        }
    }

    private static int partitions() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            return admin.describeTopics(List.of("geows.rooms")).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get("geows.rooms").partitions().size();
        }
    }

    @Override
    protected void loseHistory() throws Exception {
        // The rooms topic is deleted; the nodes notice, one creates it again: a new id, a new epoch.
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            var before = admin.describeTopics(List.of("geows.rooms")).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get("geows.rooms").topicId();
            admin.deleteTopics(List.of("geows.rooms")).all().get(10, TimeUnit.SECONDS);
            Await.until("the rooms topic created again", WAIT, () -> {
                try {
                    return !admin.describeTopics(List.of("geows.rooms")).allTopicNames().get(5, TimeUnit.SECONDS)
                            .get("geows.rooms").topicId().equals(before);
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }
}
