package io.geows.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker for tests: KRaft mode (broker and controller in one process, no
 * ZooKeeper), started as its own JVM from the Kafka server classes Maven resolved, on free loopback
 * ports, with its data in a temporary directory that survives {@link #kill()} and {@link #start()}.
 *
 * <pre>{@code
 * try (KafkaServer kafka = KafkaServer.launch()) {
 *     producerProps.put("bootstrap.servers", kafka.bootstrapServers());   // 127.0.0.1:<port>
 *     kafka.kill();     // SIGKILL, as a crash
 *     kafka.start();    // same port, same data
 * }
 * }</pre>
 *
 * <p>The server runs {@code kafka.Kafka} with the test's own class path, so the module that uses
 * this needs {@code org.apache.kafka:kafka_2.13} (4.x) as a test dependency; the system property
 * {@value #CLASSPATH_PROPERTY} gives another class path instead. Nothing is downloaded: the jars are
 * those of the build. The storage directory is formatted once, before the first start.
 *
 * <p>Besides the PLAINTEXT port, a broker may have a SASL port ({@link Builder#saslPlainUser},
 * {@link Builder#saslScramUser}) and a TLS port ({@link Builder#tls}; the SASL port then speaks
 * SASL_SSL):
 *
 * <pre>{@code
 * try (TestCertificates certs = TestCertificates.generate();
 *      KafkaServer kafka = KafkaServer.builder().tls(certs.server()).saslScramUser("alice", "secret").start()) {
 *     String uri = "kafkas://alice:secret@127.0.0.1:" + kafka.saslPort() + "?sasl=SCRAM-SHA-512";
 * }
 * }</pre>
 *
 * <p>Ready means the broker answers an {@code ApiVersions} request on its port (it opens the port
 * once it has joined the metadata quorum). Thread-safe lifecycle, as {@link ServerProcess}.
 *
 * @since 0.2.0
 */
public final class KafkaServer extends ServerProcess {
    /** System property with the class path to run the broker with, instead of the test's: {@value}. */
    public static final String CLASSPATH_PROPERTY = "geows.kafka.classpath";
    /** How long a start waits for the broker to answer, by default: 60 s (a JVM starts slowly on a busy machine). */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    /** How long a stop waits after SIGTERM before killing, by default: 15 s. */
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(15);

    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);
    private static final String MAIN_CLASS = "kafka.Kafka";
    private static final String STORAGE_TOOL = "kafka.tools.StorageTool";

    private final String classpath;
    private final Path javaBinary;
    private final Path configFile;
    private final Path dataDir;
    private final String clusterId;
    private final int nodeId;
    private final int port;
    private final int controllerPort;
    private final KafkaListeners listeners;

    private KafkaServer(Builder b) {
        super("kafka", log, b.startTimeout, b.stopTimeout);
        this.classpath = locateOrCleanUp(() -> classpath(b.classpath));
        this.javaBinary = Path.of(System.getProperty("java.home"), "bin", "java");
        this.nodeId = b.nodeId;
        this.port = b.port > 0 ? b.port : Ports.freePort();
        this.controllerPort = b.controllerPort > 0 ? b.controllerPort : Ports.freePort();
        this.clusterId = b.clusterId != null ? b.clusterId : randomClusterId();
        this.dataDir = process.workDir().resolve("data");
        this.configFile = process.workDir().resolve("server.properties");
        String voters = b.voters != null ? b.voters : nodeId + "@" + Ports.LOOPBACK + ":" + controllerPort;
        int replication = b.replicationFactor;
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("log.dirs", dataDir.toString());
        // a small broker: internal topics fit the cluster, no waiting before the first rebalance
        p.put("offsets.topic.replication.factor", String.valueOf(replication));
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", String.valueOf(replication));
        p.put("transaction.state.log.min.isr", String.valueOf(Math.min(2, replication)));
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(replication));
        p.put("share.coordinator.state.topic.min.isr", String.valueOf(Math.min(2, replication)));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        // topics are created on purpose, never by a stray producer or consumer
        p.put("auto.create.topics.enable", "false");
        this.listeners = new KafkaListeners(port, controllerPort, b.extraListeners, b.saslUsers, b.scramUsers, b.tls);
        try {
            p.putAll(listeners.properties(process.workDir().resolve("keystore.pem")));
            p.putAll(b.properties);
            StringBuilder text = new StringBuilder();
            p.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Files.writeString(configFile, text.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            process.close();
            throw new UncheckedIOException("cannot write " + configFile, e);
        }
        locateOrCleanUp(() -> {
            format();
            return null;
        });
    }

    /**
     * Starts a single-node broker with the default settings and waits until it answers.
     *
     * @throws ServerProcessException if Kafka's classes are missing or it does not start in time
     */
    public static KafkaServer launch() {
        return builder().start();
    }

    /** A builder for a broker with other settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** The client (PLAINTEXT) port. */
    @Override
    public int port() {
        return port;
    }

    /**
     * The SASL port, where the users of {@link Builder#saslPlainUser} log in with PLAIN and those of
     * {@link Builder#saslScramUser} with SCRAM-SHA-256 or SCRAM-SHA-512: SASL_PLAINTEXT, or SASL_SSL
     * when the broker has {@link Builder#tls TLS}; -1 without SASL users.
     */
    public int saslPort() {
        return listeners.saslPort();
    }

    /**
     * The TLS port (security protocol SSL, no client certificate, no SASL), or -1 without
     * {@link Builder#tls}.
     */
    public int tlsPort() {
        return listeners.tlsPort();
    }

    /** The KRaft controller port. */
    public int controllerPort() {
        return controllerPort;
    }

    /** The broker's node id. */
    public int nodeId() {
        return nodeId;
    }

    /** {@code bootstrap.servers} for a client: {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return Ports.LOOPBACK + ":" + port;
    }

    /** {@code kafka://127.0.0.1:<port>}, the form geows takes a broker URL in. */
    public String uri() {
        return "kafka://" + bootstrapServers();
    }

    /** The cluster id the storage was formatted with. */
    public String clusterId() {
        return clusterId;
    }

    @Override
    public String toString() {
        return "KafkaServer[" + bootstrapServers() + ", node " + nodeId + "]";
    }

    private static String classpath(String given) {
        if (given != null) {
            return absolute(given);
        }
        String property = System.getProperty(CLASSPATH_PROPERTY);
        if (property != null && !property.isBlank()) {
            return absolute(property);
        }
        try {
            Class.forName(MAIN_CLASS, false, KafkaServer.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ServerProcessException("Kafka's server classes (" + MAIN_CLASS + ") are not on the class path: add"
                    + " org.apache.kafka:kafka_2.13 (4.x) as a test dependency of this module, or set -D" + CLASSPATH_PROPERTY
                    + " to a class path that has them");
        }
        return absolute(System.getProperty("java.class.path"));
    }

    /** The broker runs in its own directory: a relative class path entry (java -jar x.jar) is made absolute. */
    private static String absolute(String classpath) {
        List<String> entries = new ArrayList<>();
        for (String e : classpath.split(java.io.File.pathSeparator)) {
            entries.add(e.isEmpty() ? e : Path.of(e).toAbsolutePath().toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** A random cluster id in Kafka's form: a type-4 UUID as 22 characters of URL-safe base64, not starting with '-'. */
    private static String randomClusterId() {
        while (true) {
            UUID u = UUID.randomUUID();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                    .putLong(u.getLeastSignificantBits());
            String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
            if (id.charAt(0) != '-') { // (as Kafka's own ids: the storage tool would take it for an option)
                return id;
            }
        }
    }

    private List<String> jvm(String mainClass) {
        List<String> command = new ArrayList<>(List.of(javaBinary.toString(), "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
                "-Djava.awt.headless=true", "-cp", classpath, mainClass));
        return command;
    }

    /** Formats the storage directory for KRaft (once; the data survives restarts). */
    private void format() {
        List<String> command = jvm(STORAGE_TOOL);
        command.addAll(List.of("format", "-t", clusterId, "-c", configFile.toString()));
        command.addAll(listeners.formatArguments());
        Path out = process.workDir().resolve("format.log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ServerProcessException("formatting Kafka's storage did not finish in 60 s: " + Files.readString(out));
            }
            if (p.exitValue() != 0) {
                throw new ServerProcessException("formatting Kafka's storage failed (exit " + p.exitValue() + "): "
                        + Files.readString(out));
            }
        } catch (IOException e) {
            throw new ServerProcessException("cannot run Kafka's storage tool with " + javaBinary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerProcessException("interrupted while formatting Kafka's storage", e);
        }
    }

    @Override
    ManagedProcess.Launch nextLaunch() {
        return new ManagedProcess.Launch() {
            @Override
            public List<String> command() {
                List<String> command = jvm(MAIN_CLASS);
                command.add(configFile.toString());
                return command;
            }

            @Override
            public void probe(int timeoutMillis) throws IOException {
                KafkaListeners.apiVersions(port, timeoutMillis);
            }

            @Override
            public void choosePorts() {
                // the ports are in the formatted configuration (and in other brokers' voters): kept
            }
        };
    }

    /**
     * Settings for a {@link KafkaServer}. Not thread-safe.
     *
     * @since 0.2.0
     */
    public static final class Builder extends ServerProcess.Builder<Builder, KafkaServer> {
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, int[]> extraListeners = new LinkedHashMap<>();
        private final Map<String, String> saslUsers = new LinkedHashMap<>();
        private final Map<String, String> scramUsers = new LinkedHashMap<>();
        private TestCertificates.ServerCertificate tls;
        private String classpath;
        private int nodeId = 1;
        private int port;
        private int controllerPort;
        private String voters;
        private String clusterId;
        private int replicationFactor = 1;

        private Builder() {
            super(DEFAULT_START_TIMEOUT, DEFAULT_STOP_TIMEOUT);
        }

        /**
         * Sets a broker property ({@code server.properties}), over the testkit's defaults; e.g.
         * {@code property("log.retention.ms", "60000")}.
         */
        public Builder property(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.isBlank() || key.contains("\n") || value.contains("\n")) {
                throw new IllegalArgumentException("a property is one line: '" + key + "'");
            }
            properties.put(key, value);
            return this;
        }

        /**
         * Adds a plaintext listener on {@code port} that tells its clients to reach the broker at
         * {@code advertisedPort} (a {@link FaultProxy} in front of {@code port}): a client that
         * bootstraps through the proxy stays behind it, so a test can cut one client off.
         *
         * @param name a listener name of capital letters and digits, not PLAINTEXT, CONTROLLER, SASL or SSL
         */
        public Builder proxiedListener(String name, int port, int advertisedPort) {
            if (!name.matches("[A-Z][A-Z0-9_]*") || KafkaListeners.RESERVED_NAMES.contains(name)) {
                throw new IllegalArgumentException("listener name '" + name + "' must be capitals and digits, not "
                        + String.join(", ", KafkaListeners.RESERVED_NAMES));
            }
            extraListeners.put(name, new int[] {port, advertisedPort});
            return this;
        }

        /**
         * Adds a SASL_PLAINTEXT listener ({@link KafkaServer#saslPort()}; SASL_SSL with {@link #tls})
         * where this user logs in with the PLAIN mechanism; may be called for several users.
         *
         * @param user     letters, digits, {@code -} or {@code _}
         * @param password without quotes, backslashes or line breaks
         */
        public Builder saslPlainUser(String user, String password) {
            KafkaListeners.checkUser(user, password, false);
            saslUsers.put(user, password);
            return this;
        }

        /**
         * Adds the SASL listener ({@link KafkaServer#saslPort()}; SASL_SSL with {@link #tls}) where
         * this user logs in with SCRAM-SHA-512 or SCRAM-SHA-256; may be called for several users.
         * The credentials of both mechanisms are written to the metadata log when the storage is
         * formatted, so they hold from the first start on (and across restarts).
         *
         * @param user     letters, digits, {@code -} or {@code _}
         * @param password without quotes, backslashes, commas or line breaks
         */
        public Builder saslScramUser(String user, String password) {
            KafkaListeners.checkUser(user, password, true);
            scramUsers.put(user, password);
            return this;
        }

        /**
         * Serves TLS with this certificate (e.g. {@link TestCertificates#server()}): adds an SSL
         * listener ({@link KafkaServer#tlsPort()}, no client certificate), and the SASL listener of
         * {@link #saslPlainUser} and {@link #saslScramUser}, if any, becomes SASL_SSL. The PLAINTEXT
         * listener stays, for admin clients and {@link KafkaServer#bootstrapServers()}. Every
         * listener advertises {@value Ports#LOOPBACK}, so the certificate must name that address.
         *
         * @param certificate its key must be unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}),
         *     RSA or EC, as {@link TestCertificates} makes it
         * @throws IllegalArgumentException if the key cannot be read or is in another form
         */
        public Builder tls(TestCertificates.ServerCertificate certificate) {
            KafkaListeners.checkKey(Objects.requireNonNull(certificate, "certificate").keyFile());
            this.tls = certificate;
            return this;
        }

        /** Runs the broker with this class path instead of the test's (see {@link #CLASSPATH_PROPERTY}). */
        public Builder classpath(String classpath) {
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /** One broker of a cluster: its id, ports, the quorum's voters and the cluster id (KafkaCluster). */
        Builder member(int nodeId, int port, int controllerPort, String voters, String clusterId, int replicationFactor) {
            this.nodeId = nodeId;
            this.port = port;
            this.controllerPort = controllerPort;
            this.voters = voters;
            this.clusterId = clusterId;
            this.replicationFactor = replicationFactor;
            return this;
        }

        /** As {@link #start()} without starting: the cluster starts its members together. */
        @Override
        KafkaServer create() {
            return new KafkaServer(this);
        }
    }
}
