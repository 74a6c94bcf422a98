package io.geows.nats.internal;

import io.geows.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Every subject and key the NATS broker uses, derived from the topic prefix:
 * <ul>
 *   <li>{@code <prefix>.room.<room>}, {@code <prefix>.node.<id>}, {@code <prefix>.all}: core
 *       subjects, as {@link Topics} names them;</li>
 *   <li>{@code <prefix>.history.<epoch>.<room>}: what the history stream stores;</li>
 *   <li>{@code <prefix>.live.<room>}: where the stream republishes each stored message, in stream
 *       order, for live delivery;</li>
 *   <li>presence keys {@code n.<node>}, {@code u.<user>.<node>}, {@code r.<room>.<node>.<user>}.</li>
 * </ul>
 * Room names in subjects are escaped by {@link Topics#escape}; key tokens by {@link #keyToken}, since
 * key-value keys allow fewer characters than subjects (no {@code ~}).
 *
 * <p>Immutable and thread-safe.
 */
public final class Names {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final String prefix;
    private final String roomPrefix;
    private final String historyPrefix;
    private final String livePrefix;

    public Names(String prefix) {
        this.prefix = Topics.withPrefix(prefix).prefix();
        this.roomPrefix = this.prefix + ".room.";
        this.historyPrefix = this.prefix + ".history.";
        this.livePrefix = this.prefix + ".live.";
    }

    public String prefix() {
        return prefix;
    }

    /** The escaped room token of a room topic, or {@code null} when the topic is not a room topic. */
    public String roomToken(String topic) {
        if (topic.startsWith(roomPrefix) && topic.length() > roomPrefix.length()
                && topic.indexOf('.', roomPrefix.length()) < 0) {
            return topic.substring(roomPrefix.length());
        }
        return null;
    }

    /** The room topic of an (unescaped) room. */
    public String roomTopic(String room) {
        return roomPrefix + Topics.escape(room);
    }

    /** The subject the stream stores a room's messages under in an epoch. */
    public String historySubject(String epoch, String roomToken) {
        return historyPrefix + epoch + "." + roomToken;
    }

    /** The stream's subject filter for an epoch: {@code <prefix>.history.<epoch>.>}. */
    public String historyFilter(String epoch) {
        return historyPrefix + epoch + ".>";
    }

    /** The republish destination of every room: {@code <prefix>.live.>}. */
    public String liveFilter() {
        return livePrefix + ">";
    }

    /** The live subject of a room token. */
    public String liveSubject(String roomToken) {
        return livePrefix + roomToken;
    }

    /**
     * The epoch in a history subject ({@code <prefix>.history.<epoch>.<room>}), or {@code null}
     * when the subject is not one.
     */
    public String epochOf(String historySubject) {
        if (historySubject == null || !historySubject.startsWith(historyPrefix)) {
            return null;
        }
        int dot = historySubject.indexOf('.', historyPrefix.length());
        if (dot <= historyPrefix.length()) {
            return null;
        }
        return historySubject.substring(historyPrefix.length(), dot);
    }

    /** The epoch of a stream subject filter ({@code <prefix>.history.<epoch>.>}), or {@code null}. */
    public String epochOfFilter(String filter) {
        if (filter == null || !filter.endsWith(".>")) {
            return null;
        }
        String epoch = epochOf(filter);
        return epoch != null && filter.equals(historyFilter(epoch)) ? epoch : null;
    }

    /**
     * The deduplication id of a message: room and key, each escaped, so the same key in two rooms
     * (or two keys that differ in a newline) never collide. Header-safe (no CR or LF).
     */
    public static String messageId(String room, String key) {
        return Topics.escape(room) + "." + Topics.escape(key);
    }

    /**
     * The message key in a deduplication id written by {@link #messageId} for the room whose token is
     * {@code roomToken}; {@code null} when the id is missing, of another room, or not one
     * {@code messageId} writes.
     */
    public static String keyOf(String roomToken, String messageId) {
        if (messageId == null || !messageId.startsWith(roomToken) || messageId.length() <= roomToken.length()
                || messageId.charAt(roomToken.length()) != '.') {
            return null;
        }
        String escaped = messageId.substring(roomToken.length() + 1);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(escaped.length());
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '~' && i + 2 < escaped.length()) {
                int hi = Character.digit(escaped.charAt(i + 1), 16);
                int lo = Character.digit(escaped.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                bytes.write(c);
            } else {
                return null;
            }
        }
        String key = new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
        // only what messageId would have written: the round trip must give the same id back
        try {
            return escaped.equals(Topics.escape(key)) ? key : null;
        } catch (IllegalArgumentException e) {
            return null; // not valid UTF-16 once decoded
        }
    }

    // ------------------------------------------------------------------ presence keys

    public static String nodeKey(String node) {
        return "n." + keyToken(node);
    }

    public static String userKey(String user, String node) {
        return "u." + keyToken(user) + "." + keyToken(node);
    }

    /** Filter over the user keys of one user. */
    public static String userFilter(String user) {
        return "u." + keyToken(user) + ".*";
    }

    public static String roomKey(String room, String node, String user) {
        return "r." + keyToken(room) + "." + keyToken(node) + "." + keyToken(user);
    }

    /** Filter over the member keys of one room. */
    public static String roomFilter(String room) {
        return "r." + keyToken(room) + ".*.*";
    }

    /**
     * Escapes a name into one key-value key token: letters, digits, {@code -} and {@code _} stay,
     * every other byte of the UTF-8 form becomes {@code =XX} (hex), and the empty name becomes
     * {@code =}. Injective, and the result only holds characters keys allow.
     */
    public static String keyToken(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            return "=";
        }
        StringBuilder out = new StringBuilder(name.length() + 8);
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                out.append(c);
            } else {
                out.append('=').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
        }
        return out.toString();
    }

    /** Reverses {@link #keyToken}. */
    public static String unescapeKeyToken(String token) {
        if (token.equals("=")) {
            return "";
        }
        byte[] out = new byte[token.length()];
        int n = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '=' && i + 2 < token.length()) {
                out[n++] = (byte) Integer.parseInt(token, i + 1, i + 3, 16);
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }
}
