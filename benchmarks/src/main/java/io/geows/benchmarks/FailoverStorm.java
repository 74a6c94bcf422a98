package io.geows.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * Failover at scale: a whole region's clients come to the surviving region at once. Starts two example
 * server processes (us-east, eu-west) on one broker, connects N clients to us-east (each joins 1 to 3
 * of R rooms), keeps a publisher on eu-west publishing to every room, then kills us-east with SIGKILL.
 * Every client reconnects to eu-west after a full-jitter delay (like {@code geows-client}'s default,
 * 0-100 ms) with a {@code hello} that resumes its rooms from its last positions.
 *
 * <p>The surviving region has clients of its own (a region is not idle when its neighbour dies): M
 * clients in the same rooms, which before the kill reconnect and resume a few times, as clients of
 * a live region do all day (networks change, phones sleep). So the survivor's code paths are warm,
 * as they are in production; {@code --survivor-clients 0} measures a cold survivor instead.
 *
 * <p>The dying region's clients run in this process, or in {@code --client-processes} Java worker
 * processes ({@link StormWorker}: more clients than one process may open files), and
 * {@code --node-clients} more run in a Node.js process ({@code benchmarks/node/storm-worker.js}, an
 * independent implementation of the protocol's resume).
 *
 * <p>Reports the time from the kill until the last client is welcomed, connect-to-welcome
 * percentiles, rooms resumed per second, presence frames the clients received, what the survivor's
 * {@code /readyz} answered during the storm, whether its log says it lost its broker, and per client
 * and room: messages lost (acknowledged to the publisher after the client joined the room, yet not
 * received by the end), delivered twice, and resumes not {@code recovered}.
 */
public final class FailoverStorm {
    /** What one run measured. Seconds and milliseconds as named. */
    public record Storm(String kind, String name, String startedAt, String machine, String broker, int clients, int rooms,
                        long roomMemberships, double initialConnectSeconds, double resumeSeconds, long resumed,
                        long failedResumes, double welcomeP50Ms, double welcomeP99Ms, double welcomeMaxMs,
                        double roomsResumedPerSecond, long notRecovered, long lost, long duplicates,
                        long presenceFramesReceived, long readyChecks, long notReady, boolean brokerLossLogged,
                        double survivorCpuSecondsStorm, long published, long closedAfterResume, int survivorClients,
                        int warmupCycles, double toolCpuSecondsStorm, double brokerCpuSecondsStorm, int clientProcesses,
                        int nodeClients, long rejoins, List<String> notes) {
    }

    /** What to run: the flags of the command line (see {@code --help}), or set directly. */
    @Command(name = "FailoverStorm", header = "geows failover storm%n", abbreviateSynopsis = true, sortOptions = false,
            showDefaultValues = true, usageHelpWidth = 100,
            description = "Kills a region with N clients and measures how they resume on the surviving region.%n")
    static final class Settings {
        @Option(names = "--broker", description = "redis or nats")
        String broker = "redis";
        @Option(names = "--clients", description = "clients of the region that dies, in Java (this process, or the workers, "
                + "need as many open files)")
        int clients = 2000;
        @Option(names = "--client-processes",
                description = "run the dying region's Java clients in this many worker processes (0: here)")
        int clientProcesses;
        @Option(names = "--node-clients",
                description = "more clients of the dying region in a Node.js process (benchmarks/node/storm-worker.js)")
        int nodeClients;
        @Option(names = "--nodes-per-region",
                description = "server processes per region (client i uses node i %% n: a load balancer's spread)")
        int nodesPerRegion = 1;
        @Option(names = "--rooms", description = "rooms; each client joins 1 to 3 of them")
        int rooms = 20;
        @Option(names = "--connect-concurrency", description = "clients connecting at once before the kill")
        int concurrency = 200;
        @Option(names = "--reconnect-jitter",
                description = "ms: each client reconnects after a random delay up to this (full jitter)")
        int jitterMillis = 100;
        @Option(names = "--publish-rate", description = "publishes per second over all rooms, from a client of the surviving region")
        double publishRate = 20;
        @Option(names = "--before", description = "seconds of publishing before the kill")
        double beforeSeconds = 3;
        @Option(names = "--survivor-clients", description = "clients of the surviving region, in the same rooms")
        int survivorClients = 2000;
        @Option(names = "--warmup-cycles", description = "times the survivor's own clients reconnect and resume before the kill")
        int warmupCycles = 10;
        @Option(names = "--timeout", description = "seconds the storm may take before the run gives up")
        int timeoutSeconds = 60;
        @Option(names = "--results", paramLabel = "DIR", showDefaultValue = Visibility.NEVER,
                description = "directory for the JSON result (default benchmarks/results)")
        String results = "";
        List<String> serverJvm = List.of(LoadTool.DEFAULT_SERVER_JVM.split(" "));
        Map<String, String> serverEnv = Map.of();
        String name;

        @Option(names = "--presence", paramLabel = "MODE",
                description = "the servers' GEOWS_PRESENCE: auto, diff, count, events, off; empty: their default (auto)")
        void presence(String mode) {
            serverEnv = mode.isEmpty() ? Map.of() : Map.of("GEOWS_PRESENCE", mode);
        }

        @Option(names = "--server-jvm", paramLabel = "OPTIONS",
                description = "JVM options of the server processes (default: " + LoadTool.DEFAULT_SERVER_JVM + ")")
        void serverJvm(String options) {
            serverJvm = Cli.words(options);
        }

        @Option(names = "--name", description = "result name (default storm-<broker>-<clients>)")
        void resultName(String resultName) {
            name = resultName.isEmpty() ? null : resultName;
        }
    }

    private FailoverStorm() {
    }

    /** Command line: see {@code --help} ({@link Settings}). */
    public static void main(String[] argv) throws Exception {
        Settings s = new Settings();
        if (!Cli.parseOrExit("failover storm", s, argv)) {
            return;
        }
        Storm storm = run(System.getProperty("java.class.path"), s);
        Path file = Results.write(Results.directory(s.results), storm.name(), storm);
        System.out.println(summary(storm));
        System.out.println("results: " + file);
    }

    static String summary(Storm s) {
        return String.format(Locale.ROOT, "storm %s: %d clients (%d room memberships; Java %s, Node.js %d) resumed %d/%d in %.2f s "
                        + "after the kill; connect->welcome p50 %.0f p99 %.0f max %.0f ms; %.0f rooms resumed/s; not recovered %d, "
                        + "lost %d, duplicates %d; closed after resume %d; rooms rejoined after an error %d; presence frames %d; /readyz not ready %d of %d; "
                        + "broker loss logged: %s; survivor CPU %.2f s, tool %.2f s, broker %.2f s; survivor's own clients %d "
                        + "(warm-up resumes: %d each)", s.broker(), s.clients(), s.roomMemberships(),
                s.clientProcesses() == 0 ? "in the tool" : "in " + s.clientProcesses() + " processes", s.nodeClients(),
                s.resumed(), s.clients(), s.resumeSeconds(), s.welcomeP50Ms(), s.welcomeP99Ms(), s.welcomeMaxMs(),
                s.roomsResumedPerSecond(), s.notRecovered(), s.lost(), s.duplicates(), s.closedAfterResume(), s.rejoins(),
                s.presenceFramesReceived(), s.notReady(), s.readyChecks(), s.brokerLossLogged(), s.survivorCpuSecondsStorm(),
                s.toolCpuSecondsStorm(), s.brokerCpuSecondsStorm(), s.survivorClients(), s.warmupCycles());
    }

    /** The rooms of a storm: storm-0 ... storm-(n-1). */
    static List<String> rooms(int n) {
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rooms.add("storm-" + i);
        }
        return rooms;
    }

    static Storm run(String serverClasspath, Settings st) throws Exception {
        String started = Instant.now().toString();
        Path logs = Files.createTempDirectory("geows-storm-");
        ServerNode.Launcher launcher = ServerNode.Launcher.of(serverClasspath, st.serverJvm, st.serverEnv, logs, null);
        StormClients.Run run = new StormClients.Run(st.concurrency);
        run.jitterMillis = st.jitterMillis;
        List<String> rooms = rooms(st.rooms);
        int inProcess = st.clientProcesses == 0 ? st.clients : 0;
        int total = st.clients + st.nodeClients;
        List<StormWorker.Remote> workers = new ArrayList<>();
        // NATS: JetStream on disk, as the load tool
        try (LoadCluster cluster = LoadCluster.start(st.broker, "file", launcher, st.nodesPerRegion);
             NioWsClients clients = new NioWsClients(2, "storm")) {
            run.clients = clients;
            List<ServerNode> dying = cluster.nodes().subList(0, st.nodesPerRegion);
            List<ServerNode> survivors = cluster.nodes().subList(st.nodesPerRegion, 2 * st.nodesPerRegion);
            run.survivors = survivors.stream().map(ServerNode::ws).toList();
            StormPublisher publisher = new StormPublisher(clients, survivors.get(0).ws(), rooms);
            publisher.start();

            // Before: the survivor's own clients, then the clients of the region that will die, each in 1-3 rooms.
            List<StormClients.Client> locals = new ArrayList<>(st.survivorClients);
            run.ready = new CountDownLatch(st.survivorClients);
            for (int i = 0; i < st.survivorClients; i++) {
                StormClients.Client c = new StormClients.Client(i, StormClients.roomsOf(i, rooms), run, true);
                locals.add(c);
                run.connecting.acquire();
                clients.connect(run.survivors.get(i % survivors.size()), c);
            }
            StormClients.await(run.ready, st.timeoutSeconds, "of the survivor's own clients did not join", logs);
            run.ready = new CountDownLatch(inProcess);
            run.resumed = new CountDownLatch(inProcess);
            List<StormClients.Client> all = new ArrayList<>(inProcess + st.survivorClients);
            long memberships = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < inProcess; i++) {
                StormClients.Client c = new StormClients.Client(i, StormClients.roomsOf(i, rooms), run, false);
                memberships += c.rooms.size();
                all.add(c);
                run.connecting.acquire();
                clients.connect(dying.get(i % dying.size()).ws(), c);
            }
            for (int k = 0; k < st.clientProcesses; k++) {
                int first = k * st.clients / st.clientProcesses;
                int n = (k + 1) * st.clients / st.clientProcesses - first;
                workers.add(StormWorker.Remote.java(serverClasspath, workerArgs(st, dying, survivors, first, n)));
            }
            if (st.nodeClients > 0) {
                workers.add(StormWorker.Remote.node(nodeWorkerScript(), workerArgs(st, dying, survivors, st.clients, st.nodeClients)));
            }
            StormClients.await(run.ready, st.timeoutSeconds, "clients did not join", logs);
            for (StormWorker.Remote w : workers) {
                w.await("READY", st.timeoutSeconds * 2);
            }
            double initialConnect = (System.nanoTime() - t0) / 1e9;
            publisher.rate(st.publishRate);
            // The survivor's clients come and go as a live region's do: each reconnects and resumes.
            for (int cycle = 0; cycle < st.warmupCycles && st.survivorClients > 0; cycle++) {
                run.warm = new CountDownLatch(st.survivorClients);
                for (StormClients.Client c : locals) {
                    c.connection.close();
                }
                StormClients.await(run.warm, st.timeoutSeconds, "of the survivor's own clients did not resume in warm-up cycle "
                        + cycle, logs);
            }
            all.addAll(locals);
            Thread.sleep((long) (st.beforeSeconds * 1000));

            // The kill: every client reconnects to the survivors and resumes.
            ReadyWatch watch = new ReadyWatch(survivors.stream().map(x -> x.http().resolve("/readyz")).toList());
            watch.start();
            double cpuBefore = cpu(survivors);
            double toolBefore = toolCpu(workers);
            double brokerBefore = ProcStats.cpuSeconds(cluster.brokerProcess().pid());
            run.killed = true;
            long kill = System.currentTimeMillis();
            for (ServerNode x : dying) {
                x.kill();
            }
            workers.forEach(w -> w.send("KILLED"));
            boolean allResumed = run.resumed.await(st.timeoutSeconds, TimeUnit.SECONDS);
            long resumedCount = inProcess - run.resumed.getCount();
            long lastWelcome = run.lastWelcome.get();
            List<Long> welcomes = new ArrayList<>(run.welcomeMillis);
            for (StormWorker.Remote w : workers) {
                StormWorker.Resumed r = w.awaitResumed(st.timeoutSeconds + 30);
                resumedCount += r.resumed();
                lastWelcome = Math.max(lastWelcome, r.lastWelcomeMillis());
                for (long ms : r.welcomeMillis()) {
                    welcomes.add(ms);
                }
            }
            double resumeSeconds = (lastWelcome - kill) / 1e3;
            double cpuStorm = cpu(survivors) - cpuBefore;
            double toolStorm = toolCpu(workers) - toolBefore;
            double brokerStorm = ProcStats.cpuSeconds(cluster.brokerProcess().pid()) - brokerBefore;
            // After: a little more traffic, then every client must reach each room's last offset.
            Thread.sleep(2000);
            watch.stop();
            publisher.stop();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline && StormClients.missing(all, publisher.ackedOffsets()) > 0) {
                Thread.sleep(100);
            }
            long lost = StormClients.missing(all, publisher.ackedOffsets());
            long duplicates = run.duplicates.get();
            long notRecovered = run.notRecovered.get();
            long presence = run.presenceFrames.get();
            long closedAfterResume = run.closedAfterResume.get();
            long rejoins = run.rejoins.get();
            for (StormWorker.Remote w : workers) {
                StormWorker.Result r = w.finish(publisher.ackedOffsets());
                lost += r.lost();
                duplicates += r.duplicates();
                notRecovered += r.notRecovered();
                presence += r.presenceFrames();
                closedAfterResume += r.closedAfterResume();
                rejoins += r.rejoins();
                memberships += r.memberships();
            }
            run.finished = true;
            boolean lossLogged = false;
            for (ServerNode x : survivors) {
                lossLogged |= Files.readString(x.log(), StandardCharsets.UTF_8).contains("lost its broker");
            }
            long[] w = welcomes.stream().mapToLong(Long::longValue).sorted().toArray();
            if (!allResumed || resumedCount < total) {
                run.notes.add((total - resumedCount) + " clients did not resume within " + st.timeoutSeconds + " s");
            }
            run.notes.add("server logs: " + logs);
            return new Storm("storm", st.name != null ? st.name : "storm-" + st.broker + "-" + total, started, ProcStats.machine(),
                    st.broker, total, st.rooms, memberships, initialConnect, resumeSeconds, resumedCount, total - resumedCount,
                    pct(w, 50), pct(w, 99), w.length == 0 ? 0 : w[w.length - 1],
                    resumeSeconds > 0 ? memberships / resumeSeconds : 0, notRecovered, lost, duplicates, presence,
                    watch.checks.get(), watch.notReady.get(), lossLogged, cpuStorm, publisher.published.get(), closedAfterResume,
                    st.survivorClients, st.warmupCycles, toolStorm, brokerStorm, st.clientProcesses, st.nodeClients,
                    rejoins, List.copyOf(run.notes));
        } finally {
            run.timer.shutdownNow();
            workers.forEach(StormWorker.Remote::close);
        }
    }

    private static List<String> workerArgs(Settings st, List<ServerNode> dying, List<ServerNode> survivors, int first, int n) {
        return List.of("--dying", urls(dying), "--survivor", urls(survivors), "--clients", String.valueOf(n),
                "--first", String.valueOf(first), "--rooms", String.valueOf(st.rooms), "--jitter", String.valueOf(st.jitterMillis),
                "--concurrency", String.valueOf(st.concurrency), "--timeout", String.valueOf(st.timeoutSeconds));
    }

    /** {@code benchmarks/node/storm-worker.js}, from the working directory or the repository root above it. */
    private static String nodeWorkerScript() {
        for (Path p : List.of(Path.of("benchmarks/node/storm-worker.js"), Path.of("node/storm-worker.js"),
                Path.of("../benchmarks/node/storm-worker.js"))) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().toString();
            }
        }
        throw new IllegalStateException("benchmarks/node/storm-worker.js not found from " + Path.of("").toAbsolutePath()
                + " (run from the repository root; npm ci in benchmarks/node)");
    }

    private static String urls(List<ServerNode> nodes) {
        return String.join(",", nodes.stream().map(x -> x.ws().toString()).toList());
    }

    private static double cpu(List<ServerNode> nodes) {
        double cpu = 0;
        for (ServerNode x : nodes) {
            cpu += ProcStats.cpuSeconds(x.pid());
        }
        return cpu;
    }

    /** CPU seconds of this process and the workers. */
    private static double toolCpu(List<StormWorker.Remote> workers) {
        double cpu = ProcStats.cpuSeconds(ProcessHandle.current().pid());
        for (StormWorker.Remote w : workers) {
            cpu += ProcStats.cpuSeconds(w.pid());
        }
        return cpu;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Polls each survivor's {@code /readyz} every 100 ms. */
    private static final class ReadyWatch {
        private final List<URI> uris;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        final AtomicLong checks = new AtomicLong();
        final AtomicLong notReady = new AtomicLong();
        private volatile boolean running = true;
        private Thread thread;

        ReadyWatch(List<URI> uris) {
            this.uris = uris;
        }

        void start() {
            thread = new Thread(() -> {
                while (running) {
                    for (URI uri : uris) {
                        try {
                            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                                    HttpResponse.BodyHandlers.discarding());
                            if (r.statusCode() != 200) {
                                notReady.incrementAndGet();
                            }
                        } catch (java.io.IOException e) {
                            notReady.incrementAndGet();
                        } catch (InterruptedException e) {
                            return;
                        }
                        checks.incrementAndGet();
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "storm-readyz");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(3000);
        }
    }
}
