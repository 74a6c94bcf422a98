package io.geows.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two connections the adapter needs — one for commands, one for subscriptions — on a single
 * Redis ({@link Standalone}) or a Redis Cluster with sharded Pub/Sub ({@link Cluster}).
 */
abstract class RedisLink implements AutoCloseable {
    @Override
    public abstract void close();

    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /** Commands (publish, scripts, presence); thread-safe, pipelined. */
    abstract RedisClusterAsyncCommands<String, byte[]> commands();

    /**
     * Where room appends go: a connection of their own when they wait for replicas ({@code WAIT}
     * blocks its connection), else {@link #commands()}.
     */
    RedisClusterAsyncCommands<String, byte[]> appendCommands() {
        return commands();
    }

    /** The command connection and the subscription connection, set once by the constructor of each kind. */
    private StatefulConnection<String, byte[]> commandConnection;
    private StatefulRedisPubSubConnection<String, byte[]> pubsubConnection;

    final void connections(StatefulConnection<String, byte[]> commands, StatefulRedisPubSubConnection<String, byte[]> pubsub) {
        this.commandConnection = commands;
        this.pubsubConnection = pubsub;
    }

    /** Subscription commands. */
    final RedisPubSubAsyncCommands<String, byte[]> pubsub() {
        return pubsubConnection.async();
    }

    /** Whether channels are shard channels (SSUBSCRIBE / SPUBLISH). */
    abstract boolean sharded();

    /** Publishes on {@code c}: {@code SPUBLISH} when the link is {@link #sharded()}, else {@code PUBLISH}. */
    final CompletableFuture<Long> publish(RedisClusterAsyncCommands<String, byte[]> c, String channel, byte[] payload) {
        return (sharded() ? c.spublish(channel, payload) : c.publish(channel, payload)).toCompletableFuture();
    }

    /** Subscribes the pub/sub connection to these channels, each alone when sharded (see below). */
    final CompletableFuture<Void> subscribe(String... channels) {
        if (!sharded()) {
            return pubsub().subscribe(channels).toCompletableFuture();
        }
        // One shard channel per SSUBSCRIBE: channels of several slots in one command are refused (CROSSSLOT).
        return CompletableFuture.allOf(java.util.Arrays.stream(channels)
                .map(c -> pubsub().ssubscribe(c).toCompletableFuture()).toArray(CompletableFuture[]::new));
    }

    /** Unsubscribes the pub/sub connection from one channel. */
    final void unsubscribe(String channel) {
        if (sharded()) {
            pubsub().sunsubscribe(channel);
        } else {
            pubsub().unsubscribe(channel);
        }
    }

    final StatefulConnection<String, byte[]> commandConnection() {
        return commandConnection;
    }

    final StatefulRedisPubSubConnection<String, byte[]> pubsubConnection() {
        return pubsubConnection;
    }

    boolean isOpen() {
        return commandConnection().isOpen() && pubsubConnection().isOpen();
    }

    void addStateListener(RedisConnectionStateListener listener) {
        commandConnection().addListener(listener);
        pubsubConnection().addListener(listener);
    }

    /**
     * The adapter's settings on top of {@code b}; {@code ssl} (the builder's trust options) replaces
     * the TLS options when not null.
     */
    static ClientOptions.Builder options(ClientOptions.Builder b, Duration commandTimeout, SslOptions ssl) {
        if (ssl != null) {
            b.sslOptions(ssl);
        }
        return b.autoReconnect(true)
                // Fail fast while disconnected: a node must refuse a publish, not queue it somewhere.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .protocolVersion(ProtocolVersion.RESP3)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout));
    }

