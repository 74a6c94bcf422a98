package io.geows.nats;

import io.geows.spi.BrokerUrls;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Checks server URLs and hides their secrets in messages and logs. */
final class NatsUrls {
    private static final Set<String> SCHEMES = Set.of("nats", "tls", "ws", "wss", "opentls");

    private NatsUrls() {
    }

    /** Returns {@code urls} (comma-separated) when each is a NATS URL with a host; else throws. */
    static String validate(String urls) {
        List<String> parts = split(urls);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("NATS URL must not be empty; use e.g. nats://127.0.0.1:4222");
        }
        for (String part : parts) {
            URI uri;
            try {
                uri = new URI(part);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + redact(part) + "' is not a valid NATS URL (" + e.getReason()
                        + "); use e.g. nats://user:pass@127.0.0.1:4222", e);
            }
            if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme().toLowerCase())) {
                throw new IllegalArgumentException("'" + redact(part) + "' is not a NATS URL: the scheme must be one of "
                        + SCHEMES + ", e.g. nats://127.0.0.1:4222");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("'" + redact(part) + "' names no host; use e.g. nats://127.0.0.1:4222");
            }
        }
        return String.join(",", parts);
    }

    /** Whether any of the URLs asks for TLS with verified certificates ({@code tls://}, {@code wss://}). */
    static boolean requiresTls(String urls) {
        return split(urls).stream().map(NatsUrls::scheme).anyMatch(s -> s.equals("tls") || s.equals("wss"));
    }

    /** Whether any of the URLs is {@code opentls://} (TLS that trusts any certificate). */
    static boolean trustsAnyCertificate(String urls) {
        return split(urls).stream().map(NatsUrls::scheme).anyMatch(s -> s.equals("opentls"));
    }

    /** Whether any of the URLs carries a user, password or token before its host. */
    static boolean hasUserInfo(String urls) {
        return !redact(urls).equals(urls);
    }

    private static String scheme(String url) {
        int i = url.indexOf("://");
        return i < 0 ? "" : url.substring(0, i).toLowerCase();
    }

    /** The URLs with their passwords and tokens replaced by {@code ***}, for messages. */
    static String redact(String urls) {
        List<String> out = new ArrayList<>();
        for (String part : split(urls)) {
            out.add(BrokerUrls.redact(part));
        }
        return String.join(",", out);
    }

    /** Any text (an exception message from jnats) with the passwords of URLs in it replaced by {@code ***}. */
    static String redactText(String text) {
        return BrokerUrls.redact(text);
    }

    /** The exception with the URLs in its message redacted (same class when possible, same stack trace). */
    static Throwable redact(Throwable t) {
        String message = redactText(t.getMessage());
        if (message == null || message.equals(t.getMessage())) {
            return t;
        }
        Throwable copy = t instanceof IOException ? new IOException(message) : new RuntimeException(message);
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    private static List<String> split(String urls) {
        List<String> parts = new ArrayList<>();
        for (String p : urls.split(",")) {
            if (!p.isBlank()) {
                parts.add(p.trim());
            }
        }
        return parts;
    }
}
