package io.geows.benchmarks;

import io.geows.testkit.NatsServer;
import io.geows.testkit.RedisServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.AtomicHistogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * Connection capacity of one node: starts one example server process (in-memory broker, one-node
 * mode, unless {@code --broker redis|nats}), opens N connections as fast as the node takes them (a
 * storm, at most {@code --storm-concurrency} connecting at once) that each complete the geows
 * {@code hello}, and then keeps them idle, answering the node's WebSocket pings, for
 * {@code --hold} seconds (longer than the 30 s ping interval, so heartbeats are exercised).
 *
 * <p>It reports the storm's rate (connections per second from the first connect to the last
 * {@code welcome}) and the memory each idle connection costs: RSS growth / N and live heap growth
 * after a full GC ({@code jcmd GC.run}) / N, from a baseline taken after a warm-up. The server's heap
 * is pre-touched by default ({@code -XX:+AlwaysPreTouch}), so RSS growth is the off-heap part and the
 * pages the connections' objects live on are counted once, in the heap growth; their sum is the
 * memory per connection.
 *
 * <p>The clients run in this process on one selector thread ({@link NioWsClients}); each holds a
 * socket, so this process needs N open files plus a few dozen (the tool checks its limit first).
 */
public final class ConnectionCapacity {
    /** Server JVM flags unless {@code --server-jvm} says otherwise. */
    static final String DEFAULT_SERVER_JVM = "-Xms512m -Xmx512m -XX:+UseG1GC -XX:+AlwaysPreTouch";

    /** What the run measured. Bytes, seconds, connections per second. */
    public record Capacity(String kind, String name, String startedAt, String machine, double loadAverageBefore,
                           double loadAverageAfter, String broker, List<String> serverJvmOptions, int connections,
                           long welcomed, long failed, int stormConcurrency, double stormSeconds, double acceptRate,
                           double connectP50Ms, double connectP99Ms, double connectMaxMs, long baselineRssBytes,
                           long rssBytes, double rssPerConnectionBytes, long baselineHeapBytes, long heapBytes,
                           double heapPerConnectionBytes, double memoryPerConnectionBytes, double holdSeconds,
                           long pingsAnswered, long openAtEnd, long rssAtEndBytes, double rssPerConnectionAtEndBytes,
                           double serverCpuSecondsStorm, double serverCpuSecondsHold, long serverThreads,
                           long serverOpenFiles, long clientOpenFiles, long clientOpenFilesLimit, List<String> notes) {
    }

    private ConnectionCapacity() {
    }

    /** The command line's flags (see {@code --help}). */
    @Command(name = "ConnectionCapacity", header = "geows connection capacity%n", abbreviateSynopsis = true,
            sortOptions = false, showDefaultValues = true, usageHelpWidth = 100, description = {
                "One node, N idle connections (hello done, pings answered): memory per connection and the rate at",
                "which the node accepts a connection storm.%n"})
    static final class Flags {
        @Option(names = "--connections", description = "idle connections to open (this process needs as many open files)")
        int connections = 15_000;
        @Option(names = "--storm-concurrency", description = "connections being set up at once during the storm (the node's "
                + "listen backlog is 50: more makes the kernel drop SYNs, and the storm measures TCP retransmission timers)")
        int stormConcurrency = 40;
        @Option(names = "--warmup-connections", description = "connections opened and closed before the baseline")
        int warmupConnections = 1000;
        @Option(names = "--hold", description = "seconds to hold the connections idle (the node pings every 30 s)")
        double hold = 35;
        @Option(names = "--broker", description = "memory (one node on its in-memory broker), redis or nats")
        String broker = "memory";
        @Option(names = "--io-threads", description = "selector threads of the clients")
        int ioThreads = 1;
        @Option(names = "--server-jvm", paramLabel = "OPTIONS", description = "JVM options of the server")
        String serverJvm = DEFAULT_SERVER_JVM;
        @Option(names = "--server-jar", paramLabel = "PATH", showDefaultValue = Visibility.NEVER,
                description = "run the server from this jar/classpath (default: the tool's own classpath)")
        String serverJar = "";
        @Option(names = "--jfr", paramLabel = "DIR", showDefaultValue = Visibility.NEVER,
                description = "record the server with Java Flight Recorder into this directory")
        String jfr = "";
        @Option(names = "--logs", paramLabel = "DIR", showDefaultValue = Visibility.NEVER,
                description = "directory for the server's output (default: <tmp>/geows-bench-logs)")
        String logs = "";
        @Option(names = "--results", paramLabel = "DIR", showDefaultValue = Visibility.NEVER,
                description = "directory for the JSON, Markdown and chart (default: benchmarks/results)")
        String results = "";
        @Option(names = "--name", description = "result file name")
        String name = "capacity";
    }

