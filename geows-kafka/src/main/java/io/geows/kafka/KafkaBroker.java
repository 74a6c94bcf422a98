package io.geows.kafka;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsException;
import io.geows.Topics;
import io.geows.kafka.internal.KafkaHistory;
import io.geows.kafka.internal.KafkaPresence;
import io.geows.kafka.internal.Names;
import io.geows.kafka.internal.Pump;
import io.geows.kafka.internal.Topology;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerEvent;
import io.geows.spi.BrokerEventListener;
import io.geows.spi.BrokerEventListeners;
import io.geows.spi.BrokerListener;
import io.geows.spi.BrokerMessage;
import io.geows.spi.History;
import io.geows.spi.Presence;
import io.geows.spi.Subscription;
import io.geows.spi.TrustStores;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Kafka as the broker between nodes and regions, with room history and presence (see
 * {@code docs/design-notes.md}, "Kafka as the broker"). Room messages go to the topic
 * {@code <prefix>.rooms}, one room per partition (by its topic), and a room's offsets are its
 * partition's offsets, so a client resumes from Kafka's own log; everything else goes through
 * {@code <prefix>.bus}; presence lives in the compacted {@code <prefix>.presence}. Each node reads the
 * partitions it needs with a consumer assigned by hand (no consumer group).
 *
 * <pre>{@code
 * KafkaBroker broker = KafkaBroker.builder()
 *         .bootstrapServers("kafka-1.eu:9092,kafka-2.us:9092,kafka-3.ap:9092")
 *         .build();
 * }</pre>
 *
 * <p>The topics are created when missing (replication 3 where the cluster has three brokers), and
 * checked when they exist: a rooms or bus topic that compacts, or a presence topic that does not, is
 * refused with a {@link GeoWsException} saying which setting to change.
 *
 * <p>Thread-safe. Listeners run on the adapter's consumer thread.
 *
 * @since 0.2.0
 */
