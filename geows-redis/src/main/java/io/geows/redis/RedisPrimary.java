package io.geows.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server a {@link RedisBroker}'s connections reached last: behind Sentinel, the primary of the
 * moment (a change, a failover, is logged); what {@link RedisBroker#placement()} reports.
 */
final class RedisPrimary {
    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);

    private final String address;
    private volatile String primary;

    /** @param address the broker's address, for the log */
    RedisPrimary(String address) {
        this.address = address;
    }

    /**
     * A listener for the client's connections to {@code uri}. A client-wide listener also hears the
     * Sentinel lookups: those are skipped.
     */
    RedisConnectionStateListener listener(RedisURI uri) {
        Set<String> sentinels = new HashSet<>();
        if (uri != null) {
            uri.getSentinels().forEach(s -> sentinels.add(s.getHost() + ":" + s.getPort()));
        }
        return new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socket) {
                if (socket instanceof InetSocketAddress a) {
                    String hostPort = a.getHostString() + ":" + a.getPort();
                    if (!sentinels.contains(hostPort)) {
                        note(hostPort);
                    }
                }
            }
        };
    }

    /** {@code {"primary": "host:port"}}, or empty before the first connection (and for Redis Cluster). */
    Map<String, String> placement() {
        String p = primary;
        return p == null ? Map.of() : Map.of("primary", p);
    }

    private void note(String now) {
        String before = primary;
        primary = now;
        if (before != null && !before.equals(now)) {
            log.warn("Redis at {}: the primary is now {} (was {})", address, now, before);
        }
    }
}
