package io.geows.benchmarks;

import io.geows.kafka.KafkaBroker;
import io.geows.testkit.KafkaServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The Kafka adapter against raw kafka-clients (see {@link AdapterBenchmark}) on one KRaft broker: the
 * raw side is a producer with the adapter's settings ({@code acks=all}, idempotent, {@code linger.ms} as the adapter's)
 * and a consumer assigned to the partition by hand, polling on its own thread, as the adapter's,
 * handing each record to the listener (one release per message, as the adapters and the Redis and
 * NATS raw clients do).
 * {@code -p lingerMs=0,1,5} measures the producers' batching delay (both sides alike).
 */
@State(Scope.Benchmark)
public class KafkaBrokerBenchmark extends AdapterBenchmark {
    private static final String RAW_TOPIC = "bench.raw";

    private KafkaServer kafka;
    private KafkaProducer<String, byte[]> rawProducer;
    private KafkaConsumer<String, byte[]> rawConsumer;
    private Thread rawPoller;
    private volatile boolean running = true;
    private KafkaBroker publisher;
    private KafkaBroker subscriber;

    /** The producers' {@code linger.ms} (the adapter's default is 0). */
    @Param({"0"})
    public int lingerMs;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        kafka = KafkaServer.launch();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(RAW_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("linger.ms", String.valueOf(lingerMs));
        rawProducer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Properties c = new Properties();
        c.put("bootstrap.servers", kafka.bootstrapServers());
        c.put("fetch.max.wait.ms", "100");
        rawConsumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        TopicPartition tp = new TopicPartition(RAW_TOPIC, 0);
        rawConsumer.assign(List.of(tp));
        rawConsumer.seekToEnd(List.of(tp));
        rawConsumer.position(tp);
        rawPoller = new Thread(() -> {
            try {
                while (running) {
                    // each record to the listener, as the Redis and NATS raw clients hand over each message
                    for (var r : rawConsumer.poll(Duration.ofMillis(100))) {
                        if (r.value() != null) {
                            rawReceived.release();
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            }
        }, "bench-raw-consumer");
        rawPoller.start();
        publisher = KafkaBroker.builder().bootstrapServers(kafka.bootstrapServers()).name("bench-pub")
                .linger(Duration.ofMillis(lingerMs)).build();
        subscriber = KafkaBroker.builder().bootstrapServers(kafka.bootstrapServers()).name("bench-sub")
                .linger(Duration.ofMillis(lingerMs)).build();
        useAdapters(publisher, subscriber);
    }

    @Override
    protected void rawPublish() {
        rawProducer.send(new ProducerRecord<>(RAW_TOPIC, 0, "bench", payload));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        closeSubscriptions();
        publisher.close();
        subscriber.close();
        running = false;
        rawConsumer.wakeup();
        rawPoller.join(5_000);
        rawConsumer.close();
        rawProducer.close();
        kafka.close();
    }
}
