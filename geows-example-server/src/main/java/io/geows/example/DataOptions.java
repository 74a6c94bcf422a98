package io.geows.example;

import io.geows.Residency;
import io.geows.Retention;
import io.geows.example.ServerConfig.BadFlag;
import io.geows.spi.BrokerUrls;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** The flags of where rooms' data lives (data residency) and how long it is kept. Part of {@link ServerCommand}. */
final class DataOptions {
    /** COUNT, AGE or COUNT/AGE of a retention rule. */
    private static final Pattern BOUNDS = Pattern.compile("(\\d+)(?:/(\\d+[smhd]))?|(\\d+[smhd])");

    @Option(names = "--all-regions",
            description = "data residency: every region of the deployment, comma-separated (zones may only name these)")
    private String allRegions = "";

    @Option(names = "--zones", description = "data residency: zones of regions, e.g. 'eu=eu-west+eu-central,us=us-east'")
    private String zones = "";

    @Option(names = "--pins",
            description = "data residency: rooms kept in a zone only, e.g. 'eu-*=eu,payroll=eu' (a room name, or a prefix and *)")
    private String pins = "";

    @Option(names = "--pin-users",
            description = "data residency: users served in a zone only (sessions, presence, direct messages), e.g. 'eu.*=eu'")
    private String pinUsers = "";

    @Option(names = "--zone-brokers",
            description = "data residency: the broker of each zone this node's region is in, e.g. 'eu=redis://eu-redis:6379'")
    private String zoneBrokers = "";

    @Option(names = "--retention", description = "history kept per room pattern: pattern=COUNT, pattern=AGE or "
            + "pattern=COUNT/AGE (AGE like 90s, 15m, 12h, 30d), e.g. 'eu-*=1000/30d,lobby=100'")
    private String retention = "";

    /** The residency rules ({@code null}: none), refused (naming the flag) when they do not hold together. */
    Residency residency() {
        if (pins.isBlank() && pinUsers.isBlank() && zones.isBlank() && zoneBrokers.isBlank()) {
            return null;
        }
        if (allRegions.isBlank()) {
            throw new BadFlag("data residency needs --all-regions (every region of the deployment), so that a zone naming"
                    + " a misspelt region is caught");
        }
        try {
            Residency.Builder b = Residency.builder().regions(allRegions.split(","));
            for (String zone : zones.split(",")) {
                if (zone.isBlank()) {
                    continue;
                }
                int eq = zone.indexOf('=');
                if (eq <= 0) {
                    throw new BadFlag("--zones takes zone=region+region pairs separated by commas, e.g. "
                            + "'eu=eu-west+eu-central', was '" + zone.trim() + "'");
                }
                b.zone(zone.substring(0, eq).trim(), zone.substring(eq + 1).split("\\+"));
            }
            patterns(pins, "--pins", "eu-*=eu", b::pin);
            patterns(pinUsers, "--pin-users", "eu.*=eu", b::pinUsers);
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new BadFlag("bad data-residency rule: " + e.getMessage());
        }
    }

    /** {@code pattern=zone} pairs, comma-separated (a pattern may hold '=': the last one splits). */
    private static void patterns(String spec, String flag, String example, BiConsumer<String, String> pin) {
        for (String pair : spec.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.lastIndexOf('=');
            if (eq <= 0) {
                throw new BadFlag(flag + " takes pattern=zone pairs separated by commas, e.g. '" + example + "', was '"
                        + pair.trim() + "'");
            }
            pin.accept(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
    }

    /** The broker URL of each zone (none of them the global {@code broker}); a refused entry's password is not shown. */
    Map<String, String> zoneBrokers(String broker) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String entry : zoneBrokers.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String zone = eq > 0 ? entry.substring(0, eq).trim() : "";
            String url = eq > 0 ? entry.substring(eq + 1).trim() : "";
            if (zone.isEmpty() || !FlagValues.brokerUrl(url)) {
                throw new BadFlag("--zone-brokers entries must be zone=redis://..., nats://... or kafka://..., was '"
                        + BrokerUrls.redact(entry.trim()) + "'");
            }
            if (out.put(zone, url) != null) {
                throw new BadFlag("--zone-brokers names zone '" + zone + "' twice");
            }
            if (url.equalsIgnoreCase(broker)) {
                // the same server twice: the node would get its direct messages once through each connection
                throw new BadFlag("--zone-brokers: zone " + zone + "'s broker is the global broker (--broker); a zone's data "
                        + "lives on a broker of its own");
            }
        }
        return out;
    }

    /** {@code --retention}: pattern=COUNT, pattern=AGE or pattern=COUNT/AGE, comma-separated. */
    Retention retention() {
        Retention.Builder b = Retention.builder();
        for (String rule : retention.split(",")) {
            if (rule.isBlank()) {
                continue;
            }
            int eq = rule.lastIndexOf('=');
            String bounds = eq > 0 ? rule.substring(eq + 1).trim() : "";
            Matcher m = BOUNDS.matcher(bounds);
            if (eq <= 0 || bounds.isEmpty() || !m.matches()) {
                throw new BadFlag("--retention takes pattern=COUNT, pattern=AGE or pattern=COUNT/AGE (AGE like 90s, 15m, "
                        + "12h, 30d), e.g. 'eu-*=1000/30d', was '" + rule.trim() + "'");
            }
            try {
                int count = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
                String ageText = m.group(2) != null ? m.group(2) : m.group(3);
                b.keep(rule.substring(0, eq).trim(), count, ageText == null ? null : age(ageText));
            } catch (IllegalArgumentException e) {
                throw new BadFlag("--retention '" + rule.trim() + "': " + e.getMessage());
            }
        }
        return b.build();
    }

    private static Duration age(String text) {
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
