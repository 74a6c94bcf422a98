package io.geows.nats;

import io.geows.Topics;
import io.nats.client.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a {@link NatsBroker} connects and where it keeps history and presence. Immutable; build with
 * {@link #builder()}.
 *
 * <pre>{@code
 * NatsBrokerOptions options = NatsBrokerOptions.builder()
 *         .url("nats://user:secret@nats.us-east.internal:4222")
 *         .historyPlacement("us-east")          // the cluster that holds the one history stream
 *         .build();
 * }</pre>
 *
 * <p><b>Credentials and TLS.</b> A user and password or a token travel in the URL
 * ({@code nats://user:pass@host:port}, {@code nats://token@host:port}) or, to keep them out of URLs,
 * in {@link Builder#credentials(String, char[])} or {@link Builder#token(char[])}. TLS is used with a
 * {@code tls://} URL or as soon as a trust option is set; the server's certificate must chain to a
 * trusted CA — the JDK's, or a private one given with {@link Builder#trustedCertificates(Path)} or
 * {@link Builder#trustStore(Path, char[])} — and must name the host of the URL (the broker verifies
 * host names, which jnats on its own does not):
 * <pre>{@code
 * NatsBrokerOptions options = NatsBrokerOptions.builder()
 *         .url("tls://nats.us-east.internal:4222")
 *         .credentials("geows", secretFromVault)
 *         .trustedCertificates(Path.of("/etc/geows/nats-ca.pem"))
 *         .build();
 * }</pre>
 * For anything more (credentials files, NKeys, client certificates, a custom {@code SSLContext}),
 * give a jnats {@link Options} to {@link Builder#natsOptions(Options)}; its TLS and authentication
 * are then used as they are.
 *
 * <p>Thread-safe (immutable).
 *
 * @since 0.1.0
 */
public final class NatsBrokerOptions {
    /** The default server URL: {@value}. */
    public static final String DEFAULT_URL = "nats://127.0.0.1:4222";
    /** The default name of the history stream: {@value}. */
    public static final String DEFAULT_STREAM = "GEOWS_HISTORY";
    /** The default name of the presence key-value bucket: {@value}. */
    public static final String DEFAULT_PRESENCE_BUCKET = "geows-presence";
    /** The default number of messages kept per room: {@value}. */
    public static final long DEFAULT_HISTORY_MAX_PER_ROOM = 10_000;
    /** The default bound on the whole history stream, in bytes: {@value} (1 GiB). */
    public static final long DEFAULT_HISTORY_MAX_BYTES = 1L << 30;
    /** The default age after which history messages are dropped: one hour. */
    public static final Duration DEFAULT_HISTORY_MAX_AGE = Duration.ofHours(1);
    /** The default window in which a repeated message key is recognised: ten minutes. */
    public static final Duration DEFAULT_DUPLICATE_WINDOW = Duration.ofMinutes(10);
    /** The default age after which presence entries nobody refreshed are dropped: one hour. */
    public static final Duration DEFAULT_PRESENCE_MAX_AGE = Duration.ofHours(1);
    /** The default timeout of one JetStream request: five seconds. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** The default wait between reconnect attempts (URL-built connections only): 250 ms. */
    public static final Duration DEFAULT_RECONNECT_WAIT = Duration.ofMillis(250);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final String url;
    private final Options natsOptions;
    private final String topicPrefix;
    private final String stream;
    private final String presenceBucket;
    private final long historyMaxPerRoom;
    private final long historyMaxBytes;
    private final Duration historyMaxAge;
    private final Duration duplicateWindow;
    private final Duration presenceMaxAge;
    private final String placement;
    private final int replicas;
    private final Storage storage;
    private final Duration requestTimeout;
    private final Duration reconnectWait;
    private final String connectionName;
    private final Path trustedCertificates;
    private final Path trustStore;
    private final char[] trustStorePassword;
    private final String username;
    private final char[] password;
    private final char[] token;

    private NatsBrokerOptions(Builder b) {
        this.url = b.url;
        this.natsOptions = b.natsOptions;
        this.topicPrefix = b.topicPrefix;
        this.stream = b.stream;
        this.presenceBucket = b.presenceBucket;
        this.historyMaxPerRoom = b.historyMaxPerRoom;
        this.historyMaxBytes = b.historyMaxBytes;
        this.historyMaxAge = b.historyMaxAge;
        this.duplicateWindow = b.duplicateWindow;
        this.presenceMaxAge = b.presenceMaxAge;
        this.placement = b.placement;
        this.replicas = b.replicas;
        this.storage = b.storage;
        this.requestTimeout = b.requestTimeout;
        this.reconnectWait = b.reconnectWait;
        this.connectionName = b.connectionName;
        this.trustedCertificates = b.trustedCertificates;
        this.trustStore = b.trustStore;
        this.trustStorePassword = b.trustStorePassword;
        this.username = b.username;
        this.password = b.password;
        this.token = b.token;
    }

    /** A builder with every setting at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options with defaults, connecting to {@code url}. */
    public static NatsBrokerOptions of(String url) {
        return builder().url(url).build();
    }

    /** The server URL; ignored when {@link #natsOptions()} is set. Never null. */
    public String url() {
        return url;
    }

    /** The user's jnats options, or {@code null} when the broker builds its own from {@link #url()}. */
    public Options natsOptions() {
        return natsOptions;
    }

    /** The topic prefix; must equal the nodes' ({@link io.geows.GeoWsNode.Builder#topicPrefix}). */
    public String topicPrefix() {
        return topicPrefix;
    }

    /** The name of the JetStream stream holding every room's history. */
    public String stream() {
        return stream;
    }

    /** The name of the key-value bucket holding presence. */
    public String presenceBucket() {
        return presenceBucket;
    }

    /** Messages kept per room (older ones are dropped first). */
    public long historyMaxPerRoom() {
        return historyMaxPerRoom;
    }

    /** Bytes kept in the history stream over all rooms (oldest dropped first). */
    public long historyMaxBytes() {
        return historyMaxBytes;
    }

    /** How long a history message is kept. */
    public Duration historyMaxAge() {
        return historyMaxAge;
    }

    /** How long a message key is remembered for deduplication (at most {@link #historyMaxAge()}). */
    public Duration duplicateWindow() {
        return duplicateWindow;
    }

    /** How long a presence entry lives when nothing refreshes it (a bound for garbage, not the TTL). */
    public Duration presenceMaxAge() {
        return presenceMaxAge;
    }

    /** The cluster the stream and bucket are created in, or {@code null} to let the server choose. */
    public String placement() {
        return placement;
    }

    /** Replicas of the stream and the bucket (1, 3 or 5 in a cluster). */
    public int replicas() {
        return replicas;
    }

    /** Where JetStream keeps the history stream and the presence bucket it creates. */
    public Storage storage() {
        return storage;
    }

    /** Where JetStream keeps what the adapter creates. */
    public enum Storage {
        /** On disk: history survives a server restart (the default). */
        FILE,
        /**
         * In memory: nothing on disk, and a restarted server has lost the history (the room epoch
         * changes, and resuming clients are told of the gap), like a Redis without persistence. Not
         * faster on nats-server 2.9: there a memory stream with per-room limits cost the server far more
         * CPU than a file stream (see {@code benchmarks/README.md}).
         */
        MEMORY
    }

    /** Timeout of one JetStream request (append, read, presence). */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Wait between reconnect attempts when the broker builds its own connection. */
    public Duration reconnectWait() {
        return reconnectWait;
    }

    /** The connection name shown by the server's monitoring, or {@code null}. */
    public String connectionName() {
        return connectionName;
    }

    /** The PEM file of trusted CA certificates ({@link Builder#trustedCertificates}), or {@code null}. */
    public Path trustedCertificates() {
        return trustedCertificates;
    }

    /** The trust store ({@link Builder#trustStore}), or {@code null}. */
    public Path trustStore() {
        return trustStore;
    }

    /** The user of {@link Builder#credentials}, or {@code null}; the password is not exposed. */
    public String username() {
        return username;
    }

    /** Whether a token was set with {@link Builder#token} (the token is not exposed). */
    public boolean hasToken() {
        return token != null;
    }

    char[] trustStorePassword() {
        return trustStorePassword == null ? null : trustStorePassword.clone();
    }

    char[] password() {
        return password == null ? null : password.clone();
    }

    char[] token() {
        return token == null ? null : token.clone();
    }

    /** The address for messages: the URL, or the first server of the user's options. */
    String address() {
        if (natsOptions != null && !natsOptions.getServers().isEmpty()) {
            return natsOptions.getServers().get(0).toString();
        }
        return NatsUrls.redact(url);
    }

    @Override
    public String toString() {
        return "NatsBrokerOptions[" + address() + ", prefix " + topicPrefix + ", stream " + stream + ", bucket "
                + presenceBucket + (placement == null ? "" : ", placement " + placement) + "]";
    }

    /**
     * Builds {@link NatsBrokerOptions}. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private String url = DEFAULT_URL;
        private Options natsOptions;
        private String topicPrefix = Topics.DEFAULT_PREFIX;
        private String stream = DEFAULT_STREAM;
        private String presenceBucket = DEFAULT_PRESENCE_BUCKET;
        private long historyMaxPerRoom = DEFAULT_HISTORY_MAX_PER_ROOM;
        private long historyMaxBytes = DEFAULT_HISTORY_MAX_BYTES;
        private Duration historyMaxAge = DEFAULT_HISTORY_MAX_AGE;
        private Duration duplicateWindow = DEFAULT_DUPLICATE_WINDOW;
        private Duration presenceMaxAge = DEFAULT_PRESENCE_MAX_AGE;
        private String placement;
        private int replicas = 1;
        private Storage storage = Storage.FILE;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration reconnectWait = DEFAULT_RECONNECT_WAIT;
        private String connectionName;
        private Path trustedCertificates;
        private Path trustStore;
        private char[] trustStorePassword;
        private String username;
        private char[] password;
        private char[] token;

        private Builder() {
        }

        /**
         * The server URL, such as {@code nats://host:4222}, {@code nats://user:pass@host:4222},
         * {@code nats://token@host:4222} or {@code tls://host:4222}; several may be given separated by
         * commas. Default {@value NatsBrokerOptions#DEFAULT_URL}.
         *
         * @throws IllegalArgumentException when it is not a {@code nats://}, {@code tls://},
         *                                  {@code ws://} or {@code wss://} URL
         */
        public Builder url(String url) {
            this.url = NatsUrls.validate(Objects.requireNonNull(url, "url"));
            return this;
        }

        /**
         * Connects with these jnats options (servers, credentials, TLS, ...) instead of {@link #url}.
         * The broker copies them and changes only what its guarantees need: its own connection and
         * error listeners are added (yours are still called) and the reconnect buffer is disabled, so
         * a publish while disconnected fails instead of being queued.
         */
        public Builder natsOptions(Options options) {
            this.natsOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** The topic prefix; must match the nodes'. Default {@value Topics#DEFAULT_PREFIX}. */
        public Builder topicPrefix(String prefix) {
            this.topicPrefix = Topics.withPrefix(prefix).prefix();
            return this;
        }

        /** The history stream's name (letters, digits, {@code -}, {@code _}). Default {@value NatsBrokerOptions#DEFAULT_STREAM}. */
        public Builder stream(String name) {
            this.stream = name("stream", name);
            return this;
        }

        /** The presence bucket's name. Default {@value NatsBrokerOptions#DEFAULT_PRESENCE_BUCKET}. */
        public Builder presenceBucket(String name) {
            this.presenceBucket = name("presence bucket", name);
            return this;
        }

        /** Messages kept per room, at least 1. Default {@value NatsBrokerOptions#DEFAULT_HISTORY_MAX_PER_ROOM}. */
        public Builder historyMaxPerRoom(long messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("historyMaxPerRoom must be >= 1, was " + messages);
            }
            this.historyMaxPerRoom = messages;
            return this;
        }

        /** Bytes kept over all rooms, at least 1 KiB. Default {@value NatsBrokerOptions#DEFAULT_HISTORY_MAX_BYTES}. */
        public Builder historyMaxBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("historyMaxBytes must be >= 1024, was " + bytes);
            }
            this.historyMaxBytes = bytes;
            return this;
        }

        /** How long a history message is kept; positive. Default one hour. */
        public Builder historyMaxAge(Duration age) {
            this.historyMaxAge = positive("historyMaxAge", age);
            return this;
        }

        /**
         * How long a message key is remembered (JetStream's duplicate window); positive, at most the
         * history age. Default ten minutes. A repeated publish (a client's retry after failover) is
         * recognised and answered with the original offset only within this window, not for the
         * whole retention: the server keeps every id of the window in memory, so a window as long as
         * the history costs memory in proportion to the message rate.
         */
        public Builder duplicateWindow(Duration window) {
            this.duplicateWindow = positive("duplicateWindow", window);
            return this;
        }

        /** How long an unrefreshed presence entry is kept; at least one minute. Default one hour. */
        public Builder presenceMaxAge(Duration age) {
            positive("presenceMaxAge", age);
            if (age.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException("presenceMaxAge must be at least 1 minute, was " + age);
            }
            this.presenceMaxAge = age;
            return this;
        }

        /**
         * The cluster (in a super-cluster: the region's cluster name) in which the history stream and
         * the presence bucket are created when missing. Every region reads and writes them there
         * through the gateways; see the package documentation. Default: none (the server chooses).
         */
        public Builder historyPlacement(String cluster) {
            Objects.requireNonNull(cluster, "cluster");
            if (cluster.isBlank()) {
                throw new IllegalArgumentException("historyPlacement must not be blank");
            }
            this.placement = cluster;
            return this;
        }

        /** Replicas of the stream and bucket when they are created: 1 to 5. Default 1. */
        public Builder replicas(int replicas) {
            if (replicas < 1 || replicas > 5) {
                throw new IllegalArgumentException("replicas must be between 1 and 5, was " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /** Where the history stream and presence bucket are kept when created. Default {@link Storage#FILE}. */
        public Builder storage(Storage storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
            return this;
        }

        /** Timeout of one JetStream request; positive. Default five seconds. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive("requestTimeout", timeout);
            return this;
        }

        /** Wait between reconnect attempts of a URL-built connection; positive. Default 250 ms. */
        public Builder reconnectWait(Duration wait) {
            this.reconnectWait = positive("reconnectWait", wait);
            return this;
        }

        /**
         * Trusts the CA certificates in this PEM file (one or more {@code -----BEGIN CERTIFICATE-----}
         * blocks) instead of the JDK's default CAs, and connects with TLS even with a {@code nats://}
         * URL. The server's host name is verified.
         *
         * @param pemFile a readable PEM file
         * @throws IllegalArgumentException when the file cannot be read
         * @since 0.1.0
         */
        public Builder trustedCertificates(Path pemFile) {
            this.trustedCertificates = readable("trustedCertificates", Objects.requireNonNull(pemFile, "pemFile"));
            return this;
        }

        /**
         * Trusts the certificates in this trust store (PKCS#12, or JKS) instead of the JDK's default
         * CAs, and connects with TLS even with a {@code nats://} URL. The server's host name is
         * verified.
         *
         * @param file     a readable trust store
         * @param password its password (copied)
         * @throws IllegalArgumentException when the file cannot be read
         * @since 0.1.0
         */
        public Builder trustStore(Path file, char[] password) {
            this.trustStore = readable("trustStore", Objects.requireNonNull(file, "file"));
            this.trustStorePassword = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * Logs in with this user and password (the server's {@code authorization} user), instead of
         * putting them in the URL.
         *
         * @param username the user
         * @param password its password (copied)
         * @since 0.1.0
         */
        public Builder credentials(String username, char[] password) {
            this.username = Objects.requireNonNull(username, "username");
            this.password = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * Logs in with this token (the server's {@code authorization} token), instead of putting it
         * in the URL.
         *
         * @param token the token (copied)
         * @since 0.1.0
         */
        public Builder token(char[] token) {
            this.token = Objects.requireNonNull(token, "token").clone();
            return this;
        }

        /** The connection name the server shows in its monitoring, e.g. the node id. */
        public Builder connectionName(String name) {
            this.connectionName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException when the duplicate window is longer than the history age,
         *                                  or TLS or login settings conflict (the message names both)
         */
        public NatsBrokerOptions build() {
            if (duplicateWindow.compareTo(historyMaxAge) > 0) {
                throw new IllegalArgumentException("duplicateWindow (" + duplicateWindow + ") must not be longer than"
                        + " historyMaxAge (" + historyMaxAge + "); shorten the window or keep history longer");
            }
            String trust = trustedCertificates != null ? "trustedCertificates(...)" : trustStore != null ? "trustStore(...)" : null;
            String login = username != null ? "credentials(...)" : token != null ? "token(...)" : null;
            if (trustedCertificates != null && trustStore != null) {
                throw new IllegalArgumentException("trustedCertificates(...) and trustStore(...) conflict: give one");
            }
            if (username != null && token != null) {
                throw new IllegalArgumentException("credentials(...) and token(...) conflict: the server expects one");
            }
            if (natsOptions != null && (trust != null || login != null)) {
                throw new IllegalArgumentException("natsOptions(...) and " + (trust != null ? trust : login)
                        + " conflict: set TLS and authentication on your jnats Options");
            }
            if (login != null && NatsUrls.hasUserInfo(url)) {
                throw new IllegalArgumentException(login + " and the user info of the URL " + NatsUrls.redact(url)
                        + " conflict: give the credentials in one place");
            }
            if (trust != null && NatsUrls.trustsAnyCertificate(url)) {
                throw new IllegalArgumentException(trust + " and the URL " + NatsUrls.redact(url) + " conflict:"
                        + " opentls:// trusts any certificate; use tls://");
            }
            return new NatsBrokerOptions(this);
        }

        private static Path readable(String option, Path file) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IllegalArgumentException(option + "(" + file + "): not a readable file");
            }
            return file;
        }

        private static String name(String what, String name) {
            Objects.requireNonNull(name, what);
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(what + " name '" + name
                        + "' must be 1-64 letters, digits, '-' or '_'");
            }
            return name;
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