    /** Command line: see {@code --help} ({@link Flags}). */
    public static void main(String[] argv) throws Exception {
        Flags f = new Flags();
        if (!Cli.parseOrExit("connection capacity", f, argv)) {
            return;
        }
        String cp = f.serverJar.isEmpty() ? System.getProperty("java.class.path") : f.serverJar;
        Path logs = f.logs.isEmpty() ? Path.of(System.getProperty("java.io.tmpdir"), "geows-bench-logs") : Path.of(f.logs);
        ServerNode.Launcher launcher = ServerNode.Launcher.of(cp, Cli.words(f.serverJvm), Map.of(), logs,
                f.jfr.isEmpty() ? null : Path.of(f.jfr));
        Capacity c = run(launcher, f.broker, f.connections, f.stormConcurrency, f.warmupConnections, f.hold, f.ioThreads, true);
        Path dir = Results.directory(f.results);
        Path file = Results.write(dir, f.name, c);
        System.out.println("results: " + file + " (and " + dir.resolve("latest.md") + ")");
    }

    /** Runs the whole measurement against a server it starts and stops. */
    static Capacity run(ServerNode.Launcher launcher, String broker, int n, int concurrency, int warmup, double holdSeconds,
                        int ioThreads, boolean verbose) throws Exception {
        long self = ProcessHandle.current().pid();
        long limit = ProcStats.openFilesLimit(self);
        long open = ProcStats.openFiles(self);
        if (limit > 0 && open >= 0 && n + open + 64 > limit) {
            throw new IllegalArgumentException("this process may open " + limit + " files and has " + open
                    + " open: " + n + " connections do not fit; lower --connections or raise the limit (ulimit -n)");
        }
        String started = Instant.now().toString();
        double loadBefore = ProcStats.loadAverage();
        List<String> notes = new ArrayList<>();
        AutoCloseable brokerProcess = null;
        String brokerUri = "memory";
        if (broker.equals("redis")) {
            RedisServer r = RedisServer.launch();
            brokerProcess = r;
            brokerUri = r.uri();
        } else if (broker.equals("nats")) {
            NatsServer s = NatsServer.builder().jetStream().start();
            brokerProcess = s;
            brokerUri = s.uri();
        } else if (!broker.equals("memory")) {
            throw new IllegalArgumentException("--broker must be memory, redis or nats, was '" + broker + "'");
        }
        try (ServerNode server = launcher.launch("local", "capacity-1", brokerUri);
             NioWsClients io = new NioWsClients(ioThreads, "geows-capacity-io")) {
            long pid = server.pid();
            say(verbose, "server pid " + pid + " on " + server.ws() + ", log " + server.log());
            if (warmup > 0) {
                Storm w = storm(io, server.ws(), warmup, Math.min(concurrency, 40), "warm");
                say(verbose, String.format(Locale.ROOT, "warm-up: %d connections in %.2f s", w.welcomed.get(), w.seconds));
                w.closeAll();
                TimeUnit.SECONDS.sleep(2);
            }
            long heap0 = ProcStats.heapUsedAfterGc(pid);
            TimeUnit.SECONDS.sleep(1);
            long rss0 = ProcStats.rssBytes(pid);
            double cpu0 = ProcStats.cpuSeconds(pid);
            say(verbose, String.format(Locale.ROOT, "baseline: RSS %.1f MB, heap %.1f MB", rss0 / 1048576.0, heap0 / 1048576.0));
            Storm s = storm(io, server.ws(), n, concurrency, "idle");
            double cpu1 = ProcStats.cpuSeconds(pid);
            say(verbose, String.format(Locale.ROOT, "storm: %d welcomed, %d failed in %.2f s = %.0f connections/s",
                    s.welcomed.get(), s.failed.get(), s.seconds, s.welcomed.get() / s.seconds));
            TimeUnit.SECONDS.sleep(2);
            long heap1 = ProcStats.heapUsedAfterGc(pid);
            TimeUnit.SECONDS.sleep(1);
            long rss1 = ProcStats.rssBytes(pid);
            double cpuHold0 = ProcStats.cpuSeconds(pid);
            say(verbose, String.format(Locale.ROOT, "with %d connections: RSS %.1f MB, heap %.1f MB; holding %.0f s",
                    s.welcomed.get(), rss1 / 1048576.0, heap1 / 1048576.0, holdSeconds));
            long pings0 = io.pingsAnswered.get();
            TimeUnit.MILLISECONDS.sleep((long) (holdSeconds * 1000));
            long rss2 = ProcStats.rssBytes(pid);
            double cpuHold1 = ProcStats.cpuSeconds(pid);
            long threads = ProcStats.threads(pid);
            long files = ProcStats.openFiles(pid);
            long clientFiles = ProcStats.openFiles(self);
            long openAtEnd = s.open();
            long pings = io.pingsAnswered.get() - pings0;
            long welcomed = s.welcomed.get();
            double rssPer = welcomed == 0 ? 0 : (rss1 - rss0) / (double) welcomed;
            double heapPer = welcomed == 0 || heap0 < 0 || heap1 < 0 ? -1 : (heap1 - heap0) / (double) welcomed;
            if (s.failed.get() > 0) {
                notes.add(s.failed.get() + " connections failed during the storm: " + s.failures);
            }
            if (openAtEnd < welcomed) {
                notes.add((welcomed - openAtEnd) + " connections closed during the hold: " + s.reasons);
            }
            if (holdSeconds >= 30 && pings == 0) {
                notes.add("no ping arrived during the hold");
            }
            say(verbose, String.format(Locale.ROOT, "per connection: RSS %.0f B, heap %.0f B; %d of %d still open, %d pings answered",
                    rssPer, heapPer, openAtEnd, welcomed, pings));
            s.closeAll();
            return new Capacity("capacity", "capacity", started, ProcStats.machine(), loadBefore, ProcStats.loadAverage(),
                    broker, launcher.jvmOptions(), n, welcomed, s.failed.get(), concurrency, round(s.seconds),
                    Math.round(welcomed / s.seconds), s.latency.getValueAtPercentile(50) / 1e6,
                    s.latency.getValueAtPercentile(99) / 1e6, s.latency.getMaxValue() / 1e6, rss0, rss1, Math.round(rssPer),
                    heap0, heap1, Math.round(heapPer), Math.round(rssPer + Math.max(0, heapPer)), holdSeconds, pings,
                    openAtEnd, rss2, welcomed == 0 ? 0 : Math.round((rss2 - rss0) / (double) welcomed),
                    round(cpu1 - cpu0), round(cpuHold1 - cpuHold0), threads, files, clientFiles, limit, notes);
        } finally {
            if (brokerProcess != null) {
                brokerProcess.close();
            }
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void say(boolean verbose, String line) {
        if (verbose) {
            System.out.println(line);
            System.out.flush();
        }
    }

    /** Opens {@code n} connections, at most {@code concurrency} being set up at once; returns when all are settled. */
    private static Storm storm(NioWsClients io, URI uri, int n, int concurrency, String prefix) throws InterruptedException {
        Storm s = new Storm(n);
        Semaphore slots = new Semaphore(concurrency);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            slots.acquire();
            s.connections.add(io.connect(uri, s.new Member(prefix + i, slots)));
        }
        if (!s.settled.await(120, TimeUnit.SECONDS)) {
            s.reasons.add("storm did not settle in 120 s: " + s.settled.getCount() + " pending");
        }
        s.seconds = (System.nanoTime() - start) / 1e9;
        return s;
    }

    /** The connections of one storm. */
    private static final class Storm {
        final List<NioWsClients.Connection> connections = new ArrayList<>();
        final CountDownLatch settled;
        final AtomicLong welcomed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong closed = new AtomicLong();
        final AtomicHistogram latency = new AtomicHistogram(1000, TimeUnit.MINUTES.toNanos(5), 3);
        /** Why connections closed after their welcome (the first 10). */
        final java.util.concurrent.ConcurrentLinkedQueue<String> reasons = new java.util.concurrent.ConcurrentLinkedQueue<>();
        /** Why connections failed before their welcome (the first 10). */
        final java.util.concurrent.ConcurrentLinkedQueue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        volatile double seconds;

        Storm(int n) {
            settled = new CountDownLatch(n);
        }

        long open() {
            return connections.stream().filter(NioWsClients.Connection::isOpen).count();
        }

        void closeAll() {
            connections.forEach(NioWsClients.Connection::close);
        }

        /** One idle client: hello, then nothing but pongs. */
        final class Member implements NioWsClients.Listener {
            private final String user;
            private final Semaphore slots;
            private final long started = System.nanoTime();
            private boolean done;

            Member(String user, Semaphore slots) {
                this.user = user;
                this.slots = slots;
            }

            @Override
            public void onOpen(NioWsClients.Connection c) {
                c.send("{\"type\":\"hello\",\"token\":\"" + user + "\",\"protocol\":1}");
            }

            @Override
            public void onText(NioWsClients.Connection c, byte[] data, int offset, int length) {
                if (!done && new String(data, offset, Math.min(length, 40), StandardCharsets.UTF_8).contains("\"welcome\"")) {
                    latency.recordValue(Math.max(1000, System.nanoTime() - started));
                    welcomed.incrementAndGet();
                    settle();
                }
            }

            @Override
            public void onClose(NioWsClients.Connection c, String reason) {
                if (!done) {
                    failed.incrementAndGet();
                    if (failures.size() < 10) {
                        failures.add(reason);
                    }
                    settle();
                } else if (!reason.equals("closed by the client") && reasons.size() < 10) {
                    reasons.add(reason);
                }
                closed.incrementAndGet();
            }

            private void settle() {
                done = true;
                slots.release();
                settled.countDown();
            }
        }
    }
}
