package io.geows.spi;

import io.geows.memory.InMemoryBroker;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * A broker adapter from a URL, such as a setting or a command-line flag:
 *
 * <pre>{@code
 * BrokerAdapter broker = BrokerUrls.connect("redis://redis.us-east.internal:6379", "us-east-1");
 * }</pre>
 *
 * <p>{@code memory} is a private in-process broker (one node, tests and demos). Other schemes are
 * served by the adapter module on the class path ({@link BrokerProvider}): {@code redis://},
 * {@code rediss://} (geows-redis), {@code nats://}, {@code tls://} (geows-nats), {@code kafka://},
 * {@code kafkas://} (geows-kafka). A URL whose module is missing is refused with a message naming
 * the module to add.
 *
 * @since 0.1.0
 */
public final class BrokerUrls {
    /** The adapter module of each scheme geows ships, to name the one that is missing. */
    private static final Map<String, String> MODULES = Map.of(
            "redis", "geows-redis", "rediss", "geows-redis",
            "nats", "geows-nats", "tls", "geows-nats",
            "kafka", "geows-kafka", "kafkas", "geows-kafka");
    private static final Pattern USER_INFO =
            Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^@/\\s,:]*)(:[^@/\\s,]*)?@");

    private BrokerUrls() {
    }

    /** Connects to the broker at {@code url}, trusting the JVM's certificates for TLS. */
    public static BrokerAdapter connect(String url, String name) {
        return connect(url, name, null);
    }

    /**
     * Connects to the broker at {@code url}.
     *
     * @param name                the connection name the broker shows (the node id)
     * @param trustedCertificates PEM certificates to trust for TLS, or {@code null} for the JVM's
     * @throws IllegalArgumentException when the scheme is unknown, its module is not on the class path,
     *                                  or the URL is malformed; the message never shows a password
     */
    public static BrokerAdapter connect(String url, String name, Path trustedCertificates) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(name, "name");
        String trimmed = url.trim();
        if (trimmed.equalsIgnoreCase("memory")) {
            return new InMemoryBroker().connect(name);
        }
        int colon = trimmed.indexOf("://");
        String scheme = colon > 0 ? trimmed.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        for (BrokerProvider provider : ServiceLoader.load(BrokerProvider.class, BrokerUrls.class.getClassLoader())) {
            if (provider.schemes().contains(scheme)) {
                return provider.connect(trimmed, name, trustedCertificates);
            }
        }
        String module = MODULES.get(scheme);
        if (module != null) {
            throw new IllegalArgumentException("the broker URL '" + redact(trimmed) + "' needs io.geows:" + module
                    + " on the class path: add it as a dependency");
        }
        throw new IllegalArgumentException("the broker URL must be memory, redis://, rediss://, nats://, tls://, "
                + "kafka:// or kafkas://, was '" + redact(trimmed) + "'");
    }

    /**
     * The text with the password of every URL in it hidden, for messages and logs:
     * {@code redis://user:secret@h:6379} becomes {@code redis://user:***@h:6379}, a lone token
     * ({@code nats://token@h:4222}) becomes {@code ***}.
     */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        return USER_INFO.matcher(text).replaceAll(m -> m.group(3) != null
                ? java.util.regex.Matcher.quoteReplacement(m.group(1) + m.group(2) + ":***@")
                : java.util.regex.Matcher.quoteReplacement(m.group(1) + "***@"));
    }
}