    /**
     * A TCP connect gives up after the command timeout (at most Lettuce's 10 s): a lost region's
     * server does not refuse, it is silent, and a reconnect must move on to what the Sentinels name.
     */
    static SocketOptions socketOptions(Duration commandTimeout) {
        Duration tenSeconds = Duration.ofSeconds(10);
        return SocketOptions.builder().connectTimeout(commandTimeout.compareTo(tenSeconds) < 0 ? commandTimeout : tenSeconds)
                .build();
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.debug("close", e);
        }
    }

    /** One Redis server (or a Sentinel-managed one, through the URI). */
    static final class Standalone extends RedisLink {
        private final RedisClient client;
        private final boolean ownsClient;
        private final StatefulRedisConnection<String, byte[]> commands;
        private final StatefulRedisConnection<String, byte[]> appends;
        private final StatefulRedisPubSubConnection<String, byte[]> pubsub;

        Standalone(RedisClient client, boolean ownsClient, RedisURI uri, Duration commandTimeout, SslOptions ssl,
                   boolean separateAppends, BiConsumer<String, byte[]> onMessage) {
            this.client = client;
            this.ownsClient = ownsClient;
            // A client of the application keeps its own options (TLS among them) but for ours.
            client.setOptions(options(ownsClient ? ClientOptions.builder().socketOptions(socketOptions(commandTimeout))
                    : client.getOptions().mutate(), commandTimeout, ssl).build());
            StatefulRedisConnection<String, byte[]> c = null;
            StatefulRedisConnection<String, byte[]> a = null;
            try {
                c = uri != null ? client.connect(CODEC, uri) : client.connect(CODEC);
                if (separateAppends) {
                    a = uri != null ? client.connect(CODEC, uri) : client.connect(CODEC);
                }
                this.pubsub = uri != null ? client.connectPubSub(CODEC, uri) : client.connectPubSub(CODEC);
            } catch (RuntimeException e) {
                closeQuietly(c);
                closeQuietly(a);
                if (ownsClient) {
                    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                }
                throw e;
            }
            this.commands = c;
            this.appends = a;
            connections(c, pubsub);
            pubsub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, byte[] message) {
                    onMessage.accept(channel, message);
                }
            });
        }

        @Override
        RedisClusterAsyncCommands<String, byte[]> commands() {
            return commands.async();
        }

        @Override
        RedisClusterAsyncCommands<String, byte[]> appendCommands() {
            return appends != null ? appends.async() : commands.async();
        }

        @Override
        boolean isOpen() {
            return super.isOpen() && (appends == null || appends.isOpen());
        }

        @Override
        void addStateListener(RedisConnectionStateListener listener) {
            super.addStateListener(listener);
            if (appends != null) {
                appends.addListener(listener);
            }
        }

        @Override
        boolean sharded() {
            return false;
        }

        @Override
        public void close() {
            closeQuietly(pubsub);
            closeQuietly(appends);
            closeQuietly(commands);
            if (ownsClient) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    /**
     * A Redis Cluster: commands routed by slot, and sharded Pub/Sub, so each room's channel lives on
     * the shard that holds the room's keys and traffic spreads over the shards.
     */
    static final class Cluster extends RedisLink {
        private final RedisClusterClient client;
        private final StatefulRedisClusterConnection<String, byte[]> commands;
        private final StatefulRedisClusterPubSubConnection<String, byte[]> pubsub;

        Cluster(ClientResources resources, List<RedisURI> seeds, Duration commandTimeout, SslOptions ssl,
                BiConsumer<String, byte[]> onMessage) {
            this.client = RedisClusterClient.create(resources, seeds);
            // Cluster connections to each shard open lazily: rejecting commands while one is not
            // open yet would refuse the first SSUBSCRIBE. The adapter refuses work itself while it
            // is not connected, and the command timeout bounds anything queued at a disconnect.
            client.setOptions(ClusterClientOptions.builder(options(ClientOptions.builder().socketOptions(socketOptions(commandTimeout)),
                            commandTimeout, ssl)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS).build()).build());
            StatefulRedisClusterConnection<String, byte[]> c = null;
            try {
                c = client.connect(CODEC);
                this.pubsub = client.connectPubSub(CODEC);
            } catch (RuntimeException e) {
                closeQuietly(c);
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                throw e;
            }
            this.commands = c;
            connections(c, pubsub);
            pubsub.addListener(new RedisClusterPubSubAdapter<>() {
                @Override
                public void smessage(RedisClusterNode node, String channel, byte[] message) {
                    onMessage.accept(channel, message);
                }

                @Override
                public void message(RedisClusterNode node, String channel, byte[] message) {
                    onMessage.accept(channel, message);
                }
            });
        }

        @Override
        RedisClusterAsyncCommands<String, byte[]> commands() {
            return commands.async();
        }

        @Override
        boolean sharded() {
            return true;
        }

        @Override
        public void close() {
            closeQuietly(pubsub);
            closeQuietly(commands);
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
