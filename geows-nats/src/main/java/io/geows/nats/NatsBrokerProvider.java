package io.geows.nats;

import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerProvider;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * {@code nats://} and {@code tls://} URLs for {@link io.geows.spi.BrokerUrls} (found through
 * {@link java.util.ServiceLoader}; applications call {@code BrokerUrls.connect}). One option may follow
 * the URL (or the last of a comma-separated list): {@code ?storage=memory} keeps history and presence
 * in memory instead of on disk ({@link NatsBroker.Storage}).
 *
 * @since 0.1.0
 */
public final class NatsBrokerProvider implements BrokerProvider {
    /** Called by {@link java.util.ServiceLoader}. */
    public NatsBrokerProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("nats", "tls");
    }

    @Override
    public BrokerAdapter connect(String url, String name, Path trustedCertificates) {
        NatsBroker.Builder b = NatsBroker.builder().connectionName(name);
        int q = url.indexOf('?');
        if (q >= 0) {
            String option = url.substring(q + 1).toLowerCase(Locale.ROOT);
            switch (option) {
                case "storage=memory" -> b.storage(NatsBroker.Storage.MEMORY);
                case "storage=file" -> b.storage(NatsBroker.Storage.FILE);
                default -> throw new IllegalArgumentException("a NATS broker URL takes one option, ?storage=memory or "
                        + "?storage=file, was '?" + url.substring(q + 1) + "'");
            }
            url = url.substring(0, q);
        }
        b.url(url);
        if (trustedCertificates != null) {
            b.trustedCertificates(trustedCertificates);
        }
        return b.build();
    }
}
