package io.geows.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Command-line flags of the benchmark tools: {@code --name value} or {@code --name=value}, each with a
 * default and a line of help. A bad flag fails with one line naming it.
 */
final class Args {
    /** Thrown for a bad flag; the message is the line to print. */
    static final class BadArgs extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadArgs(String message) {
            super(message);
        }
    }

    private record Flag(String name, String fallback, String help) {
    }

    private final String tool;
    private final String summary;
    private final Map<String, Flag> flags = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    Args(String tool, String summary) {
        this.tool = tool;
        this.summary = summary;
    }

    /** Declares a flag ({@code fallback} "" means none). */
    Args flag(String name, String fallback, String help) {
        flags.put(name, new Flag(name, fallback, help));
        return this;
    }

    /** Parses; returns false for {@code --help}. */
    boolean parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return false;
            }
            if (!a.startsWith("--")) {
                throw new BadArgs("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (flags.containsKey(name) && flags.get(name).fallback().equals("false")) {
                value = i + 1 < args.length && (args[i + 1].equals("true") || args[i + 1].equals("false")) ? args[++i] : "true";
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new BadArgs("--" + name + " needs a value");
            }
            if (!flags.containsKey(name)) {
                throw new BadArgs("unknown flag --" + name + " (see --help)");
            }
            values.put(name, value);
        }
        return true;
    }

    String string(String name) {
        String v = values.get(name);
        return v != null ? v : flags.get(name).fallback();
    }

    boolean given(String name) {
        return values.containsKey(name);
    }

    int integer(String name) {
        try {
            return Integer.parseInt(string(name).replace("_", ""));
        } catch (NumberFormatException e) {
            throw new BadArgs("--" + name + " must be a whole number, was '" + string(name) + "'");
        }
    }

    double number(String name) {
        try {
            return Double.parseDouble(string(name));
        } catch (NumberFormatException e) {
            throw new BadArgs("--" + name + " must be a number, was '" + string(name) + "'");
        }
    }

    boolean bool(String name) {
        return Boolean.parseBoolean(string(name));
    }

    /** A comma-separated list, empty for an empty value. */
    List<String> list(String name) {
        List<String> l = new ArrayList<>();
        for (String s : string(name).split(",")) {
            if (!s.isBlank()) {
                l.add(s.trim());
            }
        }
        return l;
    }

    /** A space-separated list (JVM options). */
    List<String> words(String name) {
        List<String> l = new ArrayList<>();
        for (String s : string(name).trim().split("\\s+")) {
            if (!s.isBlank()) {
                l.add(s);
            }
        }
        return l;
    }

    String usage() {
        StringBuilder sb = new StringBuilder(tool).append("\n\n").append(summary).append("\n\n");
        for (Flag f : flags.values()) {
            sb.append(String.format(Locale.ROOT, "  --%-20s %s%s%n", f.name(), f.help(),
                    f.fallback().isEmpty() ? "" : " (default: " + f.fallback() + ")"));
        }
        return sb.toString();
    }
}
