package io.geows.kafka;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsException;
import io.geows.Topics;
import io.geows.kafka.internal.KafkaHistory;
import io.geows.kafka.internal.KafkaPresence;
import io.geows.kafka.internal.Names;
import io.geows.kafka.internal.Pump;
import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerEvent;
import io.geows.spi.BrokerEventListener;
import io.geows.spi.BrokerListener;
import io.geows.spi.BrokerMessage;
import io.geows.spi.History;
import io.geows.spi.Presence;
import io.geows.spi.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
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
    /** How long a request to Kafka may take before it is refused as unavailable: 5 s. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Retention of the rooms topic when this adapter creates it (room history): 7 days. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    private static final Duration BUS_RETENTION = Duration.ofHours(1);
    private static final long CHECK_MILLIS = 1_000;

    private final String name;
    private final String address;
    private final Names names;
    private final Topics topics;
    private final Duration timeout;
    private final Admin admin;
    private final KafkaProducer<String, byte[]> producer;
    private final Pump pump;
    private final KafkaHistory history;
    private final KafkaPresence presence;
    private final ExecutorService readerThread;
    private final ScheduledExecutorService checker;
    private final int roomPartitions;
    private final int busPartitions;
    private final List<BrokerEventListener> listeners = new CopyOnWriteArrayList<>();
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
        this.timeout = b.requestTimeout;
        Map<String, Object> common = new HashMap<>(b.clientProperties);
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        common.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        common.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        this.admin = Admin.create(common);
        String clientId = "geows-" + b.name + "-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            int[] counts = ensureTopics(b);
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
        this.pump = new Pump(consumer(common, clientId + "-live"), names, b.dedupWindow, timeout, this::deliver,
                "geows-kafka-" + b.name);
        this.readerThread = Executors.newSingleThreadExecutor(r -> daemon(r, "geows-kafka-history-" + b.name));
        this.history = new KafkaHistory(names, topics, roomPartitions, pump, this::send, consumer(common, clientId + "-history"),
                readerThread, b.dedupWindow, timeout, this::unavailable);
        this.presence = new KafkaPresence(names, this::send, consumer(common, clientId + "-presence"), timeout,
                "geows-kafka-presence-" + b.name);
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "geows-kafka-check-" + b.name));
        try {
            roomsTopicId = roomsTopicId();
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

    // ------------------------------------------------------------------ topics

    /** Creates what is missing, checks what exists; returns the rooms and bus partition counts. */
    private int[] ensureTopics(Builder b) {
        Map<String, NewTopic> wanted = new LinkedHashMap<>();
        Replication replication = b.replicationFactor > 0 ? new Replication((short) b.replicationFactor) : null;
        wanted.put(names.rooms(), topic(names.rooms(), b.partitions, replication, Map.of("cleanup.policy", "delete",
                "retention.ms", String.valueOf(b.retention.toMillis()))));
        wanted.put(names.bus(), topic(names.bus(), b.partitions, replication, Map.of("cleanup.policy", "delete",
                "retention.ms", String.valueOf(BUS_RETENTION.toMillis()))));
        wanted.put(names.presence(), topic(names.presence(), 1, replication, Map.of("cleanup.policy", "compact")));
        try {
            for (NewTopic t : wanted.values()) {
                try {
                    admin.createTopics(List.of(t)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    log.info("created Kafka topic {} ({} partitions)", t.name(), t.numPartitions());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            Map<String, TopicDescription> found = describeNew(wanted.keySet());
            Map<ConfigResource, Config> configs = admin.describeConfigs(wanted.keySet().stream()
                    .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            for (String topic : wanted.keySet()) {
                String policy = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic)).get("cleanup.policy").value();
                boolean compacts = policy.contains("compact");
                boolean shouldCompact = topic.equals(names.presence());
                if (compacts != shouldCompact || (shouldCompact && policy.contains("delete"))) {
                    throw new GeoWsException("Kafka topic '" + topic + "' at " + address + " has cleanup.policy=" + policy
                            + " but geows needs cleanup.policy=" + (shouldCompact ? "compact" : "delete")
                            + (shouldCompact ? " (the directory keeps each key's last value)"
                            : " (a compacted topic would lose room messages that share a key)")
                            + "; change the topic's setting or use another topic prefix");
                }
            }
            int presenceParts = found.get(names.presence()).partitions().size();
            if (presenceParts != 1) {
                throw new GeoWsException("Kafka topic '" + names.presence() + "' at " + address + " has " + presenceParts
                        + " partitions; geows needs 1 (the directory is read in one order); delete it or use another topic prefix");
            }
            int rooms = found.get(names.rooms()).partitions().size();
            if (rooms != b.partitions) {
                log.info("Kafka topic {} has {} partitions (this node was configured for {}): using {}", names.rooms(), rooms,
                        b.partitions, rooms);
            }
            return new int[] {rooms, found.get(names.bus()).partitions().size()};
        } catch (ExecutionException e) {
            throw failure("cannot set up the geows topics", e.getCause());
        } catch (TimeoutException e) {
            throw new BrokerUnavailableException("no Kafka broker at " + address + " answered within " + timeout.toMillis()
                    + " ms - is it running, and are the bootstrap servers right?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException("interrupted while connecting to Kafka at " + address, e);
        }
    }

    /** Describes topics, asking again while a topic just created is not yet known everywhere. */
    private Map<String, TopicDescription> describeNew(java.util.Collection<String> names)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return admin.describeTopics(names).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50); // metadata of a topic created a moment ago reaches every broker soon
            }
        }
    }

    /** A replication factor, or the broker's default when absent. */
    private record Replication(short value) {
    }

    private static NewTopic topic(String name, int partitions, Replication replication, Map<String, String> configs) {
        NewTopic t = new NewTopic(name, java.util.Optional.of(partitions),
                replication == null ? java.util.Optional.empty() : java.util.Optional.of(replication.value()));
        return t.configs(configs);
    }

    private RuntimeException failure(String what, Throwable cause) {
        String type = cause == null ? "" : cause.getClass().getSimpleName();
        if (type.contains("Authentication") || type.contains("Authorization") || type.contains("Sasl")) {
            return new GeoWsException(what + " on Kafka at " + address + ": " + type + " - check the credentials and ACLs"
                    + " (the message is not repeated here: it may echo a secret)");
        }
        if (cause instanceof GeoWsException g) {
            return g;
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new BrokerUnavailableException(what + ": no Kafka broker at " + address + " answered within "
                    + timeout.toMillis() + " ms - is it running, and are the bootstrap servers right?", cause);
        }
        return new BrokerUnavailableException(what + " on Kafka at " + address + ": " + cause, cause);
    }

    /**
     * Notices a rooms topic that was deleted (created again here: the history starts over with a new
     * epoch) or created again by someone else.
     */
    private void followRoomsTopic() {
        String id;
        boolean missing = false;
        try {
            id = roomsTopicId();
        } catch (MissingTopic e) {
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
            ensureTopics(settings);
            id = roomsTopicId();
        } else {
            log.warn("Kafka topic {} at {} was created again (id {}, was {}): room history starts over (a new epoch)",
                    names.rooms(), address, id, roomsTopicId);
        }
        roomsTopicId = id;
        pump.resetRooms(id).join();
    }

    /** The rooms topic does not exist. */
    private static final class MissingTopic extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingTopic() {
            super(null, null, false, false);
        }
    }

    private String roomsTopicId() {
        try {
            TopicDescription d = admin.describeTopics(List.of(names.rooms())).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(names.rooms());
            return d.topicId().toString();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                throw new MissingTopic();
            }
            throw failure("cannot read the rooms topic", e.getCause());
        } catch (TimeoutException e) {
            throw new BrokerUnavailableException("Kafka at " + address + " did not describe " + names.rooms() + " in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException("interrupted", e);
        }
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
        for (BrokerEventListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("broker event listener failed on {}", event, e);
            }
        }
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
        return topic.startsWith(topics.prefix() + ".room.") ? names.roomsPartition(topic, roomPartitions)
                : names.busPartition(topic, busPartitions);
    }

    @Override
    public CompletableFuture<Void> publish(String topic, byte[] payload) {
        TopicPartition tp = partitionOf(topic);
        RecordHeaders headers = new RecordHeaders();
        headers.add(Names.TOPIC_HEADER, topic.getBytes(StandardCharsets.UTF_8));
        return send(new ProducerRecord<String, byte[]>(tp.topic(), tp.partition(), (String) null, payload, headers))
                .thenApply(o -> null);
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
        listeners.add(Objects.requireNonNull(listener, "listener"));
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
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration retention = DEFAULT_RETENTION;
        private Duration linger = Duration.ofMillis(1);
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
            Objects.requireNonNull(uri, "uri");
            boolean tls = uri.startsWith("kafkas://");
            if (!tls && !uri.startsWith("kafka://")) {
                throw new IllegalArgumentException("a Kafka URI starts with kafka:// or kafkas://, was '"
                        + KafkaUris.redact(uri) + "'");
            }
            String rest = uri.substring(tls ? "kafkas://".length() : "kafka://".length());
            String mechanism = "SCRAM-SHA-512";
            int query = rest.indexOf('?');
            if (query >= 0) {
                for (String pair : rest.substring(query + 1).split("&")) {
                    if (pair.startsWith("sasl=")) {
                        mechanism = pair.substring("sasl=".length());
                    } else if (!pair.isEmpty()) {
                        throw new IllegalArgumentException("unknown Kafka URI parameter '" + pair.split("=")[0]
                                + "' (known: sasl)");
                    }
                }
                rest = rest.substring(0, query);
            }
            if (!List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512").contains(mechanism)) {
                throw new IllegalArgumentException("sasl must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, was '" + mechanism + "'");
            }
            int at = rest.lastIndexOf('@');
            String user = null;
            String password = null;
            if (at >= 0) {
                String credentials = rest.substring(0, at);
                int colon = credentials.indexOf(':');
                user = java.net.URLDecoder.decode(colon >= 0 ? credentials.substring(0, colon) : credentials,
                        StandardCharsets.UTF_8);
                password = colon >= 0 ? java.net.URLDecoder.decode(credentials.substring(colon + 1), StandardCharsets.UTF_8) : "";
                rest = rest.substring(at + 1);
            }
            int slash = rest.indexOf('/');
            String hosts = slash >= 0 ? rest.substring(0, slash) : rest;
            if (hosts.isBlank()) {
                throw new IllegalArgumentException("a Kafka URI names at least one host:port, was '" + KafkaUris.redact(uri) + "'");
            }
            bootstrapServers(hosts);
            if (user != null) {
                clientProperties.put("security.protocol", tls ? "SASL_SSL" : "SASL_PLAINTEXT");
                clientProperties.put("sasl.mechanism", mechanism);
                String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                        : "org.apache.kafka.common.security.scram.ScramLoginModule";
                clientProperties.put("sasl.jaas.config", module + " required username=\"" + jaasQuoted(user)
                        + "\" password=\"" + jaasQuoted(password) + "\";");
            } else if (tls) {
                clientProperties.put("security.protocol", "SSL");
            }
            return this;
        }

        private static String jaasQuoted(String value) {
            return value.replace("\\", "\\\\").replace("\"", "\\\"");
        }

        /**
         * Trusts the broker certificates signed by the CA in this PEM file (TLS with a private CA);
         * without it, the JVM's trust store.
         */
        public Builder trustedCertificates(java.nio.file.Path pemFile) {
            Objects.requireNonNull(pemFile, "pemFile");
            if (!java.nio.file.Files.isReadable(pemFile)) {
                throw new IllegalArgumentException("cannot read the CA certificate file " + pemFile);
            }
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

        /** How long a repeated message key is recognised. Default 2 minutes. */
        public Builder dedupWindow(Duration window) {
            this.dedupWindow = positive(window, "dedupWindow");
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

        /** The producer's {@code linger.ms}: a batch waits this long for company. Default 1 ms. */
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
