package io.geows.benchmarks;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * The end-to-end load tool, also meant for sizing a deployment. It starts two regions as separate
 * example server processes on one broker ({@code --broker redis|nats|kafka}, started here on a free loopback
 * port) or targets regions that already run ({@code --targets}); connects C WebSocket clients spread
 * evenly over both, in R rooms that each have members in both regions; and publishes at a fixed
 * open-loop rate for S seconds (see {@link LoadClients}). It reports the offered and delivered rates,
 * expected and received deliveries (lost and duplicate: both must be 0), latency percentiles (all,
 * same-region, cross-region), and each server's CPU seconds, CPU per delivered message and RSS.
 *
 * <p>{@code --sweep} raises the rate step by step until p99 passes the limit (50 ms) or a delivery is
 * lost, bisects between the last passing and the first failing rate, and reports the highest rate that
 * held (when the first rate already fails it steps down instead). Results go to
 * {@code <results>/<name>-<stamp>.json}, and the combined {@code latest.md}, {@code latest.json} and
 * chart are regenerated ({@link Report}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.geows.benchmarks.LoadTool --broker redis --sweep
 * java -cp benchmarks/target/benchmarks.jar io.geows.benchmarks.LoadTool \
 *     --targets us-east=ws://10.0.0.1:8081/,eu-west=ws://10.0.0.2:8081/ --rate 2000 --seconds 30
 * </pre>
 */
public final class LoadTool {
    /** Server JVM flags unless {@code --server-jvm} says otherwise: fixed heap, G1 (jcmd heap readings parse G1). */
    static final String DEFAULT_SERVER_JVM = "-Xms512m -Xmx512m -XX:+UseG1GC";

    private LoadTool() {
    }

    /** What to run: the flags of the command line (see {@code --help}), or set directly. */
    @Command(name = "LoadTool", header = "geows load tool%n", abbreviateSynopsis = true, sortOptions = false,
            showDefaultValues = true, usageHelpWidth = 100, description = {
                "Starts two regions (example server processes on one broker) or targets running ones, connects C",
                "clients over both, R rooms with members in both, publishes at a fixed open-loop rate and",
                "reports rates, loss, duplicates, latency and server CPU/RSS. --sweep finds the highest rate",
                "with p99 under the limit and nothing lost. Rates are publishes per second; each is delivered",
                "to every member of its room (C/R on average).%n"})
    static final class Options implements Cli.Checked {
        List<LoadClients.Region> targets = List.of();
        List<Long> targetPids = List.of();
        @Option(names = "--broker", description = "broker to start: redis, nats or kafka (ignored with --targets)")
        String broker = "redis";
        @Option(names = "--clients", description = "WebSocket clients, spread evenly over the regions")
        int clients = 200;
        @Option(names = "--rooms", description = "rooms; each has members in every region")
        int rooms = 20;
        @Option(names = "--payload", description = "bytes of each message's data")
        int payloadBytes = 100;
        @Option(names = "--rate", description = "publishes per second (with --sweep: of the first step)")
        double rate = 1000;
        @Option(names = "--seconds", description = "seconds per step")
        double seconds = 10;
        @Option(names = "--warmup", description = "seconds of warm-up at the first rate, not measured (lets the JIT settle)")
        double warmupSeconds = 10;
        @Option(names = "--sweep", arity = "0..1", description = "raise the rate until p99 passes --p99-limit or a delivery is lost")
        boolean sweep;
        @Option(names = "--factor", description = "sweep: rate factor between steps")
        double sweepFactor = 1.5;
        @Option(names = "--max-steps", description = "sweep: most rising steps")
        int maxSteps = 12;
        @Option(names = "--nats-storage", description = "NATS history and presence: file, or memory (slower on nats-server "
                + "2.9: see benchmarks/README.md)")
        String natsStorage = "file";
        @Option(names = "--refine", description = "sweep: bisection steps between the last pass and the first failure")
        int refineSteps = 1;
        @Option(names = "--down-steps", description = "sweep: when the first rate fails, steps down (by factor squared) to find "
                + "one that holds")
        int downSteps = 2;
        @Option(names = "--max-rate", description = "sweep: highest rate to try")
        double maxRate = 1_000_000;
        @Option(names = "--p99-limit", description = "sweep: highest passing p99, ms")
        double p99LimitMs = 50;
        @Option(names = "--drain", description = "seconds to wait for missing deliveries after a step, without progress")
        double drainSeconds = 10;
        @Option(names = "--io-threads", description = "selector threads of the load tool's clients")
        int ioThreads = 1;
        String serverClasspath = System.getProperty("java.class.path");
        List<String> serverJvm = List.of(DEFAULT_SERVER_JVM.split(" "));
        Path logDir = Path.of(System.getProperty("java.io.tmpdir"), "geows-bench-logs");
        Path jfrDir;

        @Option(names = "--jfr", paramLabel = "DIR",
                description = "record each started server with Java Flight Recorder into this directory (empty: off)")
        void jfr(String dir) {
            jfrDir = dir.isBlank() ? null : Path.of(dir);
        }

        @Option(names = "--jfr-settings", description = "JFR settings: profile, default or a .jfc file (e.g. with a 1 ms "
                + "sampling period)")
        String jfrSettings = "profile";
        @Option(names = "--results", paramLabel = "DIR", showDefaultValue = Visibility.NEVER,
                description = "directory for the JSON, Markdown and chart (default: benchmarks/results)")
        String results = "";
        @Option(names = "--name", showDefaultValue = Visibility.NEVER, description = "result file name (default: load-<broker>)")
        String name = "";
        /** Prints a line per step as it runs. */
        boolean verbose = true;

        @Option(names = "--targets", paramLabel = "REGION=URL,...",
                description = "run against running regions instead: us-east=ws://host:port/,eu-west=ws://...")
        void targets(String spec) {
            List<LoadClients.Region> regions = new ArrayList<>();
            for (String t : Cli.list(spec)) {
                String[] kv = t.split("=", 2);
                if (kv.length != 2 || !kv[1].startsWith("ws")) {
                    throw new Cli.BadArgs("--targets entries must be region=ws://host:port/, was '" + t + "'");
                }
                regions.add(new LoadClients.Region(kv[0], URI.create(kv[1])));
            }
            targets = regions;
        }

        @Option(names = "--target-pids", paramLabel = "PID,...",
                description = "with --targets: server process ids (same order) to measure CPU and RSS of")
        void targetPids(String spec) {
            try {
                targetPids = Cli.list(spec).stream().map(Long::parseLong).toList();
            } catch (NumberFormatException e) {
                throw new Cli.BadArgs("--target-pids must be process ids separated by commas, was '" + spec + "'");
            }
        }

        @Option(names = "--server-jvm", paramLabel = "OPTIONS",
                description = "JVM options of the started servers (default: " + DEFAULT_SERVER_JVM + ")")
        void serverJvm(String options) {
            serverJvm = Cli.words(options);
        }

        @Option(names = "--server-jar", paramLabel = "PATH",
                description = "run the servers from this jar/classpath (default: the tool's own classpath)")
        void serverJar(String path) {
            if (!path.isEmpty()) {
                serverClasspath = path;
            }
        }

        @Option(names = "--logs", paramLabel = "DIR",
                description = "directory for the servers' output (default: <tmp>/geows-bench-logs)")
        void logs(String dir) {
            if (!dir.isEmpty()) {
                logDir = Path.of(dir);
            }
        }

        @Override
        public void check() {
            if (rate <= 0 || seconds <= 0 || sweepFactor <= 1) {
                throw new Cli.BadArgs("--rate and --seconds must be positive and --factor above 1");
            }
        }
    }

    /** Latency percentiles of one kind of delivery, in milliseconds. */
    public record Latency(long count, double p50, double p90, double p99, double p999, double max) {
        static Latency of(Histogram h) {
            return new Latency(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                    ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
        }

        private static double ms(long nanos) {
            return Math.round(nanos / 1e3) / 1e3;
        }
    }

    /**
     * One process over a measured window: CPU seconds used in it (user + system, and the system part:
     * syscalls, wakeups), memory at its end.
     */
    public record ProcessUse(String name, long pid, double cpuSeconds, double systemCpuSeconds,
                             double cpuMicrosPerDelivery, long rssBytes, long peakRssBytes, long threads) {
    }

    /**
     * One rate step (or the warm-up).
     *
     * @param startedAt       wall-clock time the step started sending (to line it up with logs and recordings)
     * @param targetRate      publishes per second asked for
     * @param offeredRate     publishes per second actually sent (published / send time)
     * @param deliveredRate   deliveries per second (received / time from the first send to the last delivery)
     * @param maxSendLagMs    how far the sender fell behind its schedule at worst (the latency includes it)
     * @param serverCpuMicrosPerDelivery both servers' CPU time in the window over the deliveries
     */
    public record Step(String label, String startedAt, double targetRate, double offeredRate, double deliveredRate, long published,
                       long expected, long received, long lost, long duplicates, long acked, long errors,
                       long disconnects, double sendSeconds, double windowSeconds, double maxSendLagMs,
                       Latency all, Latency sameRegion, Latency crossRegion, List<ProcessUse> servers,
                       ProcessUse broker, ProcessUse loadTool, double serverCpuMicrosPerDelivery, boolean passed,
                       String verdict) {
        /** One line per step, for the console. */
        String line() {
            return String.format(Locale.ROOT, "%-8s rate %8.0f/s offered %8.0f/s delivered %9.0f/s  p50 %7.2f  p99 %7.2f"
                            + "  p99.9 %7.2f  max %7.2f ms  same p99 %6.2f  cross p99 %6.2f  lost %d dup %d err %d  "
                            + "server CPU %s µs/delivery  %s",
                    label, targetRate, offeredRate, deliveredRate, all.p50(), all.p99(), all.p999(), all.max(),
                    sameRegion.p99(), crossRegion.p99(), lost, duplicates, errors,
                    serverCpuMicrosPerDelivery < 0 ? "?" : String.format(Locale.ROOT, "%.2f", serverCpuMicrosPerDelivery),
                    verdict);
        }
    }

    /** A whole run: settings, machine, the steps, and the highest passing step. */
    public record Run(String kind, String name, String startedAt, String machine, double loadAverageBefore,
                      double loadAverageAfter, String broker, String mode, int clients, int rooms, int payloadBytes,
                      double secondsPerStep, double warmupSeconds, double p99LimitMs, List<String> serverJvmOptions,
                      Map<String, String> serverEnvironment, Map<String, Integer> clientsPerRegion,
                      List<Integer> roomSizes, Step warmup, List<Step> steps, Step best) {
    }

    /** Command line: see {@code --help} ({@link Options}). */
    public static void main(String[] argv) throws Exception {
        Options o = new Options();
        if (!Cli.parseOrExit("load tool", o, argv)) {
            return;
        }
        Run run = run(o);
        String name = o.name.isEmpty() ? "load-" + run.broker() : o.name;
        Path dir = Results.directory(o.results);
        Path file = Results.write(dir, name, run);
        System.out.println();
        System.out.println(run.best() == null ? "no step passed"
                : String.format(Locale.ROOT, "highest passing rate: %.0f publishes/s = %.0f deliveries/s, p99 %.2f ms, "
                        + "server CPU %.2f µs/delivery", run.best().offeredRate(), run.best().deliveredRate(),
                        run.best().all().p99(), run.best().serverCpuMicrosPerDelivery()));
        System.out.println("results: " + file + " (and " + dir.resolve("latest.md") + ")");
    }

    /** Runs the load (starting the regions unless targets are given) and returns what happened. */
    static Run run(Options o) throws Exception {
        String started = Instant.now().toString();
        double loadBefore = ProcStats.loadAverage();
        ServerNode.Launcher launcher = ServerNode.Launcher.of(o.serverClasspath, o.serverJvm, Map.of(), o.logDir, o.jfrDir)
                .withJfrSettings(o.jfrSettings);
        try (LoadCluster cluster = o.targets.isEmpty() ? LoadCluster.start(o.broker, o.natsStorage, launcher)
                : LoadCluster.targets(o.targets, o.targetPids)) {
            say(o, "regions: " + cluster.regions() + (cluster.logs().isEmpty() ? "" : ", logs " + cluster.logs()));
            Runner r = new Runner(o, cluster);
            try {
                Step warmup = o.warmupSeconds > 0 ? r.step("warm-up", o.rate, o.warmupSeconds) : null;
                List<Step> steps = new ArrayList<>();
                Step best = null;
                if (!o.sweep) {
                    Step s = r.step("run", o.rate, o.seconds);
                    steps.add(s);
                    best = s.passed() ? s : null;
                } else {
                    double rate = o.rate;
                    double failed = -1;
                    for (int i = 1; i <= o.maxSteps && rate <= o.maxRate; i++) {
                        Step s = r.step("step " + i, rate, o.seconds);
                        steps.add(s);
                        if (!s.passed()) {
                            failed = rate;
                            break;
                        }
                        best = s;
                        rate *= o.sweepFactor;
                    }
                    // The first rate already failed: come down until one holds, so the run still says something.
                    for (int i = 1; i <= o.downSteps && best == null && failed > 0; i++) {
                        double lower = failed / o.sweepFactor / o.sweepFactor;
                        Step s = r.step("down " + i, lower, o.seconds);
                        steps.add(s);
                        if (s.passed()) {
                            best = s;
                        } else {
                            failed = lower;
                        }
                    }
                    for (int i = 1; i <= o.refineSteps && best != null && failed > 0; i++) {
                        double mid = (best.targetRate() + failed) / 2;
                        Step s = r.step("refine " + i, mid, o.seconds);
                        steps.add(s);
                        if (s.passed()) {
                            best = s;
                        } else {
                            failed = mid;
                        }
                    }
                }
                return new Run("load", "load-" + cluster.broker(), started, ProcStats.machine(), loadBefore,
                        ProcStats.loadAverage(), cluster.broker(), o.sweep ? "sweep" : "single", o.clients, o.rooms,
                        o.payloadBytes, o.seconds, o.warmupSeconds, o.p99LimitMs,
                        o.targets.isEmpty() ? o.serverJvm : List.of(), cluster.environment(),
                        r.clients.clientsPerRegion(), r.clients.roomSizes(), warmup, steps, best);
            } finally {
                r.close();
            }
        }
    }

    private static void say(Options o, String line) {
        if (o.verbose) {
            System.out.println(line);
            System.out.flush();
        }
    }

    /** Runs steps on one cluster: the clients, the phase counter, the measurements. */
    private static final class Runner implements AutoCloseable {
        private final Options o;
        private final LoadCluster cluster;
        private final long self = ProcessHandle.current().pid();
        private LoadClients clients;
        private int phase;

        Runner(Options o, LoadCluster cluster) throws Exception {
            this.o = o;
            this.cluster = cluster;
            connect();
        }

        private void connect() throws Exception {
            clients = new LoadClients(cluster.regions(), o.clients, o.rooms, o.ioThreads);
            phase = 0;
            // the join presence events settle before anything is measured
            TimeUnit.MILLISECONDS.sleep(500);
        }

        Step step(String label, double rate, double seconds) throws Exception {
            if (clients.disconnects() > 0) {
                // a failed step can cut slow consumers off: measure the next one with a full set of members
                clients.close();
                connect();
            }
            long errorsBefore = clients.errors.get();
            long disconnectsBefore = clients.disconnects();
            String at = Instant.now().toString();
            List<double[]> before = sample();
            LoadClients.Phase ph = clients.run(++phase, rate, seconds, o.payloadBytes,
                    (long) (o.drainSeconds * 1e9));
            List<double[]> after = sample();
            long lost = ph.lost();
            long dup = ph.duplicates();
            long received = ph.received.get();
            long errors = clients.errors.get() - errorsBefore;
            long disconnects = clients.disconnects() - disconnectsBefore;
            double sendSeconds = (ph.sendEnd - ph.start) / 1e9;
            long last = ph.lastDelivery == 0 ? ph.end : ph.lastDelivery;
            double window = (ph.end - ph.start) / 1e9;
            List<ProcessUse> servers = new ArrayList<>();
            double serverCpu = 0;
            boolean measured = !cluster.servers().isEmpty();
            for (int i = 0; i < cluster.servers().size(); i++) {
                LoadCluster.Measured m = cluster.servers().get(i);
                ProcessUse u = use(m.name(), m.pid(), before.get(i), after.get(i), received);
                servers.add(u);
                serverCpu += u.cpuSeconds();
                measured &= u.cpuSeconds() >= 0;
            }
            int n = cluster.servers().size();
            ProcessUse broker = cluster.brokerProcess() == null ? null
                    : use(cluster.brokerProcess().name(), cluster.brokerProcess().pid(), before.get(n), after.get(n), received);
            ProcessUse tool = use("load-tool", self, before.get(before.size() - 1), after.get(after.size() - 1), received);
            Latency all = Latency.of(ph.all);
            List<String> why = new ArrayList<>();
            if (lost > 0) {
                why.add(lost + " lost");
            }
            if (dup > 0) {
                why.add(dup + " duplicates");
            }
            if (errors > 0) {
                why.add(errors + " error frames " + clients.firstErrors);
            }
            if (disconnects > 0) {
                why.add(disconnects + " disconnects " + clients.firstErrors);
            }
            if (all.p99() > o.p99LimitMs) {
                why.add("p99 " + all.p99() + " ms > " + o.p99LimitMs + " ms");
            }
            if (!cluster.serversAlive()) {
                why.add("a server process exited, see " + cluster.logs());
            }
            Step s = new Step(label, at, rate, ph.published / sendSeconds, received / Math.max(1e-9, (last - ph.start) / 1e9),
                    ph.published, ph.expected, received, lost, dup, ph.acked.get(), errors, disconnects, sendSeconds,
                    window, ph.maxSendLagNanos / 1e6, all, Latency.of(ph.same), Latency.of(ph.cross), servers, broker, tool,
                    measured && received > 0 ? serverCpu * 1e6 / received : -1, why.isEmpty(),
                    why.isEmpty() ? "pass" : "FAIL: " + String.join(", ", why));
            say(o, s.line());
            return s;
        }

        /** CPU seconds, RSS, peak RSS, threads of each server, the broker, then this process. */
        private List<double[]> sample() {
            List<double[]> l = new ArrayList<>();
            for (LoadCluster.Measured m : cluster.servers()) {
                l.add(sample(m.pid()));
            }
            if (cluster.brokerProcess() != null) {
                l.add(sample(cluster.brokerProcess().pid()));
            }
            l.add(sample(self));
            return l;
        }

        /** User CPU, system CPU, RSS, peak RSS, threads. */
        private static double[] sample(long pid) {
            double[] cpu = ProcStats.cpuTimes(pid);
            return new double[] {cpu[0], cpu[1], ProcStats.rssBytes(pid), ProcStats.peakRssBytes(pid),
                ProcStats.threads(pid)};
        }

        private static ProcessUse use(String name, long pid, double[] before, double[] after, long deliveries) {
            boolean known = before[0] >= 0 && after[0] >= 0;
            double sys = known ? Math.round((after[1] - before[1]) * 1000) / 1000.0 : -1;
            double cpu = known ? Math.round((after[0] - before[0] + after[1] - before[1]) * 1000) / 1000.0 : -1;
            return new ProcessUse(name, pid, cpu, sys,
                    cpu < 0 || deliveries == 0 ? -1 : Math.round(cpu * 1e8 / deliveries) / 100.0,
                    (long) after[2], (long) after[3], (long) after[4]);
        }

        @Override
        public void close() {
            clients.close();
        }
    }
}
