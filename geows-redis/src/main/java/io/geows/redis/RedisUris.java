package io.geows.redis;

import io.lettuce.core.RedisURI;
import java.time.Duration;

/** What the Redis adapter does to the URIs it is given: timeouts, and how it names them in logs. */
final class RedisUris {
    private RedisUris() {
    }

    /**
     * Without a {@code timeout} in the URI, the connection handshake (and a Sentinel's answer) may
     * take as long as a command: Lettuce's default of 60 s would keep a node on a silent primary
     * for a minute after a region's loss.
     */
    static RedisURI withTimeouts(RedisURI uri, String text, Duration commandTimeout) {
        if (!text.contains("timeout=")) {
            uri.setTimeout(commandTimeout);
            uri.getSentinels().forEach(s -> s.setTimeout(commandTimeout));
        }
        return uri;
    }

    /** The URI for logs and errors: scheme, host and port (or the Sentinels and the primary's name), no credentials. */
    static String describe(RedisURI uri) {
        if (!uri.getSentinels().isEmpty()) {
            return (uri.isSsl() ? "rediss-sentinel://" : "redis-sentinel://") + String.join(",",
                    uri.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort()).toList()) + "#" + uri.getSentinelMasterId();
        }
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort();
    }
}
