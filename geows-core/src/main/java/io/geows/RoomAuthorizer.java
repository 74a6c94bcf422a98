package io.geows;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Decides whether a session may join a room, publish to it or see who is in it. A refusal reaches the
 * client as an {@code error} frame with code {@code forbidden}; the session stays open.
 *
 * <p>Threading: called on transport threads, concurrently, for every join, publish and presence
 * query; must be thread-safe and fast (no remote calls).
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface RoomAuthorizer {

    /** What a session wants to do in a room. */
    enum Action {
        /** Join the room (and receive its messages). */
        JOIN,
        /** Publish a message to the room. */
        PUBLISH,
        /** Ask who is in the room. */
        PRESENCE
    }

    /** Whether {@code identity} may do {@code action} in {@code room}. */
    boolean allows(Identity identity, Action action, String room);

    /** Allows everything to everyone: for demos and tests. */
    static RoomAuthorizer allowAll() {
        return (identity, action, room) -> true;
    }

    /**
     * The default: the token says which rooms its holder may use. The claim {@value
     * ClaimRoomAuthorizer#ROOMS} lists room patterns the holder may join, publish to and query;
     * {@value ClaimRoomAuthorizer#READ_ONLY_ROOMS} lists patterns it may only join and query. A
     * pattern is a room name in which {@code *} stands for any characters: {@code "chat.*"},
     * {@code "user.alice.*"}, {@code "*"}. A claim is a JSON array of patterns or one string of
     * patterns separated by spaces. Without the claims nothing is allowed.
     */
    static RoomAuthorizer fromClaims() {
        return ClaimRoomAuthorizer.INSTANCE;
    }
}

/** {@link RoomAuthorizer#fromClaims()}. */
final class ClaimRoomAuthorizer implements RoomAuthorizer {
    static final String ROOMS = "rooms";
    static final String READ_ONLY_ROOMS = "rooms_read";
    static final ClaimRoomAuthorizer INSTANCE = new ClaimRoomAuthorizer();

    @Override
    public boolean allows(Identity identity, Action action, String room) {
        if (matchesAny(identity.claims().get(ROOMS), room)) {
            return true;
        }
        return action != Action.PUBLISH && matchesAny(identity.claims().get(READ_ONLY_ROOMS), room);
    }

    private static boolean matchesAny(Object claim, String room) {
        for (String pattern : patterns(claim)) {
            if (glob(pattern, room)) {
                return true;
            }
        }
        return false;
    }

    static List<String> patterns(Object claim) {
        if (claim instanceof String s) {
            return List.of(s.trim().split("\\s+"));
        }
        if (claim instanceof Collection<?> c) {
            List<String> out = new ArrayList<>(c.size());
            for (Object o : c) {
                if (o instanceof String s) {
                    out.add(s);
                }
            }
            return out;
        }
        return List.of();
    }

    /** Whether {@code text} matches {@code pattern}, where {@code *} matches any run of characters. */
    static boolean glob(String pattern, String text) {
        Objects.requireNonNull(text, "text");
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length() && !pattern.isEmpty();
    }
}
