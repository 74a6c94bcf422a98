package io.geows.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Regenerates the combined results from the newest run of each kind in a results directory (files
 * named {@code <name>-<UTC stamp>.json}): {@code load-<broker>} ({@link LoadTool}), {@code capacity}
 * ({@link ConnectionCapacity}) and {@code jmh} (JMH {@code -rf json}; the newest result of each
 * benchmark over all JMH files, so a run of one suite does not hide the others). Writes {@code latest.json}
 * (all of them in one object; JMH as a summary without the raw samples), {@code latest.md} (tables and
 * where each target stands) and {@code sweep.svg} (p99 latency against delivered rate, per broker,
 * with the limit).
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.geows.benchmarks.Report benchmarks/results</pre>
 */
public final class Report {
    /** Delivered messages per second the default workload should sustain. */
    static final double TARGET_DELIVERED = 100_000;
    /** Server CPU per delivered message, µs. */
    static final double TARGET_CPU_MICROS = 10;
    /** Idle connection memory, bytes of RSS growth per connection. */
    static final double TARGET_BYTES_PER_CONNECTION = 8 * 1024;
    /** Adapter throughput over raw client throughput. */
    static final double TARGET_ADAPTER_RATIO = 0.8;

    private static final Pattern RUN_FILE = Pattern.compile("(.+)-(\\d{8}T\\d{6}Z)\\.json");

    private Report() {
    }

    /** Command line: {@code Report [results directory]}. */
    public static void main(String[] args) throws IOException {
        Path dir = Results.directory(args.length > 0 ? args[0] : "");
        write(dir);
        System.out.println("wrote " + dir.resolve("latest.md") + ", latest.json, sweep.svg");
    }

