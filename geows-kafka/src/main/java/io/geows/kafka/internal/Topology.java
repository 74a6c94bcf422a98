package io.geows.kafka.internal;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapter's three topics: created when missing, checked when they exist (cleanup policy, the
 * presence topic's single partition), the rooms topic's id (the epochs), and Kafka's failures turned
 * into geows exceptions that say what to do.
 */
public final class Topology {
    private static final Logger log = LoggerFactory.getLogger(Topology.class);
    private static final Duration BUS_RETENTION = Duration.ofHours(1);

    private final Admin admin;
    private final Names names;
    private final String address;
    private final Duration timeout;

    public Topology(Admin admin, Names names, String address, Duration timeout) {
        this.admin = admin;
        this.names = names;
        this.address = address;
        this.timeout = timeout;
    }

    /** Creates what is missing, checks what exists; returns the rooms and bus partition counts. */
    public int[] ensure(int partitions, int replicationFactor, Duration retention) {
        Map<String, NewTopic> wanted = new LinkedHashMap<>();
        Replication replication = replicationFactor > 0 ? new Replication((short) replicationFactor) : null;
        wanted.put(names.rooms(), topic(names.rooms(), partitions, replication, Map.of("cleanup.policy", "delete",
                "retention.ms", String.valueOf(retention.toMillis()))));
        wanted.put(names.bus(), topic(names.bus(), partitions, replication, Map.of("cleanup.policy", "delete",
                "retention.ms", String.valueOf(BUS_RETENTION.toMillis()))));
        wanted.put(names.presence(), topic(names.presence(), 1, replication, Map.of("cleanup.policy", "compact")));
        wanted.put(names.erased(), topic(names.erased(), 1, replication, Map.of("cleanup.policy", "compact")));
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
                boolean shouldCompact = topic.equals(names.presence()) || topic.equals(names.erased());
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
            if (rooms != partitions) {
                log.info("Kafka topic {} has {} partitions (this node was configured for {}): using {}", names.rooms(), rooms,
                        partitions, rooms);
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

    public RuntimeException failure(String what, Throwable cause) {
        String type = cause == null ? "" : cause.getClass().getSimpleName();
        if (cause instanceof org.apache.kafka.common.errors.SslAuthenticationException) {
            // before the credentials case below: it is an AuthenticationException too, but no password
            // was refused; the TLS failure itself (the deepest cause) names no secret and says what is wrong
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return new GeoWsException(what + " on Kafka at " + address + ": the TLS handshake failed (" + root.getMessage()
                    + ") - the client does not trust the broker's certificate, or the certificate does not name the"
                    + " host it was reached at; give the CA that signed it with trustedCertificates(...) (or"
                    + " ssl.truststore.*), and check the host names of the bootstrap servers", cause);
        }
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

    /** The rooms topic does not exist. */
    public static final class MissingTopic extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingTopic() {
            super(null, null, false, false);
        }
    }

    public String roomsTopicId() {
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
}
