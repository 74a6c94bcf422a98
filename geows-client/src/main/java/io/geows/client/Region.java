package io.geows.client;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * A named region and the WebSocket URI of its node (or of the load balancer in front of its
 * nodes).
 *
 * @param name the region name, e.g. {@code "eu-west"}; not blank
 * @param uri  a {@code ws://} or {@code wss://} URI
 * @since 0.1.0
 */
public record Region(String name, URI uri) {
    /**
     * Checks the values.
     *
     * @param name the region name
     * @param uri  the WebSocket URI
     * @throws NullPointerException     when a value is null
     * @throws IllegalArgumentException when the name is blank or the URI is not {@code ws}/{@code wss}
     *                                  with a host
     */
    public Region {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uri, "uri");
        if (name.isBlank()) {
            throw new IllegalArgumentException("region name must not be blank");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss") || uri.getHost() == null) {
            throw new IllegalArgumentException("region '" + name + "' URI " + uri
                    + " must be ws://host:port/ or wss://host:port/");
        }
    }

    @Override
    public String toString() {
        return name + "(" + uri + ")";
    }
}