    /** Reads the latest files in {@code dir} and writes the combined JSON, Markdown and chart. */
    static void write(Path dir) throws IOException {
        Map<String, Path> newest = new TreeMap<>();
        // JMH: the newest result of every benchmark (a run of one suite does not hide the others)
        Map<String, JsonNode> benchmarks = new LinkedHashMap<>();
        List<String> jmhFiles = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            // stamps sort as text, so the last file of each name in sorted order is its newest run
            for (Path p : files.sorted().toList()) {
                Matcher m = RUN_FILE.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                newest.put(m.group(1), p);
                if (m.group(1).equals("jmh")) {
                    jmhFiles.add(p.getFileName().toString());
                    for (JsonNode b : read(p)) {
                        String key = b.path("benchmark").asText() + " " + b.path("mode").asText() + " " + b.path("params");
                        benchmarks.remove(key);
                        benchmarks.put(key, b);
                    }
                }
            }
        }
        // Redis first (the reference workload), then the others by name
        Map<String, JsonNode> loads = new TreeMap<>((x, y) -> x.equals(y) ? 0 : x.equals("redis") ? -1
                : y.equals("redis") ? 1 : x.compareTo(y));
        JsonNode capacity = null;
        JsonNode jmh = null;
        for (var e : newest.entrySet()) {
            if (e.getKey().startsWith("load-")) {
                loads.put(e.getKey().substring("load-".length()), read(e.getValue()));
            } else if (e.getKey().equals("capacity")) {
                capacity = read(e.getValue());
            }
        }
        if (!benchmarks.isEmpty()) {
            var array = Results.JSON.createArrayNode();
            benchmarks.values().stream()
                    .sorted((x, y) -> (x.path("benchmark").asText() + " " + x.path("mode").asText())
                            .compareTo(y.path("benchmark").asText() + " " + y.path("mode").asText()))
                    .forEach(array::add);
            jmh = array;
        }
        ObjectNode all = Results.JSON.createObjectNode();
        all.put("generated", Instant.now().toString());
        ObjectNode l = all.putObject("load");
        loads.forEach(l::set);
        all.set("capacity", capacity);
        all.set("jmh", jmh == null ? null : jmhSummary(jmh));
        ObjectNode sources = all.putObject("files");
        newest.forEach((name, p) -> sources.put(name, p.getFileName().toString()));
        if (!jmhFiles.isEmpty()) {
            jmhFiles.forEach(sources.putArray("jmh")::add);
        }
        Results.JSON.writeValue(dir.resolve("latest.json").toFile(), all);
        Files.writeString(dir.resolve("latest.md"), markdown(loads, capacity, jmh), StandardCharsets.UTF_8);
        if (!loads.isEmpty()) {
            Files.writeString(dir.resolve("sweep.svg"), chart(loads), StandardCharsets.UTF_8);
        }
    }

    /** JMH results without the raw samples: benchmark, mode, params, score, error, unit, percentiles. */
    static JsonNode jmhSummary(JsonNode jmh) {
        com.fasterxml.jackson.databind.node.ArrayNode out = Results.JSON.createArrayNode();
        for (JsonNode b : jmh) {
            ObjectNode o = out.addObject();
            o.put("benchmark", b.path("benchmark").asText());
            o.put("mode", b.path("mode").asText());
            o.set("params", b.path("params").isMissingNode() ? null : b.get("params"));
            o.put("forks", b.path("forks").asInt());
            o.put("warmupIterations", b.path("warmupIterations").asInt());
            o.put("warmupTime", b.path("warmupTime").asText());
            o.put("measurementIterations", b.path("measurementIterations").asInt());
            o.put("measurementTime", b.path("measurementTime").asText());
            JsonNode m = b.path("primaryMetric");
            o.put("score", m.path("score").asDouble());
            o.put("scoreError", m.path("scoreError").asDouble());
            o.put("scoreUnit", m.path("scoreUnit").asText());
            o.set("scorePercentiles", m.get("scorePercentiles"));
        }
        return out;
    }

    private static JsonNode read(Path p) throws IOException {
        return Results.JSON.readTree(p.toFile());
    }

    static String chart(Map<String, JsonNode> loads) {
        SvgChart c = new SvgChart("p99 latency against delivered rate (" + first(loads).path("clients").asInt() + " clients, "
                + first(loads).path("rooms").asInt() + " rooms, 2 regions)", "delivered messages per second",
                "p99 publish-to-receive latency, ms (log)", true);
        for (var e : loads.entrySet()) {
            List<SvgChart.Point> pts = new ArrayList<>();
            for (JsonNode s : e.getValue().path("steps")) {
                pts.add(new SvgChart.Point(s.path("deliveredRate").asDouble(), s.path("all").path("p99").asDouble(),
                        s.path("passed").asBoolean()));
            }
            c.series(e.getKey(), pts);
        }
        double limit = first(loads).path("p99LimitMs").asDouble(50);
        c.hLine(limit, "p99 limit " + fmt(limit) + " ms");
        c.vLine(TARGET_DELIVERED, "target " + fmt(TARGET_DELIVERED) + "/s");
        return c.render();
    }

    private static JsonNode first(Map<String, JsonNode> m) {
        return m.values().iterator().next();
    }

    static String markdown(Map<String, JsonNode> loads, JsonNode capacity, JsonNode jmh) {
        StringBuilder md = new StringBuilder("# geows benchmark results\n\n");
        md.append("Generated ").append(Instant.now()).append(" from the newest run of each kind in this directory")
                .append(" (`<name>-<UTC stamp>.json`, one file per run; `latest.json` names them).\n\n");
        targets(md, loads, capacity, jmh);
        for (var e : loads.entrySet()) {
            load(md, e.getKey(), e.getValue());
        }
        if (!loads.isEmpty()) {
            md.append("![p99 against delivered rate](sweep.svg)\n\n");
        }
        if (capacity != null) {
            capacity(md, capacity);
        }
        if (jmh != null) {
            jmh(md, jmh);
        }
        return md.toString();
    }

    private static void targets(StringBuilder md, Map<String, JsonNode> loads, JsonNode capacity, JsonNode jmh) {
        md.append("## Where the targets stand\n\n| target | goal | latest | status |\n|---|---|---|---|\n");
        Map<String, Double> bestDelivered = new LinkedHashMap<>();
        for (var e : loads.entrySet()) {
            JsonNode best = e.getValue().path("best");
            String broker = e.getKey();
            if (best.isMissingNode() || best.isNull()) {
                md.append("| ").append(broker).append(": highest rate with p99 < 50 ms and zero loss | ≥ 100,000 delivered/s")
                        .append(" | no step passed | not met |\n");
                bestDelivered.put(broker, 0.0);
                continue;
            }
            double delivered = best.path("deliveredRate").asDouble();
            bestDelivered.put(broker, delivered);
            md.append("| ").append(broker).append(": highest rate with p99 < ")
                    .append(fmt(e.getValue().path("p99LimitMs").asDouble(50))).append(" ms and zero loss")
                    .append(e.getValue().path("mode").asText().equals("sweep") ? "" : " (single rate, not a sweep)")
                    .append(" | ≥ 100,000 delivered/s | ").append(fmt(delivered)).append(" delivered/s (")
                    .append(fmt(best.path("offeredRate").asDouble())).append(" publishes/s, p99 ")
                    .append(String.format(Locale.ROOT, "%.1f", best.path("all").path("p99").asDouble())).append(" ms) | ")
                    .append(status(delivered >= TARGET_DELIVERED)).append(" |\n");
            double cpu = best.path("serverCpuMicrosPerDelivery").asDouble(-1);
            md.append("| ").append(broker).append(": server CPU per delivered message (at that rate) | ≤ 10 µs | ")
                    .append(cpu < 0 ? "not measured" : String.format(Locale.ROOT, "%.2f µs", cpu)).append(" | ")
                    .append(cpu < 0 ? "?" : status(cpu <= TARGET_CPU_MICROS)).append(" |\n");
        }
        if (bestDelivered.containsKey("nats") && bestDelivered.containsKey("redis")) {
            md.append("| NATS at least as good as Redis | NATS ≥ Redis | ").append(fmt(bestDelivered.get("nats")))
                    .append(" vs ").append(fmt(bestDelivered.get("redis"))).append(" delivered/s | ")
                    .append(status(bestDelivered.get("nats") >= bestDelivered.get("redis"))).append(" |\n");
        }
        if (capacity != null) {
            double per = capacity.path("memoryPerConnectionBytes").asDouble();
            md.append("| idle connection memory per connection (RSS growth with the heap pre-touched + live heap growth, ")
                    .append(fmt(capacity.path("welcomed").asDouble())).append(" connections on one node) | ≤ 8 KB | ")
                    .append(String.format(Locale.ROOT, "%.1f KB (%.1f KB off-heap RSS + %.1f KB heap)", per / 1024,
                            capacity.path("rssPerConnectionBytes").asDouble() / 1024,
                            capacity.path("heapPerConnectionBytes").asDouble() / 1024))
                    .append(" | ").append(status(per <= TARGET_BYTES_PER_CONNECTION
                            && capacity.path("welcomed").asInt() >= 15000)).append(" |\n");
            md.append("| connection storm on one node | (reported) | ").append(fmt(capacity.path("acceptRate").asDouble()))
                    .append(" connections/s | |\n");
        }
        if (jmh != null) {
            for (var r : adapterRatios(jmh).entrySet()) {
                md.append("| ").append(r.getKey()).append(" adapter / raw client throughput (JMH) | ≥ 0.80 | ")
                        .append(String.format(Locale.ROOT, "%.2f", r.getValue())).append(" | ")
                        .append(status(r.getValue() >= TARGET_ADAPTER_RATIO)).append(" |\n");
            }
        }
        // Peers are measured in the same run (benchmarks/everyday.sh), never quoted here.
        md.append('\n');
    }

    private static String status(boolean met) {
        return met ? "met" : "**not met**";
    }

    private static void load(StringBuilder md, String name, JsonNode run) {
        md.append("## Load: ").append(name).append(" (").append(run.path("mode").asText()).append(")\n\n");
        md.append("Started ").append(run.path("startedAt").asText()).append(" on ").append(run.path("machine").asText())
                .append("; load average ").append(run.path("loadAverageBefore").asText()).append(" before, ")
                .append(run.path("loadAverageAfter").asText()).append(" after. Broker ").append(run.path("broker").asText())
                .append(", ").append(run.path("clients").asInt()).append(" clients ").append(run.path("clientsPerRegion"))
                .append(", ").append(run.path("rooms").asInt()).append(" rooms, ").append(run.path("payloadBytes").asInt())
                .append("-byte payloads, ").append(fmt(run.path("secondsPerStep").asDouble())).append(" s per step after ")
                .append(fmt(run.path("warmupSeconds").asDouble())).append(" s of warm-up. Server JVM: `")
                .append(String.join(" ", strings(run.path("serverJvmOptions")))).append("`.\n\n");
        md.append("| step | publishes/s asked | sent | delivered/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms ")
                .append("| same-region p99 | cross-region p99 | expected | lost | dup | server CPU s (system) | server µs/delivery ")
                .append("| server RSS MB | broker CPU s | tool CPU s | verdict |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<JsonNode> steps = new ArrayList<>();
        if (run.hasNonNull("warmup")) {
            steps.add(run.get("warmup"));
        }
        run.path("steps").forEach(steps::add);
        for (JsonNode s : steps) {
            double cpu = 0;
            double sys = 0;
            long rss = 0;
            for (JsonNode p : s.path("servers")) {
                cpu += p.path("cpuSeconds").asDouble();
                sys += p.path("systemCpuSeconds").asDouble();
                rss = Math.max(rss, p.path("rssBytes").asLong());
            }
            JsonNode a = s.path("all");
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %d | %d "
                            + "| %.2f (%.2f) | %s | %d | %s | %s | %s |%n",
                    s.path("label").asText(), fmt(s.path("targetRate").asDouble()), fmt(s.path("offeredRate").asDouble()),
                    fmt(s.path("deliveredRate").asDouble()), a.path("p50").asDouble(), a.path("p90").asDouble(),
                    a.path("p99").asDouble(), a.path("p999").asDouble(), a.path("max").asDouble(),
                    s.path("sameRegion").path("p99").asDouble(), s.path("crossRegion").path("p99").asDouble(),
                    fmt(s.path("expected").asDouble()), s.path("lost").asLong(), s.path("duplicates").asLong(), cpu, sys,
                    s.path("serverCpuMicrosPerDelivery").asDouble() < 0 ? "?"
                            : String.format(Locale.ROOT, "%.2f", s.path("serverCpuMicrosPerDelivery").asDouble()),
                    rss / (1024 * 1024), s.path("broker").isNull() ? "" : s.path("broker").path("cpuSeconds").asText(),
                    s.path("loadTool").path("cpuSeconds").asText(), s.path("verdict").asText().replace("|", "/")));
        }
        md.append("\nThe warm-up row is not measured against the limit. Max RSS is the larger of the two servers'.\n\n");
    }

    private static void capacity(StringBuilder md, JsonNode c) {
        md.append("## Connection capacity\n\n");
        md.append("Started ").append(c.path("startedAt").asText()).append(" on ").append(c.path("machine").asText())
                .append("; load average ").append(c.path("loadAverageBefore").asText()).append(". One node (")
                .append(c.path("broker").asText()).append(" broker), server JVM `")
                .append(String.join(" ", strings(c.path("serverJvmOptions")))).append("`.\n\n");
        md.append("| measure | value |\n|---|---|\n");
        row(md, "idle connections asked / welcomed", fmt(c.path("connections").asDouble()) + " / "
                + fmt(c.path("welcomed").asDouble()));
        row(md, "connection storm: connections per second (hello answered)", fmt(c.path("acceptRate").asDouble())
                + " (" + c.path("stormSeconds").asText() + " s, " + c.path("stormConcurrency").asInt()
                + " connecting at once)");
        row(md, "memory per connection (RSS growth + heap growth)", String.format(Locale.ROOT, "%.1f KB",
                c.path("memoryPerConnectionBytes").asDouble() / 1024));
        row(md, "RSS growth per connection (heap pre-touched: the off-heap part)", String.format(Locale.ROOT, "%.1f KB (%s MB → %s MB)",
                c.path("rssPerConnectionBytes").asDouble() / 1024, mb(c.path("baselineRssBytes")), mb(c.path("rssBytes"))));
        row(md, "heap growth per connection (after a full GC)", String.format(Locale.ROOT, "%.1f KB (%s MB → %s MB)",
                c.path("heapPerConnectionBytes").asDouble() / 1024, mb(c.path("baselineHeapBytes")), mb(c.path("heapBytes"))));
        row(md, "held idle for", c.path("holdSeconds").asText() + " s: " + fmt(c.path("openAtEnd").asDouble())
                + " still open, " + fmt(c.path("pingsAnswered").asDouble()) + " server pings answered");
        row(md, "RSS per connection at the end of the hold", String.format(Locale.ROOT, "%.1f KB",
                c.path("rssPerConnectionAtEndBytes").asDouble() / 1024));
        row(md, "server CPU: storm / idle hold", c.path("serverCpuSecondsStorm").asText() + " s / "
                + c.path("serverCpuSecondsHold").asText() + " s");
        row(md, "server threads, open files", c.path("serverThreads").asText() + ", " + c.path("serverOpenFiles").asText());
        row(md, "open files of the client process (limit)", c.path("clientOpenFiles").asText() + " ("
                + c.path("clientOpenFilesLimit").asText() + ")");
        for (JsonNode n : c.path("notes")) {
            row(md, "note", n.asText().replace("|", "/"));
        }
        md.append('\n');
    }

    private static String mb(JsonNode bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes.asDouble() / (1024 * 1024));
    }

    private static void row(StringBuilder md, String k, String v) {
        md.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }

    private static void jmh(StringBuilder md, JsonNode jmh) {
        md.append("## JMH\n\n");
        JsonNode first = jmh.path(0);
        md.append("JMH ").append(first.path("jmhVersion").asText()).append(", ").append(first.path("vmName").asText())
                .append(' ').append(first.path("vmVersion").asText()).append("; the newest result of each benchmark. ")
                .append("Error is the 99.9 % confidence interval; runs are forks × (warm-up / measurement) iterations.\n\n");
        md.append("| benchmark | params | mode | score | ± error | unit | p50 | p99 | run |\n|---|---|---|---|---|---|---|---|---|\n");
        for (JsonNode b : jmh) {
            JsonNode m = b.path("primaryMetric");
            StringBuilder params = new StringBuilder();
            for (Iterator<Map.Entry<String, JsonNode>> it = b.path("params").fields(); it.hasNext(); ) {
                var p = it.next();
                params.append(params.length() == 0 ? "" : ", ").append(p.getKey()).append('=').append(p.getValue().asText());
            }
            String name = b.path("benchmark").asText().replace("io.geows.benchmarks.", "");
            JsonNode pct = m.path("scorePercentiles");
            boolean sample = b.path("mode").asText().equals("sample");
            String run = b.path("forks").asInt() + " × (" + b.path("warmupIterations").asInt() + " × "
                    + b.path("warmupTime").asText() + " / " + b.path("measurementIterations").asInt() + " × "
                    + b.path("measurementTime").asText() + ")";
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", name, params,
                    b.path("mode").asText(), num(m.path("score").asDouble()), num(m.path("scoreError").asDouble()),
                    m.path("scoreUnit").asText(), sample ? num(pct.path("50.0").asDouble()) : "",
                    sample ? num(pct.path("99.0").asDouble()) : "", run));
        }
        Map<String, Double> ratios = adapterRatios(jmh);
        if (!ratios.isEmpty()) {
            md.append("\nAdapter / raw client throughput: ");
            List<String> parts = new ArrayList<>();
            ratios.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %.2f", k, v)));
            md.append(String.join(", ", parts)).append(" (target ≥ 0.80).\n");
        }
    }

    /** Broker name → adapterThroughput / rawThroughput from the JMH results. */
    static Map<String, Double> adapterRatios(JsonNode jmh) {
        Map<String, Double> adapter = new LinkedHashMap<>();
        Map<String, Double> raw = new LinkedHashMap<>();
        for (JsonNode b : jmh) {
            String name = b.path("benchmark").asText();
            String broker = name.contains("RedisBroker") ? "Redis" : name.contains("NatsBroker") ? "NATS"
                    : name.contains("KafkaBroker") ? "Kafka" : null;
            if (broker == null) {
                continue;
            }
            if (name.endsWith(".adapterThroughput")) {
                adapter.put(broker, b.path("primaryMetric").path("score").asDouble());
            } else if (name.endsWith(".rawThroughput")) {
                raw.put(broker, b.path("primaryMetric").path("score").asDouble());
            }
        }
        Map<String, Double> ratios = new LinkedHashMap<>();
        adapter.forEach((k, v) -> {
            if (raw.containsKey(k) && raw.get(k) > 0) {
                ratios.put(k, v / raw.get(k));
            }
        });
        return ratios;
    }

    private static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
    }

    private static String num(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}
