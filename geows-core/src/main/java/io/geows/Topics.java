package io.geows;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Broker topic names: {@code <prefix>.room.<room>}, {@code <prefix>.node.<nodeId>} and
 * {@code <prefix>.all}.
 *
 * <p>Room names and node ids are escaped so that the result is a valid token for every broker
 * (NATS forbids {@code .}, {@code *}, {@code >} and whitespace in a token): letters, digits,
 * {@code -} and {@code _} stay, every other byte of the UTF-8 form becomes {@code ~XX} (hex). The
 * escaping is injective, so two rooms never share a topic.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class Topics {
    /** The default prefix: {@value}. */
    public static final String DEFAULT_PREFIX = "geows";

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final String prefix;

    private Topics(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Topics under a prefix.
     *
     * @throws IllegalArgumentException when the prefix is not dot-separated tokens of letters,
     *                                  digits, {@code -} and {@code _}
     */
    public static Topics withPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("topic prefix '" + prefix
                    + "' must be dot-separated tokens of letters, digits, '-' and '_' (e.g. 'geows' or 'acme.chat')");
        }
        return new Topics(prefix);
    }

    /** Topics under {@value #DEFAULT_PREFIX}. */
    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** The prefix. */
    public String prefix() {
        return prefix;
    }

    /** The topic a room's messages and presence events are published to. */
    public String room(String room) {
        return prefix + ".room." + escape(room);
    }

    /** A node's inbox: direct messages and control. */
    public String node(String nodeId) {
        return prefix + ".node." + escape(nodeId);
    }

    /** Broadcast to every node. */
    public String all() {
        return prefix + ".all";
    }

    /**
     * Escapes a name into one topic token (see the class comment).
     *
     * @throws IllegalArgumentException when the name holds an unpaired surrogate (it has no UTF-8
     *                                  form, so two such names could share a topic)
     */
    public static String escape(String name) {
        Objects.requireNonNull(name, "name");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("name has an unpaired surrogate at index " + i);
            }
        }
        StringBuilder out = null;
        for (int i = 0; i < name.length(); i++) {
            if (!plain(name.charAt(i))) {
                out = new StringBuilder(name.length() + 16).append(name, 0, i);
                byte[] rest = name.substring(i).getBytes(StandardCharsets.UTF_8);
                for (byte b : rest) {
                    char c = (char) (b & 0xFF);
                    if (c < 0x80 && plain(c)) {
                        out.append(c);
                    } else {
                        out.append('~').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
                    }
                }
                break;
            }
        }
        return out == null ? name : out.toString();
    }

    private static boolean plain(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    @Override
    public String toString() {
        return "Topics[" + prefix + "]";
    }
}
