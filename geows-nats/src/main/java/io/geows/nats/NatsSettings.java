package io.geows.nats;

import io.nats.client.Connection;
import io.nats.client.Options;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * The settings of one {@link NatsBroker}, copied from its {@link NatsBroker.Builder} when it is built:
 * immutable, so a builder changed afterwards does not touch a broker it made. Secrets are copied and
 * never shown by {@link #toString()}.
 */
final class NatsSettings {
    private final String url;
    private final Connection connection;
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
    private final NatsBroker.Storage storage;
    private final Duration requestTimeout;
    private final Duration reconnectWait;
    private final String connectionName;
    private final Path trustedCertificates;
    private final Path trustStore;
    private final char[] trustStorePassword;
    private final String username;
    private final char[] password;
    private final char[] token;

    NatsSettings(NatsBroker.Builder b) {
        this.url = b.url != null ? b.url : NatsBroker.DEFAULT_URL;
        this.connection = b.connection;
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
        this.trustStorePassword = b.trustStorePassword == null ? null : b.trustStorePassword.clone();
        this.username = b.username;
        this.password = b.password == null ? null : b.password.clone();
        this.token = b.token == null ? null : b.token.clone();
    }

    /** The server URL; ignored when {@link #natsOptions()} is set. Never null. */
    String url() {
        return url;
    }

    /** The user's jnats options, or {@code null} when the broker builds its own from {@link #url()}. */
    Options natsOptions() {
        return natsOptions;
    }

    /** The topic prefix; must equal the nodes' ({@link io.geows.GeoWsNode.Builder#topicPrefix}). */
    String topicPrefix() {
        return topicPrefix;
    }

    /** The name of the JetStream stream holding every room's history. */
    String stream() {
        return stream;
    }

    /** The name of the key-value bucket holding presence. */
    String presenceBucket() {
        return presenceBucket;
    }

    /** Messages kept per room (older ones are dropped first). */
    long historyMaxPerRoom() {
        return historyMaxPerRoom;
    }

    /** Bytes kept in the history stream over all rooms (oldest dropped first). */
    long historyMaxBytes() {
        return historyMaxBytes;
    }

    /** How long a history message is kept. */
    Duration historyMaxAge() {
        return historyMaxAge;
    }

    /** How long a message key is remembered for deduplication (at most {@link #historyMaxAge()}). */
    Duration duplicateWindow() {
        return duplicateWindow;
    }

    /** How long a presence entry lives when nothing refreshes it (a bound for garbage, not the TTL). */
    Duration presenceMaxAge() {
        return presenceMaxAge;
    }

    /** The cluster the stream and bucket are created in, or {@code null} to let the server choose. */
    String placement() {
        return placement;
    }

    /** Replicas of the stream and the bucket (1, 3 or 5 in a cluster). */
    int replicas() {
        return replicas;
    }

    /** Where JetStream keeps the history stream and the presence bucket it creates. */
    NatsBroker.Storage storage() {
        return storage;
    }

    /** Timeout of one JetStream request (append, read, presence). */
    Duration requestTimeout() {
        return requestTimeout;
    }

    /** Wait between reconnect attempts when the broker builds its own connection. */
    Duration reconnectWait() {
        return reconnectWait;
    }

    /** The connection name shown by the server's monitoring, or {@code null}. */
    String connectionName() {
        return connectionName;
    }

    /** The PEM file of trusted CA certificates ({@link NatsBroker.Builder#trustedCertificates}), or {@code null}. */
    Path trustedCertificates() {
        return trustedCertificates;
    }

    /** The trust store ({@link NatsBroker.Builder#trustStore}), or {@code null}. */
    Path trustStore() {
        return trustStore;
    }

    /** The user of {@link NatsBroker.Builder#credentials}, or {@code null}; the password is not exposed. */
    String username() {
        return username;
    }

    /** Whether a token was set with {@link NatsBroker.Builder#token} (the token is not exposed). */
    boolean hasToken() {
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

    /** The caller's connection ({@link NatsBroker.Builder#connection}), or {@code null}. */
    Connection connection() {
        return connection;
    }

    /**
     * The jnats options of a connection the broker makes: the user's, or built from the URL and the
     * trust and login settings, with the broker's listeners and no reconnect buffer either way.
     */
    Options jnatsOptions(NatsCallbacks events) {
        Options.Builder b;
        if (natsOptions != null) {
            b = new Options.Builder(natsOptions);
        } else {
            b = new Options.Builder().server(url).maxReconnects(-1).reconnectWait(reconnectWait)
                    .connectionTimeout(requestTimeout);
            SSLContext tls = NatsTls.context(this);
            if (tls != null) {
                b.sslContext(tls);
            }
            if (username != null) {
                b.userInfo(username.toCharArray(), password());
            } else if (hasToken()) {
                b.token(token());
            }
        }
        // 0 disables jnats' reconnect buffer (a negative size would make it unlimited): a publish
        // while disconnected must fail, not wait in memory to be lost or sent late.
        b.reconnectBufferSize(0).connectionListener(events).errorListener(events);
        if (connectionName != null) {
            b.connectionName(connectionName);
        }
        return b.build();
    }

    /** The address for messages: the URL, or the first server of the user's options. */
    String address() {
        if (natsOptions != null && !natsOptions.getServers().isEmpty()) {
            return NatsUrls.redact(natsOptions.getServers().get(0).toString());
        }
        return NatsUrls.redact(url);
    }

    @Override
    public String toString() {
        return "NatsSettings[" + address() + ", prefix " + topicPrefix + ", stream " + stream + ", bucket "
                + presenceBucket + (placement == null ? "" : ", placement " + placement) + "]";
    }
}
