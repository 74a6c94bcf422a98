package io.geows.example;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The keys an HTTP API accepts in {@code Authorization: Bearer <key>}: several, so one can be rotated
 * in while the old one still works; compared as SHA-256 digests in constant time, every key every time.
 */
final class ApiKeys {
    private final List<byte[]> digests;

    ApiKeys(List<String> keys) {
        this.digests = keys.stream().map(ApiKeys::digest).toList();
    }

    /** Whether no key is configured (the API is off). */
    boolean isEmpty() {
        return digests.isEmpty();
    }

    /** Whether the header carries one of the keys. */
    boolean accept(String authorization) {
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
