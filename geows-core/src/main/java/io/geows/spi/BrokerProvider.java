package io.geows.spi;

import java.nio.file.Path;
import java.util.Set;

/**
 * Connects to a broker named by a URL: each adapter module provides one for its URL schemes, found by
 * {@link BrokerUrls#connect} through {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/io.geows.spi.BrokerProvider} entry in the module's jar). Applications call
 * {@link BrokerUrls}, not this.
 *
 * @since 0.1.0
 */
public interface BrokerProvider {

    /** The URL schemes this provider connects to, in lower case, such as {@code redis} and {@code rediss}. */
    Set<String> schemes();

    /**
     * Connects one node's adapter.
     *
     * @param url                 the broker URL, one of {@link #schemes()}
     * @param name                the connection name the broker shows (the node id)
     * @param trustedCertificates PEM certificates to trust for a TLS URL, or {@code null} for the
     *                            JVM's trust store
     * @throws IllegalArgumentException when the URL is malformed (the message never shows a password)
     */
    BrokerAdapter connect(String url, String name, Path trustedCertificates);
}
