package io.geows.example;

import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/** What the reference server's and the benchmark tools' command lines share. */
public final class CommandLines {
    private CommandLines() {
    }

    /**
     * picocli's complaint as one line that names the flag: {@code unknown flag --x} (never what
     * followed its {@code =}, which may be a secret given to a misspelt flag), {@code --port needs a
     * value}, {@code --port must be ...}; else picocli's own message.
     */
    public static String oneLine(ParameterException e) {
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            // the flag's name only: what follows '=' may be a secret given to a misspelt flag
            // a stray value is not echoed either: "--api-keys k1, k2" would print a key
            return arg.startsWith("--") ? "unknown flag " + arg.split("=", 2)[0]
                    : "unexpected argument (a value without its flag, or a value with a space in it?)";
        }
        if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()
                && m.getMissing().get(0) instanceof OptionSpec o) {
            return o.longestName() + " needs a value";
        }
        if (e.getCause() instanceof TypeConversionException c && e.getArgSpec() instanceof OptionSpec o) {
            return o.longestName() + " " + c.getMessage();
        }
        return e.getMessage();
    }
}
