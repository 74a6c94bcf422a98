package io.geows.benchmarks;

import io.geows.example.CommandLines;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * The benchmark tools' command lines, with picocli: a tool's flags are the {@code @Option} fields (or
 * setters) of its settings object, given as {@code --name value} or {@code --name=value}; a boolean flag
 * alone means true. {@code -h}/{@code --help} prints the usage. A bad flag fails with one line naming it.
 */
final class Cli {
    private Cli() {
    }

    /** Thrown for a bad flag; the message is the line to print. */
    static final class BadArgs extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadArgs(String message) {
            super(message);
        }
    }

    /** Settings that check their flags against each other once all are set. */
    interface Checked {
        /** Throws {@link BadArgs} when the flags do not hold together. */
        void check();
    }

    /** Sets {@code command}'s flags from {@code argv} (then {@link Checked#check checks} them); false for {@code --help}. */
    static boolean parse(Object command, String[] argv) {
        CommandLine cl = commandLine(command);
        try {
            cl.parseArgs(argv);
        } catch (ParameterException e) {
            throw new BadArgs(message(e));
        }
        if (cl.isUsageHelpRequested()) {
            return false;
        }
        if (command instanceof Checked c) {
            c.check();
        }
        return true;
    }

    /**
     * For a tool's {@code main}: sets {@code command}'s flags from {@code argv}, or prints the usage
     * ({@code --help}: returns false) or {@code "<tool>: <problem>"} (then exits with status 2).
     */
    static boolean parseOrExit(String tool, Object command, String[] argv) {
        try {
            if (parse(command, argv)) {
                return true;
            }
            System.out.println(usage(command));
            return false;
        } catch (BadArgs e) {
            System.err.println(tool + ": " + e.getMessage() + " (see --help)");
            System.exit(2);
            return false;
        }
    }

    /** The usage of {@code command}: its description, then each flag with its meaning and default. */
    static String usage(Object command) {
        return commandLine(command).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** A comma-separated list, trimmed, without empty entries. */
    static List<String> list(String value) {
        List<String> l = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                l.add(s.trim());
            }
        }
        return l;
    }

    /** A space-separated list (JVM options). */
    static List<String> words(String value) {
        List<String> l = new ArrayList<>();
        for (String s : value.trim().split("\\s+")) {
            if (!s.isBlank()) {
                l.add(s);
            }
        }
        return l;
    }

    private static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command)
                .setExpandAtFiles(false)
                .setOverwrittenOptionsAllowed(true)
                .registerConverter(Integer.class, Cli::wholeNumber)
                .registerConverter(int.class, Cli::wholeNumber)
                .registerConverter(Double.class, Cli::number)
                .registerConverter(double.class, Cli::number);
        cl.getCommandSpec().addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("prints this help").build());
        return cl;
    }

    /** A whole number; underscores may group its digits (15_000). */
    private static Integer wholeNumber(String v) {
        try {
            return Integer.parseInt(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("must be a whole number, was '" + v + "'");
        }
    }

    private static Double number(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("must be a number, was '" + v + "'");
        }
    }

    /** picocli's complaint as one line naming the flag (a setter's own check says what it found). */
    private static String message(ParameterException e) {
        return e.getCause() instanceof BadArgs b ? b.getMessage() : CommandLines.oneLine(e);
    }
}
