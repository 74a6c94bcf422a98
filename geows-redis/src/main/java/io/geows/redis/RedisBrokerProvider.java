package io.geows.redis;

import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerProvider;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code redis://} and {@code rediss://} URLs for {@link io.geows.spi.BrokerUrls} (found through
 * {@link java.util.ServiceLoader}; applications call {@code BrokerUrls.connect}).
 *
 * @since 0.1.0
 */
public final class RedisBrokerProvider implements BrokerProvider {
    /** Called by {@link java.util.ServiceLoader}. */
    public RedisBrokerProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss");
    }

    @Override
    public BrokerAdapter connect(String url, String name, Path trustedCertificates) {
        RedisBroker.Builder b = RedisBroker.builder().uri(url).name(name);
        if (trustedCertificates != null) {
            b.trustedCertificates(trustedCertificates);
        }
        return b.build();
    }
}
