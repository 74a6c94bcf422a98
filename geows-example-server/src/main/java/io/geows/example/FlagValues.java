package io.geows.example;

import io.geows.PresenceMode;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters and checks the server's option classes share. A converter's message completes a sentence
 * that starts with the flag's name ({@link ServerCommand} puts it in front): {@code --port must be ...}.
 */
final class FlagValues {
    private FlagValues() {
    }

    /** A port number, 0-65535 (0: any free port). */
    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            try {
                int p = Integer.parseInt(v);
                if (p >= 0 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new TypeConversionException("must be a port number 0-65535 (0: any free port), was '" + v + "'");
        }
    }

    /** A whole number (its range is checked where it is used). */
    static final class Whole implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be a whole number, was '" + v + "'");
            }
        }
    }

    /**
     * {@code true} or {@code false}, in any case, as lower case. (A String, not a boolean: picocli gives boolean
     * options special treatment that would bypass this converter's message.)
     */
    static final class TrueFalse implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            return oneOf(v, "must be true or false", "true", "false");
        }
    }

    /** {@code --nats-storage}: {@code file} or {@code memory}, in any case, as lower case. */
    static final class NatsStorage implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            return oneOf(v, "must be file or memory", "file", "memory");
        }
    }

    /** A presence mode: auto, diff, count, events or off, in any case. */
    static final class Presence implements ITypeConverter<PresenceMode> {
        @Override
        public PresenceMode convert(String v) {
            try {
                return PresenceMode.valueOf(v.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("takes auto, diff, count, events or off, was '" + v.trim() + "'");
            }
        }
    }

    /** Whether {@code url} names a broker geows connects to (not {@code memory}). */
    static boolean brokerUrl(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        return lower.startsWith("redis://") || lower.startsWith("rediss://") || lower.startsWith("nats://")
                || lower.startsWith("tls://") || lower.startsWith("kafka://") || lower.startsWith("kafkas://");
    }

    private static String oneOf(String v, String rule, String... allowed) {
        String lower = v.toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(lower)) {
                return lower;
            }
        }
        throw new TypeConversionException(rule + ", was '" + v + "'");
    }

    /** {@code null} for an empty or blank value: "not set". */
    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
