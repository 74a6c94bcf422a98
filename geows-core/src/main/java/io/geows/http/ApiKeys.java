package io.geows.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The keys an HTTP API accepts in {@code Authorization: Bearer <key>}: several, so one can be rotated
 * in while the old one still works; compared as SHA-256 digests in constant time, every key every time.
 *
 * @since 0.1.0
 */
public final class ApiKeys {
    /** The shortest key accepted: {@value} characters. */
    public static final int MIN_LENGTH = 32;

    private final List<byte[]> digests;

    private ApiKeys(List<String> keys) {
        this.digests = keys.stream().map(ApiKeys::digest).toList();
    }

    /**
     * These keys (none: the API is off).
     *
     * @throws IllegalArgumentException when a key is shorter than {@link #MIN_LENGTH} characters or has
     *                                  white space (the message never shows the key)
     */
    public static ApiKeys of(List<String> keys) {
        for (String k : keys) {
            if (k == null || k.length() < MIN_LENGTH || !k.strip().equals(k) || k.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("an API key must be at least " + MIN_LENGTH
                        + " characters without white space (generate one with: openssl rand -hex 32)");
            }
        }
        return new ApiKeys(List.copyOf(keys));
    }

    /** Whether no key is configured (the API is off). */
    public boolean isEmpty() {
        return digests.isEmpty();
    }

    /** Whether the header carries one of the keys. */
    public boolean accept(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = digest(authorization.substring("Bearer ".length()).trim());
        boolean ok = false;
        for (byte[] key : digests) {
            ok |= MessageDigest.isEqual(given, key);
        }
        return ok;
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
