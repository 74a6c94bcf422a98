package io.geows.kafka;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Kafka URIs: parsed into bootstrap servers and client settings, and shown with the password replaced. */
final class KafkaUris {
    private KafkaUris() {
    }

    /** What a URI says: where the cluster is, and the security settings it implies. */
    record Parsed(String bootstrapServers, Map<String, Object> clientProperties) {
    }

    /** See {@link KafkaBroker.Builder#uri(String)}. */
    static Parsed parse(String uri) {
        Objects.requireNonNull(uri, "uri");
        boolean tls = uri.startsWith("kafkas://");
        if (!tls && !uri.startsWith("kafka://")) {
            throw new IllegalArgumentException("a Kafka URI starts with kafka:// or kafkas://, was '"
                    + redact(uri) + "'");
        }
        String rest = uri.substring(tls ? "kafkas://".length() : "kafka://".length());
        String mechanism = "SCRAM-SHA-512";
        int query = rest.indexOf('?');
        if (query >= 0) {
            for (String pair : rest.substring(query + 1).split("&")) {
                if (pair.startsWith("sasl=")) {
                    mechanism = pair.substring("sasl=".length());
                } else if (!pair.isEmpty()) {
                    throw new IllegalArgumentException("unknown Kafka URI parameter '" + pair.split("=")[0]
                            + "' (known: sasl)");
                }
            }
            rest = rest.substring(0, query);
        }
        if (!List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512").contains(mechanism)) {
            throw new IllegalArgumentException("sasl must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, was '" + mechanism + "'");
        }
        int at = rest.lastIndexOf('@');
        String user = null;
        String password = null;
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            int colon = credentials.indexOf(':');
            user = java.net.URLDecoder.decode(colon >= 0 ? credentials.substring(0, colon) : credentials,
                    StandardCharsets.UTF_8);
            password = colon >= 0 ? java.net.URLDecoder.decode(credentials.substring(colon + 1), StandardCharsets.UTF_8) : "";
            rest = rest.substring(at + 1);
        }
        int slash = rest.indexOf('/');
        String hosts = slash >= 0 ? rest.substring(0, slash) : rest;
        if (hosts.isBlank()) {
            throw new IllegalArgumentException("a Kafka URI names at least one host:port, was '" + redact(uri) + "'");
        }
        Map<String, Object> properties = new HashMap<>();
        if (user != null) {
            properties.put("security.protocol", tls ? "SASL_SSL" : "SASL_PLAINTEXT");
            properties.put("sasl.mechanism", mechanism);
            String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            properties.put("sasl.jaas.config", module + " required username=\"" + jaasQuoted(user)
                    + "\" password=\"" + jaasQuoted(password) + "\";");
        } else if (tls) {
            properties.put("security.protocol", "SSL");
        }
        return new Parsed(hosts, Map.copyOf(properties));
    }

    private static String jaasQuoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** {@code kafka://user:secret@h:p} becomes {@code kafka://user:***@h:p}. */
    static String redact(String uri) {
        return io.geows.spi.BrokerUrls.redact(uri);
    }
}
