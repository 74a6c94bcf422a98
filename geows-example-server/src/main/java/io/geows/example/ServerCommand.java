package io.geows.example;

import io.geows.NodeLimits;
import io.geows.Residency;
import io.geows.example.ServerConfig.BadFlag;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The example server's command line (picocli): the flags of {@link NodeOptions}, {@link LimitOptions},
 * {@link PresenceOptions}, {@link SecurityOptions} and {@link DataOptions}, as {@code --name value} or
 * {@code --name=value}. Each flag {@code --some-name} falls back on the environment variable
 * {@code GEOWS_SOME_NAME} (trimmed; blank counts as unset), then on its default. A flag given twice: the
 * last one counts. Every mistake becomes a {@link BadFlag} whose one line names the flag.
 */
@Command(name = "geows-example-server", header = "geows example server%n", usageHelpWidth = 100,
        description = {"With the memory broker and no --region it runs the demo: us-east and eu-west in one process.",
            "With --region (and a shared broker such as redis://) it runs one node of a cluster.%n"},
        footer = "%nPort 0 picks a free port.")
final class ServerCommand {
    @Mixin
    private NodeOptions node;
    @Mixin
    private LimitOptions limits;
    @Mixin
    private PresenceOptions presence;
    @Mixin
    private SecurityOptions security;
    @Mixin
    private DataOptions data;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "prints this help")
    private boolean help;

    private ServerCommand() {
    }

    /** Parses flags over the environment ({@code env}: variable name to value). {@code --help} returns null. */
    static ServerConfig parse(String[] args, Function<String, String> env) {
        ServerCommand command = new ServerCommand();
        CommandLine cl = commandLine(command, env);
        try {
            cl.parseArgs(args);
        } catch (ParameterException e) {
            throw new BadFlag(CommandLines.oneLine(e));
        }
        return cl.isUsageHelpRequested() ? null : command.config();
    }

    /** The {@code --help} text. Made without the environment, so it shows defaults only, never a secret. */
    static String usage() {
        return commandLine(new ServerCommand(), name -> null).getUsageMessage(Help.Ansi.OFF).stripTrailing();
    }

    /** {@code --some-name}'s environment variable: {@code GEOWS_SOME_NAME}. */
    static String environmentVariable(OptionSpec option) {
        return "GEOWS_" + option.longestName().substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static CommandLine commandLine(ServerCommand command, Function<String, String> env) {
        CommandLine cl = new CommandLine(command)
                .setInterpolateVariables(false) // values are taken as they are: no ${...} expansion
                .setExpandAtFiles(false) // an argument starting with @ is not a file of arguments
                .setOverwrittenOptionsAllowed(true)
                .setDefaultValueProvider(arg -> fromEnvironment(arg, env));
        cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, ServerCommand::optionList);
        cl.setHelpSectionKeys(List.of(UsageMessageSpec.SECTION_KEY_HEADER, UsageMessageSpec.SECTION_KEY_DESCRIPTION,
                UsageMessageSpec.SECTION_KEY_OPTION_LIST, UsageMessageSpec.SECTION_KEY_FOOTER));
        return cl;
    }

    /** A flag's value from its environment variable, or null (then its default counts). */
    private static String fromEnvironment(ArgSpec arg, Function<String, String> env) {
        if (!(arg instanceof OptionSpec option) || option.usageHelp()) {
            return null;
        }
        String v = env.apply(environmentVariable(option));
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** One line per flag: name, environment variable, meaning, default. */
    private static String optionList(Help help) {
        StringBuilder sb = new StringBuilder();
        for (OptionSpec o : help.commandSpec().options()) {
            if (o.usageHelp()) {
                sb.append(String.format(Locale.ROOT, "  %-30s %-34s %s%n", "-h, --help", "", o.description()[0]));
                continue;
            }
            String fallback = o.defaultValueString();
            sb.append(String.format(Locale.ROOT, "  %-30s %-34s %s (default: %s)%n", o.longestName(), environmentVariable(o),
                    String.join(" ", o.description()), fallback == null || fallback.isEmpty() ? "none" : fallback));
        }
        return sb.toString();
    }

    /** The settings, once every flag's value is checked and the flags are checked against each other. */
    private ServerConfig config() {
        String broker = node.broker();
        NodeLimits nodeLimits = limits.toLimits();
        boolean demo = node.demo();
        ServerConfig.Security sec = security.toSecurity(demo);
        Residency residency = data.residency();
        Map<String, String> zoneBrokers = data.zoneBrokers(broker);
        if (residency != null && demo) {
            throw new BadFlag("data-residency flags need --region and a shared broker (the demo keeps rooms named eu-... in "
                    + "eu-west by itself)");
        }
        return new ServerConfig(node.listen(), node.node(), new ServerConfig.Brokers(broker, node.natsMemory(), residency, zoneBrokers),
                new ServerConfig.Policies(nodeLimits, presence.toPolicy(), data.retention()), sec);
    }
}
