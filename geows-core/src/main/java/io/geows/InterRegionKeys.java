package io.geows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The shared keys nodes sign their broker messages with (HMAC-SHA256). Every node of a deployment
 * holds the same keys: one signs, all of them verify. A node drops, and counts, any broker message
 * whose signature does not verify with one of its keys, so whoever can publish on the broker but
 * lacks a key cannot inject messages or speak for a user.
 *
 * <p>Rotation without downtime: add the new key as an accepted key on every node, then make it the
 * signing key on every node (the old one stays accepted), then remove the old one.
 *
 * <pre>{@code
 * InterRegionKeys keys = InterRegionKeys.parse(System.getenv("GEOWS_INTER_REGION_KEYS"));
 * // "k2:BASE64SECRET,k1:BASE64SECRET": k2 signs, both verify
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class InterRegionKeys {
    /** Shortest accepted secret: {@value} bytes (256 bits). */
    public static final int MIN_SECRET_BYTES = 32;
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final InterRegionKeys NONE = new InterRegionKeys(null, Map.of());

    private final String signingKeyId;
    private final Map<String, byte[]> keys;

    private InterRegionKeys(String signingKeyId, Map<String, byte[]> keys) {
        this.signingKeyId = signingKeyId;
        this.keys = keys;
    }

    /**
     * <b>Insecure:</b> messages are neither signed nor verified; anyone who can publish on the broker
     * can inject messages. The default, for demos and single-process use; the node logs a warning at
     * start when it runs with a broker other than the in-memory one.
     */
    public static InterRegionKeys none() {
        return NONE;
    }

    /**
     * Keys where {@code keyId} signs and verifies. Add older keys with {@link #accepting}.
     *
     * @throws IllegalArgumentException for an id other than 1–32 of {@code A-Z a-z 0-9 _ -} or a
     *                                  secret shorter than {@value #MIN_SECRET_BYTES} bytes
     */
    public static InterRegionKeys signingWith(String keyId, byte[] secret) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        keys.put(checkId(keyId), checkSecret(keyId, secret));
        return new InterRegionKeys(keyId, Collections.unmodifiableMap(keys));
    }

    /** These keys, also accepting (not signing with) {@code keyId}. */
    public InterRegionKeys accepting(String keyId, byte[] secret) {
        if (signingKeyId == null) {
            throw new IllegalStateException("give the signing key first: signingWith(...)");
        }
        if (keys.containsKey(keyId)) {
            throw new IllegalArgumentException("key id '" + keyId + "' is given twice");
        }
        Map<String, byte[]> more = new LinkedHashMap<>(keys);
        more.put(checkId(keyId), checkSecret(keyId, secret));
        return new InterRegionKeys(signingKeyId, Collections.unmodifiableMap(more));
    }

    /**
     * Parses {@code id:base64secret[,id:base64secret...]}: the first key signs, all verify. Blank or
     * {@code null} means {@link #none()}.
     *
     * @throws IllegalArgumentException naming what is wrong (never the secret)
     */
    public static InterRegionKeys parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return none();
        }
        InterRegionKeys keys = null;
        for (String part : spec.split(",")) {
            int colon = part.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("inter-region keys must be id:base64secret[,id:base64secret], got an entry without 'id:'");
            }
            String id = part.substring(0, colon).trim();
            byte[] secret;
            try {
                secret = Base64.getDecoder().decode(part.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the secret of inter-region key '" + id + "' is not base64");
            }
            keys = keys == null ? signingWith(id, secret) : keys.accepting(id, secret);
        }
        return keys;
    }

    /** Whether messages are signed and verified. */
    public boolean enabled() {
        return signingKeyId != null;
    }

    /** The id of the signing key, or {@code null} for {@link #none()}. */
    public String signingKeyId() {
        return signingKeyId;
    }

    /** The signer and checker the node uses. */
    io.geows.internal.BrokerSeal seal() {
        return enabled() ? new io.geows.internal.BrokerSeal(signingKeyId, keys) : io.geows.internal.BrokerSeal.none();
    }

    /** The ids of all keys, signing key first. */
    public java.util.Set<String> keyIds() {
        return keys.keySet();
    }

    /** Shows the key ids, never the secrets. */
    @Override
    public String toString() {
        return enabled() ? "InterRegionKeys{signing=" + signingKeyId + ", accepted=" + keys.keySet() + '}' : "InterRegionKeys{none}";
    }

    private static String checkId(String keyId) {
        Objects.requireNonNull(keyId, "keyId");
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("an inter-region key id must be 1-32 of A-Z a-z 0-9 _ -, was '"
                    + new String(keyId.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8) + "'");
        }
        return keyId;
    }

    private static byte[] checkSecret(String keyId, byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the secret of inter-region key '" + keyId + "' must be at least "
                    + MIN_SECRET_BYTES + " bytes, was " + secret.length);
        }
        return Arrays.copyOf(secret, secret.length);
    }
}
