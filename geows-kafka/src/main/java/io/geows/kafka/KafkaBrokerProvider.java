package io.geows.kafka;

import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerProvider;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code kafka://} and {@code kafkas://} URLs for {@link io.geows.spi.BrokerUrls} (found through
 * {@link java.util.ServiceLoader}; applications call {@code BrokerUrls.connect}).
 *
 * @since 0.1.0
 */
public final class KafkaBrokerProvider implements BrokerProvider {
    /** Called by {@link java.util.ServiceLoader}. */
    public KafkaBrokerProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("kafka", "kafkas");
    }

    @Override
    public BrokerAdapter connect(String url, String name, Path trustedCertificates) {
        KafkaBroker.Builder b = KafkaBroker.builder().uri(url).name(name);
        if (trustedCertificates != null) {
            b.trustedCertificates(trustedCertificates);
        }
        return b.build();
    }
}
