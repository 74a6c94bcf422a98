package io.geows.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs broker payloads with HMAC-SHA256 and checks them. A signed payload is one ASCII line, then the
 * body: {@code #gws1:<keyId>:<base64url MAC of keyId and body>\n<body>}. Thread-safe.
 */
public final class BrokerSeal {
    private static final byte[] MAGIC = "#gws1:".getBytes(StandardCharsets.US_ASCII);
    private static final int MAC_B64_LENGTH = 43; // 32 bytes, base64url without padding
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final BrokerSeal NONE = new BrokerSeal(null, Map.of());

    /** A payload that did not verify. */
    public static final class Forged extends Exception {
        private static final long serialVersionUID = 1L;

        Forged(String message) {
            super(message, null, false, false);
        }
    }

    private final String signingId;
    private final byte[] signingIdBytes;
    private final Map<String, ThreadLocal<Mac>> macs = new HashMap<>();

    /** Signs with {@code signingId}; accepts every key in {@code secrets} (id to secret). */
    public BrokerSeal(String signingId, Map<String, byte[]> secrets) {
        this.signingId = signingId;
        this.signingIdBytes = signingId == null ? null : signingId.getBytes(StandardCharsets.US_ASCII);
        secrets.forEach((id, secret) -> {
            byte[] key = secret.clone();
            macs.put(id, ThreadLocal.withInitial(() -> newMac(key)));
        });
    }

    /** Neither signs nor verifies. */
    public static BrokerSeal none() {
        return NONE;
    }

    public boolean enabled() {
        return signingId != null;
    }

    /** The payload to publish: the body, signed when keys are set. */
    public byte[] seal(byte[] body) {
        if (signingId == null) {
            return body;
        }
        byte[] mac = B64.encode(mac(macs.get(signingId).get(), signingIdBytes, body));
        byte[] out = new byte[MAGIC.length + signingIdBytes.length + 1 + mac.length + 1 + body.length];
        int p = 0;
        System.arraycopy(MAGIC, 0, out, p, MAGIC.length);
        p += MAGIC.length;
        System.arraycopy(signingIdBytes, 0, out, p, signingIdBytes.length);
        p += signingIdBytes.length;
        out[p++] = ':';
        System.arraycopy(mac, 0, out, p, mac.length);
        p += mac.length;
        out[p++] = '\n';
        System.arraycopy(body, 0, out, p, body.length);
        return out;
    }

    /**
     * The body of a received payload.
     *
     * @throws Forged when keys are set and the payload is unsigned, signed with an unknown key or its
     *                signature does not match
     */
    public byte[] open(byte[] payload) throws Forged {
        if (!startsWithMagic(payload)) {
            if (signingId != null) {
                throw new Forged("unsigned message");
            }
            return payload;
        }
        int idEnd = indexOf(payload, (byte) ':', MAGIC.length, MAGIC.length + 33);
        if (idEnd < 0 || idEnd + 1 + MAC_B64_LENGTH >= payload.length || payload[idEnd + 1 + MAC_B64_LENGTH] != '\n') {
            throw new Forged("malformed signature line");
        }
        int bodyStart = idEnd + 1 + MAC_B64_LENGTH + 1;
        byte[] body = Arrays.copyOfRange(payload, bodyStart, payload.length);
        if (signingId == null) {
            return body; // this node verifies nothing (keys not configured)
        }
        String keyId = new String(payload, MAGIC.length, idEnd - MAGIC.length, StandardCharsets.US_ASCII);
        ThreadLocal<Mac> mac = macs.get(keyId);
        if (mac == null) {
            throw new Forged("signed with unknown key '" + clip(keyId) + "'");
        }
        byte[] claimed;
        try {
            claimed = B64D.decode(Arrays.copyOfRange(payload, idEnd + 1, idEnd + 1 + MAC_B64_LENGTH));
        } catch (IllegalArgumentException e) {
            throw new Forged("malformed signature");
        }
        byte[] expected = mac(mac.get(), Arrays.copyOfRange(payload, MAGIC.length, idEnd), body);
        if (!MessageDigest.isEqual(expected, claimed)) {
            throw new Forged("bad signature (key '" + clip(keyId) + "')");
        }
        return body;
    }

    private static byte[] mac(Mac mac, byte[] keyId, byte[] body) {
        mac.update(keyId);
        mac.update((byte) 0);
        return mac.doFinal(body);
    }

    private static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static boolean startsWithMagic(byte[] p) {
        if (p.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (p[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] p, byte b, int from, int to) {
        for (int i = from; i < Math.min(to, p.length); i++) {
            if (p[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String clip(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32);
    }
}