public final class KafkaBroker implements BrokerAdapter {
    private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
    /** Partitions of the rooms topic when this adapter creates it: {@value}. */
    public static final int DEFAULT_PARTITIONS = 12;
    /** How long a repeated message key is recognised: 2 minutes. */
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofMinutes(2);
    /** How many message keys of a rooms partition are remembered at most, by default: {@value}. */
    public static final int DEFAULT_DEDUP_KEYS = 100_000;
    /** How long a request to Kafka may take before it is refused as unavailable: 5 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Retention of the rooms topic when this adapter creates it (room history): 7 days. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    private static final long CHECK_MILLIS = 1_000;

    private final String name;
    private final String address;
    private final Names names;
    private final Topics topics;
    private final String roomTopicStart;
    private final Duration timeout;
    private final Admin admin;
    private final Topology topology;
    private final KafkaProducer<String, byte[]> producer;
    private final Pump pump;
    private final KafkaHistory history;
    private final KafkaPresence presence;
    private final ExecutorService readerThread;
    private final ScheduledExecutorService checker;
    private final int roomPartitions;
    private final int busPartitions;
    private final BrokerEventListeners events = new BrokerEventListeners();
    private final Map<String, List<BrokerListener>> subscribers = new ConcurrentHashMap<>();
    private final Object stateLock = new Object();
    private volatile boolean connected = true;
    private volatile boolean closed;
    private volatile String roomsTopicId;
    private final Builder settings;

    private KafkaBroker(Builder b) {
        this.settings = b;
        this.name = b.name;
        this.address = b.bootstrapServers;
        this.names = new Names(b.topicPrefix);
        this.topics = Topics.withPrefix(b.topicPrefix);
        this.roomTopicStart = topics.prefix() + ".room.";
        this.timeout = b.requestTimeout;
        Map<String, Object> common = new HashMap<>(b.clientProperties);
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        common.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        common.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        this.admin = Admin.create(common);
        this.topology = new Topology(admin, names, address, timeout);
        String clientId = "geows-" + b.name + "-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            int[] counts = topology.ensure(b.partitions, b.replicationFactor, b.retention);
            this.roomPartitions = counts[0];
            this.busPartitions = counts[1];
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
        Map<String, Object> p = new HashMap<>(common);
        p.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-producer");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, (int) b.linger.toMillis());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) (timeout.toMillis() + b.linger.toMillis()));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.pump = new Pump(consumer(common, clientId + "-live"), names, b.dedupWindow, b.dedupKeys, timeout, this::deliver,
                "geows-kafka-" + b.name);
        this.readerThread = Executors.newSingleThreadExecutor(r -> daemon(r, "geows-kafka-history-" + b.name));
        this.history = new KafkaHistory(names, topics, roomPartitions, pump, this::send, consumer(common, clientId + "-history"),
                readerThread, b.dedupWindow, b.dedupKeys, timeout, this::unavailable);
        this.presence = new KafkaPresence(names, this::send, consumer(common, clientId + "-presence"), timeout,
                "geows-kafka-presence-" + b.name);
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "geows-kafka-check-" + b.name));
        try {
            roomsTopicId = topology.roomsTopicId();
            pump.roomsTopicId(roomsTopicId);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        checker.scheduleWithFixedDelay(this::check, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        log.info("connected to Kafka at {}: rooms topic {} ({} partitions), bus {} ({}), presence {}", address,
                names.rooms(), roomPartitions, names.bus(), busPartitions, names.presence());
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects with the defaults to {@code kafka://host:port[,host:port...]} (or a plain
     * {@code host:port} list).
     *
     * @throws BrokerUnavailableException when no broker answers
     */
    public static KafkaBroker connect(String uri) {
        return builder().uri(uri).build();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static KafkaConsumer<String, byte[]> consumer(Map<String, Object> common, String clientId) {
        Map<String, Object> c = new HashMap<>(common);
        c.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        return consumer;
    }

    /**
     * Notices a rooms topic that was deleted (created again here: the history starts over with a new
     * epoch) or created again by someone else.
     */
    private void followRoomsTopic() {
        String id;
        boolean missing = false;
        try {
            id = topology.roomsTopicId();
        } catch (Topology.MissingTopic e) {
            missing = true;
            id = null;
        }
        if (!missing && id.equals(roomsTopicId)) {
            return;
        }
        // The history is gone: as after an outage, the node stops, then recovers its rooms (new epoch).
        if (connected) {
            connected = false;
            pump.pause();
            emit(BrokerEvent.LOST);
        }
        if (missing) {
            log.warn("Kafka topic {} at {} is gone: creating it again; room history starts over (a new epoch)",
                    names.rooms(), address);
            topology.ensure(settings.partitions, settings.replicationFactor, settings.retention);
            id = topology.roomsTopicId();
        } else {
            log.warn("Kafka topic {} at {} was created again (id {}, was {}): room history starts over (a new epoch)",
                    names.rooms(), address, id, roomsTopicId);
        }
        roomsTopicId = id;
        pump.resetRooms(id).join();
    }

    // ------------------------------------------------------------------ health

    private void check() {
        boolean ok;
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            ok = true;
        } catch (Exception e) {
            ok = false;
        }
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            if (ok && connected) {
                try {
                    followRoomsTopic();
                } catch (RuntimeException e) {
                    log.debug("checking the rooms topic: {}", e.toString());
                }
            }
            if (!ok && connected) {
                connected = false;
                pump.pause();
                log.warn("lost Kafka at {}; operations fail until it is back", address);
                emit(BrokerEvent.LOST);
            } else if (ok && !connected) {
                try {
                    followRoomsTopic();
                    pump.restore(() -> {
                        connected = true;
                        log.info("Kafka at {} is back", address);
                        emit(BrokerEvent.RESTORED);
                    }).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    log.debug("Kafka answers again but is not ready: {}", e.toString());
                }
            }
        }
    }

    private void emit(BrokerEvent event) {
        events.emit(event);
    }

    private RuntimeException unavailable(Throwable cause) {
        if (cause instanceof BrokerUnavailableException b) {
            return b;
        }
        return new BrokerUnavailableException("Kafka at " + address + " did not answer (" + cause + "); the operation was"
                + " not performed, retry later", cause);
    }

    // ------------------------------------------------------------------ messages

    private CompletableFuture<Long> send(ProducerRecord<String, byte[]> record) {
        if (!connected || closed) {
            return CompletableFuture.failedFuture(BrokerUnavailableException.disconnected(name));
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        try {
            producer.send(record, (meta, err) -> {
                if (err != null) {
                    done.completeExceptionally(unavailable(err));
                } else {
                    done.complete(meta.offset());
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(unavailable(e));
        }
        return done;
    }

    private void deliver(String topic, BrokerMessage m) {
        List<BrokerListener> ls = subscribers.get(topic);
        if (ls == null) {
            return;
        }
        for (BrokerListener l : ls) {
            try {
                l.onMessage(m);
            } catch (RuntimeException e) {
                log.warn("listener of {} failed", topic, e);
            }
        }
    }

    private TopicPartition partitionOf(String topic) {
        return topic.startsWith(roomTopicStart) ? names.roomsPartition(topic, roomPartitions)
                : names.busPartition(topic, busPartitions);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        if (topic.startsWith(roomTopicStart)) {
            // a room's event without history (presence): in the room's partition, after its messages
            TopicPartition tp = names.roomsPartition(topic, roomPartitions);
            RecordHeaders headers = new RecordHeaders();
            headers.add(Names.TOPIC_HEADER, topic.getBytes(StandardCharsets.UTF_8));
            return send(new ProducerRecord<String, byte[]>(tp.topic(), tp.partition(), (String) null, payload, headers))
                    .thenApply(o -> null);
        }
        // the bus: the geows topic is the record's key (no header to write or parse)
        TopicPartition tp = names.busPartition(topic, busPartitions);
        return send(new ProducerRecord<>(tp.topic(), tp.partition(), topic, payload)).thenApply(o -> null);
    }

    @Override
    public CompletableFuture<Subscription> subscribe(String topic, BrokerListener listener) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(listener, "listener");
        if (!connected) {
            return CompletableFuture.failedFuture(BrokerUnavailableException.disconnected(name));
        }
        return pump.assign(partitionOf(topic)).thenApply(v -> {
            subscribers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(listener);
            return new Subscription() {
                @Override
                public String topic() {
                    return topic;
                }

                @Override
                public void close() {
                    List<BrokerListener> ls = subscribers.get(topic);
                    if (ls != null) {
                        ls.remove(listener);
                    }
                }
            };
        });
    }

    @Override
    public History history() {
        return history;
    }

    @Override
    public Presence presence() {
        return presence;
    }

    @Override
    public boolean isConnected() {
        return connected && !closed;
    }

    @Override
    public void addListener(BrokerEventListener listener) {
        events.add(listener);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (checker != null) {
            checker.shutdownNow();
        }
        if (presence != null) {
            presence.close();
        }
        if (pump != null) {
            pump.close();
        }
        if (readerThread != null) {
            readerThread.shutdownNow();
        }
        try {
            producer.close(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            log.debug("closing the producer", e);
        }
        admin.close(Duration.ofSeconds(2));
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + address + ", " + names.rooms() + "]";
    }

    /**
     * Settings for a {@link KafkaBroker}. Not thread-safe.
     *
     * @since 0.2.0
     */
    public static final class Builder {
        private String bootstrapServers;
        private String topicPrefix = Topics.DEFAULT_PREFIX;
        private String name = "kafka";
        private int partitions = DEFAULT_PARTITIONS;
        private int replicationFactor = -1;
        private Duration dedupWindow = DEFAULT_DEDUP_WINDOW;
        private int dedupKeys = DEFAULT_DEDUP_KEYS;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration retention = DEFAULT_RETENTION;
        private Duration linger = Duration.ZERO;
        private final Map<String, Object> clientProperties = new HashMap<>();

        private Builder() {
        }

        /** {@code host:port[,host:port...]}: where to find the cluster. Required (or {@link #uri}). */
        public Builder bootstrapServers(String servers) {
            Objects.requireNonNull(servers, "servers");
            if (servers.isBlank()) {
                throw new IllegalArgumentException("bootstrap servers must not be blank");
            }
            this.bootstrapServers = servers;
            return this;
        }

        /**
         * {@code kafka://[user:password@]host:port[,host:port...][?sasl=MECHANISM]} (plaintext) or
         * {@code kafkas://...} (TLS), as the reference server takes it. A user and password log in
         * with SASL, {@code SCRAM-SHA-512} unless {@code sasl=} names {@code PLAIN} or
         * {@code SCRAM-SHA-256}; user and password are URL-decoded.
         *
         * @throws IllegalArgumentException for another scheme, no host, or an unknown mechanism
         */
        public Builder uri(String uri) {
            KafkaUris.Parsed parsed = KafkaUris.parse(uri);
            bootstrapServers(parsed.bootstrapServers());
            clientProperties.putAll(parsed.clientProperties());
            return this;
        }

        /**
         * Trusts the broker certificates signed by the CA in this PEM file (TLS with a private CA);
         * without it, the JVM's trust store.
         */
        public Builder trustedCertificates(java.nio.file.Path pemFile) {
            TrustStores.readableFile("trustedCertificates", pemFile);
            clientProperties.put("ssl.truststore.type", "PEM");
            clientProperties.put("ssl.truststore.location", pemFile.toAbsolutePath().toString());
            return this;
        }

        /** The client settings so far (tests). */
        Map<String, Object> clientProperties() {
            return Map.copyOf(clientProperties);
        }

        /** The bootstrap servers so far (tests). */
        String bootstrapServersSet() {
            return bootstrapServers;
        }

        /** The prefix of the geows topics and of the Kafka topics ({@code <prefix>.rooms} ...). Default {@code geows}. */
        public Builder topicPrefix(String prefix) {
            Topics.withPrefix(prefix); // validates
            this.topicPrefix = prefix;
            return this;
        }

        /** The name in logs and metrics. Default {@code kafka}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Partitions of the rooms and bus topics when this adapter creates them. Default {@value #DEFAULT_PARTITIONS}. */
        public Builder partitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /** Replication of the topics when this adapter creates them; default the cluster's. */
        public Builder replicationFactor(int replicas) {
            if (replicas < 1 || replicas > Short.MAX_VALUE) {
                throw new IllegalArgumentException("replication factor must be at least 1, was " + replicas);
            }
            this.replicationFactor = replicas;
            return this;
        }

        /**
         * How long a repeated message key is recognised (a client's retry under the same id, e.g.
         * after a failover to another region). Default 2 minutes; see also {@link #dedupKeys}.
         */
        public Builder dedupWindow(Duration window) {
            this.dedupWindow = positive(window, "dedupWindow");
            return this;
        }

        /**
         * How many message keys of one rooms partition are remembered at most (about 40 bytes each
         * in each node reading the partition): a repeat is recognised within the dedup window or
         * the last this many messages of its partition, whichever is shorter. Default
         * {@value #DEFAULT_DEDUP_KEYS}: at 1,000 messages a second in a partition, 100 s of the
         * default 2-minute window.
         */
        public Builder dedupKeys(int keys) {
            if (keys < 1) {
                throw new IllegalArgumentException("dedupKeys must be at least 1, was " + keys);
            }
            this.dedupKeys = keys;
            return this;
        }

        /** How long a request may take before the operation is refused as unavailable. Default 5 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /** Retention of the rooms topic (room history) when this adapter creates it. Default 7 days. */
        public Builder retention(Duration retention) {
            this.retention = positive(retention, "retention");
            return this;
        }

        /**
         * The producer's {@code linger.ms}: a batch waits this long for company. Default 0: a lone
         * message goes at once (one message, publish to delivery, p50 0.31 ms at 0 against 1.7 ms at
         * 1 ms and 6.7 ms at 5 ms in {@code KafkaBrokerBenchmark}), and under load the producer batches
         * anyway while its requests are in flight. Raise it for many small appends with latency to
         * spare, at the cost of that much latency on every message.
         */
        public Builder linger(Duration linger) {
            Objects.requireNonNull(linger, "linger");
            if (linger.isNegative()) {
                throw new IllegalArgumentException("linger must not be negative");
            }
            this.linger = linger;
            return this;
        }

        /**
         * A client setting passed to the producer, consumers and admin client, e.g.
         * {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config},
         * {@code ssl.truststore.location}.
         */
        public Builder clientProperty(String key, Object value) {
            clientProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        /**
         * Connects and sets up the topics.
         *
         * @throws BrokerUnavailableException when no broker answers in time
         * @throws GeoWsException             when a topic exists with settings geows cannot use, or
         *                                    the credentials are refused
         */
        public KafkaBroker build() {
            if (bootstrapServers == null) {
                throw new IllegalStateException("bootstrapServers(...) or uri(...) not set");
            }
            return new KafkaBroker(this);
        }
    }
}
