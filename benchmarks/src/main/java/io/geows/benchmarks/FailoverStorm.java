package io.geows.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
 * <p>Reports the time from the kill until the last client is welcomed, connect-to-welcome
 * percentiles, rooms resumed per second, presence frames the clients received, what the survivor's
 * {@code /readyz} answered during the storm, whether its log says it lost its broker, and per client
 * and room: messages lost (acknowledged to the publisher after the client joined the room, yet not
 * received by the end), delivered twice, and resumes not {@code recovered}.
 */
public final class FailoverStorm {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one run measured. Seconds and milliseconds as named. */
    public record Storm(String kind, String name, String startedAt, String machine, String broker, int clients, int rooms,
                        long roomMemberships, double initialConnectSeconds, double resumeSeconds, long resumed,
                        long failedResumes, double welcomeP50Ms, double welcomeP99Ms, double welcomeMaxMs,
                        double roomsResumedPerSecond, long notRecovered, long lost, long duplicates,
                        long presenceFramesReceived, long readyChecks, long notReady, boolean brokerLossLogged,
                        double survivorCpuSecondsStorm, long published, long closedAfterResume, int survivorClients,
                        int warmupCycles, double toolCpuSecondsStorm, double brokerCpuSecondsStorm, List<String> notes) {
    }

    private FailoverStorm() {
    }

    static Args args() {
        return new Args("geows failover storm",
                "Kills a region with N clients and measures how they resume on the surviving region.")
                .flag("broker", "redis", "redis or nats")
                .flag("clients", "2000", "clients of the region that dies (this process needs as many open files)")
                .flag("rooms", "20", "rooms; each client joins 1 to 3 of them")
                .flag("connect-concurrency", "200", "clients connecting at once before the kill")
                .flag("reconnect-jitter", "100", "ms: each client reconnects after a random delay up to this (full jitter)")
                .flag("publish-rate", "20", "publishes per second over all rooms, from a client of the surviving region")
                .flag("before", "3", "seconds of publishing before the kill")
                .flag("survivor-clients", "2000", "clients of the surviving region, in the same rooms")
                .flag("warmup-cycles", "3", "times the survivor's own clients reconnect and resume before the kill")
                .flag("presence", "", "the servers' GEOWS_PRESENCE: auto, diff, count, events, off; empty: their default (auto)")
                .flag("timeout", "60", "seconds the storm may take before the run gives up")
                .flag("server-jvm", LoadTool.DEFAULT_SERVER_JVM, "JVM options of the server processes")
                .flag("results", "", "directory for the JSON result (default benchmarks/results)")
                .flag("name", "", "result name (default storm-<broker>-<clients>)");
    }

    /** Command line: see {@link #args()}. */
    public static void main(String[] argv) throws Exception {
        Args a = args();
        if (!a.parse(argv)) {
            System.out.println(a.usage());
            return;
        }
        Storm s = run(System.getProperty("java.class.path"), a.string("broker"), a.integer("clients"), a.integer("rooms"), a.integer("connect-concurrency"),
                a.integer("reconnect-jitter"), a.number("publish-rate"), a.number("before"), a.integer("timeout"),
                a.integer("survivor-clients"), a.integer("warmup-cycles"),
                a.words("server-jvm"), a.string("presence").isEmpty() ? Map.of()
                        : Map.of("GEOWS_PRESENCE", a.string("presence")),
                a.string("name").isEmpty() ? null : a.string("name"));
        Path file = Results.write(Results.directory(a.string("results")), s.name(), s);
        System.out.println(summary(s));
        System.out.println("results: " + file);
    }

    static String summary(Storm s) {
        return String.format(Locale.ROOT, "storm %s: %d clients (%d room memberships) resumed %d/%d in %.2f s after the kill; "
                        + "connect->welcome p50 %.0f p99 %.0f max %.0f ms; %.0f rooms resumed/s; not recovered %d, lost %d, "
                        + "duplicates %d; closed after resume %d; presence frames %d; /readyz not ready %d of %d; "
                        + "broker loss logged: %s; survivor CPU %.2f s, tool %.2f s, broker %.2f s; survivor's own clients %d "
                        + "(warm-up resumes: %d each)", s.broker(), s.clients(), s.roomMemberships(), s.resumed(), s.clients(),
                s.resumeSeconds(), s.welcomeP50Ms(), s.welcomeP99Ms(), s.welcomeMaxMs(), s.roomsResumedPerSecond(),
                s.notRecovered(), s.lost(), s.duplicates(), s.closedAfterResume(), s.presenceFramesReceived(), s.notReady(), s.readyChecks(),
                s.brokerLossLogged(), s.survivorCpuSecondsStorm(), s.toolCpuSecondsStorm(), s.brokerCpuSecondsStorm(),
                s.survivorClients(), s.warmupCycles());
    }

    /** One client of the dying region. Its fields are touched by the selector thread that owns it. */
    private static final class Client implements NioWsClients.Listener {
        final int index;
        final String user;
        final List<String> rooms;
        final Map<String, Long> last = new ConcurrentHashMap<>();
        /** The position each room was joined at, and every offset received after it. */
        final Map<String, Long> start = new ConcurrentHashMap<>();
        final Map<String, java.util.Set<Long>> got = new ConcurrentHashMap<>();
        final Map<String, String> epochs = new ConcurrentHashMap<>();
        final Run run;
        /** A client of the surviving region (else of the region that dies). */
        final boolean local;
        volatile boolean resuming;
        volatile boolean resumed;
        volatile long connectStarted;
        volatile NioWsClients.Connection connection;
        int joined;

        Client(int index, List<String> rooms, Run run, boolean local) {
            this.index = index;
            this.user = (local ? "local-" : "storm-") + index;
            this.rooms = rooms;
            this.run = run;
            this.local = local;
        }

        @Override
        public void onOpen(NioWsClients.Connection c) {
            connection = c;
            ObjectNode hello = JSON.createObjectNode().put("type", "hello").put("token", user).put("protocol", 1).put("id", "h");
            if (resuming) {
                ObjectNode resume = hello.putObject("resume");
                for (String r : rooms) {
                    resume.putObject(r).put("offset", last.get(r)).put("epoch", epochs.get(r));
                }
            }
            c.send(hello.toString());
        }

        @Override
        public void onText(NioWsClients.Connection c, byte[] data, int offset, int length) {
            // Most frames are messages and presence counts: read their few fields with a streaming parser
            // (10,000 clients in this process share the machine with the server being measured).
            Head h = Head.of(data, offset, length);
            if (h == null) {
                run.notes.add("client " + index + ": bad frame");
                return;
            }
            if ("message".equals(h.type)) {
                onMessage(h.room, h.offset, h.epoch);
                return;
            }
            if ("presence".equals(h.type)) {
                run.presenceFrames.incrementAndGet();
                return;
            }
            JsonNode f = parse(data, offset, length);
            if (f == null) {
                run.notes.add("client " + index + ": bad frame");
                return;
            }
            switch (f.path("type").asText()) {
                case "welcome" -> {
                    if (!resuming) {
                        for (String r : rooms) {
                            c.send("{\"type\":\"join\",\"room\":\"" + r + "\",\"id\":\"j-" + r + "\"}");
                        }
                    } else if (local) {
                        countNotRecovered(f);
                        run.warm.countDown();
                    } else if (!resumed) {
                        long ms = (System.nanoTime() - connectStarted) / 1_000_000;
                        run.welcomeMillis.add(ms);
                        countNotRecovered(f);
                        run.lastWelcome.accumulateAndGet(System.nanoTime(), Math::max);
                        resumed = true;
                        run.resumed.countDown();
                    }
                }
                case "joined" -> {
                    String r = f.path("room").asText();
                    last.put(r, f.path("offset").asLong());
                    start.put(r, f.path("offset").asLong());
                    epochs.put(r, f.path("epoch").asText());
                    if (++joined == rooms.size()) {
                        run.ready.countDown();
                        run.connecting.release();
                    }
                }
                case "error" -> {
                    if (run.errorsNoted.incrementAndGet() <= 5) {
                        run.notes.add("client " + index + " got " + f);
                    }
                }
                default -> {
                }
            }
        }

        private void onMessage(String r, long o, String epoch) {
            Long before = last.get(r);
            if (before == null) {
                return; // before its joined frame: the join's position covers it
            }
            if (!epoch.equals(epochs.get(r))) {
                run.notes.add("client " + index + " room " + r + ": epoch changed");
                epochs.put(r, epoch);
                last.put(r, o);
                return;
            }
            if (o <= before) {
                run.duplicates.incrementAndGet();
            } else {
                // gaps are judged at the end against the acknowledged offsets (on NATS a
                // room's offsets are stream sequences, not consecutive)
                got.computeIfAbsent(r, x -> ConcurrentHashMap.newKeySet()).add(o);
                last.put(r, o);
            }
        }

        private void countNotRecovered(JsonNode welcome) {
            welcome.path("recovered").fields().forEachRemaining(e -> {
                if (!e.getValue().asBoolean()) {
                    run.notRecovered.incrementAndGet();
                }
            });
        }

        @Override
        public void onClose(NioWsClients.Connection c, String reason) {
            if (local && !run.finished) {
                resuming = true; // a warm-up reconnect (or the survivor closed it): resume, like a real client
                run.timer.schedule(() -> run.clients.connect(run.survivor, this),
                        ThreadLocalRandom.current().nextLong(run.jitterMillis + 1), TimeUnit.MILLISECONDS);
                return;
            }
            if (run.killed && !run.finished) {
                if (resumed) {
                    run.closedAfterResume.incrementAndGet(); // e.g. a slow consumer: it resumes again, like a real client
                    if (run.closeReasonsNoted.incrementAndGet() <= 3) {
                        run.notes.add("client " + index + " closed after its resume: " + reason);
                    }
                }
                resuming = true;
                long delay = ThreadLocalRandom.current().nextLong(run.jitterMillis + 1);
                run.timer.schedule(() -> {
                    connectStarted = System.nanoTime();
                    run.clients.connect(run.survivor, this);
                }, delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Shared state of a run. */
    private static final class Run {
        NioWsClients clients;
        URI survivor;
        long jitterMillis;
        volatile boolean killed;
        volatile boolean finished;
        final AtomicLong closedAfterResume = new AtomicLong();
        final AtomicLong closeReasonsNoted = new AtomicLong();
        final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "storm-timer");
            t.setDaemon(true);
            return t;
        });
        CountDownLatch ready;
        CountDownLatch resumed;
        /** Counts the survivor's own clients' resumes of one warm-up cycle. */
        volatile CountDownLatch warm = new CountDownLatch(0);
        final Semaphore connecting;
        final List<Long> welcomeMillis = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicLong lastWelcome = new AtomicLong();
        final AtomicLong notRecovered = new AtomicLong();
        final AtomicLong lost = new AtomicLong();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong presenceFrames = new AtomicLong();
        final AtomicLong errorsNoted = new AtomicLong();
        final List<String> notes = java.util.Collections.synchronizedList(new ArrayList<>());

        Run(int concurrency) {
            connecting = new Semaphore(concurrency);
        }
    }

    static Storm run(String serverClasspath, String broker, int n, int roomCount, int concurrency, int jitterMillis, double publishRate,
                     double beforeSeconds, int timeoutSeconds, int localClients, int warmupCycles, List<String> serverJvm,
                     Map<String, String> serverEnv, String name) throws Exception {
        String started = Instant.now().toString();
        Path logs = Files.createTempDirectory("geows-storm-");
        ServerNode.Launcher launcher = ServerNode.Launcher.of(serverClasspath, serverJvm, serverEnv,
                logs, null);
        Run run = new Run(concurrency);
        run.jitterMillis = jitterMillis;
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < roomCount; i++) {
            rooms.add("storm-" + i);
        }
        try (LoadCluster cluster = LoadCluster.start(broker, "file", launcher); // NATS: JetStream on disk, as the load tool
             NioWsClients clients = new NioWsClients(2, "storm")) {
            run.clients = clients;
            ServerNode dying = cluster.nodes().get(0);
            ServerNode survivor = cluster.nodes().get(1);
            run.survivor = survivor.ws();
            StormPublisher publisher = new StormPublisher(clients, survivor.ws(), rooms);
            publisher.start();

            // Before: the survivor's own clients, then N clients on the region that will die, each in 1-3 rooms.
            List<Client> locals = new ArrayList<>(localClients);
            run.ready = new CountDownLatch(localClients);
            for (int i = 0; i < localClients; i++) {
                Client c = new Client(i, roomsOf(i, rooms), run, true);
                locals.add(c);
                run.connecting.acquire();
                clients.connect(survivor.ws(), c);
            }
            await(run.ready, timeoutSeconds, "of the survivor's own clients did not join", logs);
            run.ready = new CountDownLatch(n);
            run.resumed = new CountDownLatch(n);
            List<Client> all = new ArrayList<>(n + localClients);
            long memberships = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Client c = new Client(i, roomsOf(i, rooms), run, false);
                memberships += c.rooms.size();
                all.add(c);
                run.connecting.acquire();
                clients.connect(dying.ws(), c);
            }
            await(run.ready, timeoutSeconds, "clients did not join", logs);
            double initialConnect = (System.nanoTime() - t0) / 1e9;
            publisher.rate(publishRate);
            // The survivor's clients come and go as a live region's do: each reconnects and resumes.
            for (int cycle = 0; cycle < warmupCycles && localClients > 0; cycle++) {
                run.warm = new CountDownLatch(localClients);
                for (Client c : locals) {
                    c.connection.close();
                }
                await(run.warm, timeoutSeconds, "of the survivor's own clients did not resume in warm-up cycle " + cycle, logs);
            }
            all.addAll(locals);
            Thread.sleep((long) (beforeSeconds * 1000));

            // The kill: every client reconnects to the survivor and resumes.
            ReadyWatch watch = new ReadyWatch(survivor.http().resolve("/readyz"));
            watch.start();
            double cpuBefore = ProcStats.cpuSeconds(survivor.pid());
            long self = ProcessHandle.current().pid();
            double toolBefore = ProcStats.cpuSeconds(self);
            double brokerBefore = ProcStats.cpuSeconds(cluster.brokerProcess().pid());
            run.killed = true;
            long kill = System.nanoTime();
            dying.kill();
            boolean allResumed = run.resumed.await(timeoutSeconds, TimeUnit.SECONDS);
            double resumeSeconds = (run.lastWelcome.get() - kill) / 1e9;
            double cpuStorm = ProcStats.cpuSeconds(survivor.pid()) - cpuBefore;
            double toolStorm = ProcStats.cpuSeconds(self) - toolBefore;
            double brokerStorm = ProcStats.cpuSeconds(cluster.brokerProcess().pid()) - brokerBefore;
            // After: a little more traffic, then every client must reach each room's last offset.
            Thread.sleep(2000);
            watch.stop();
            publisher.stop();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline && missing(all, publisher.ackedOffsets()) > 0) {
                Thread.sleep(100);
            }
            run.lost.addAndGet(missing(all, publisher.ackedOffsets()));
            run.finished = true;
            boolean lossLogged = Files.readString(survivor.log(), StandardCharsets.UTF_8).contains("lost its broker");
            long[] w = run.welcomeMillis.stream().mapToLong(Long::longValue).sorted().toArray();
            if (!allResumed) {
                run.notes.add(run.resumed.getCount() + " clients did not resume within " + timeoutSeconds + " s");
            }
            run.notes.add("server logs: " + logs);
            long resumedCount = n - run.resumed.getCount();
            return new Storm("storm", name != null ? name : "storm-" + broker + "-" + n, started, ProcStats.machine(), broker,
                    n, roomCount, memberships, initialConnect, resumeSeconds, resumedCount, run.resumed.getCount(),
                    pct(w, 50), pct(w, 99), w.length == 0 ? 0 : w[w.length - 1],
                    resumeSeconds > 0 ? memberships / resumeSeconds : 0, run.notRecovered.get(), run.lost.get(),
                    run.duplicates.get(), run.presenceFrames.get(), watch.checks.get(), watch.notReady.get(), lossLogged,
                    cpuStorm, publisher.published.get(), run.closedAfterResume.get(), localClients, warmupCycles, toolStorm,
                    brokerStorm, List.copyOf(run.notes));
        } finally {
            run.timer.shutdownNow();
        }
    }

    /** Client i's rooms: 1 to 3 of them. */
    private static List<String> roomsOf(int i, List<String> rooms) {
        int k = 1 + i % 3;
        List<String> mine = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            mine.add(rooms.get((i + j * 7) % rooms.size()));
        }
        return List.copyOf(new java.util.LinkedHashSet<>(mine));
    }

    private static void await(CountDownLatch latch, int timeoutSeconds, String what, Path logs) throws InterruptedException {
        if (!latch.await(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException(latch.getCount() + " " + what + " in " + timeoutSeconds + " s (logs: " + logs + ")");
        }
    }

    /** A frame's type and, for a message, its room and position: read until they are known. */
    private static final class Head {
        private static final com.fasterxml.jackson.core.JsonFactory FACTORY = new com.fasterxml.jackson.core.JsonFactory();
        String type;
        String room;
        String epoch;
        long offset;

        /** {@code null} when the frame is not a JSON object with a type. */
        static Head of(byte[] data, int from, int length) {
            Head h = new Head();
            try (com.fasterxml.jackson.core.JsonParser p = FACTORY.createParser(data, from, length)) {
                if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    return null;
                }
                int wanted = 4;
                while (wanted > 0 && p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    switch (name) {
                        case "type" -> {
                            h.type = p.getText();
                            wanted = "message".equals(h.type) ? wanted - 1 : 0;
                        }
                        case "room" -> {
                            h.room = p.getText();
                            wanted--;
                        }
                        case "epoch" -> {
                            h.epoch = p.getText();
                            wanted--;
                        }
                        case "offset" -> {
                            h.offset = p.getLongValue();
                            wanted--;
                        }
                        default -> p.skipChildren();
                    }
                }
            } catch (java.io.IOException e) {
                return null;
            }
            return h.type == null || ("message".equals(h.type) && (h.room == null || h.epoch == null)) ? null : h;
        }
    }

    /** A frame as JSON, or {@code null} when it is not. */
    static JsonNode parse(byte[] data, int offset, int length) {
        try {
            return JSON.readTree(data, offset, length);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Messages the clients still lack to reach each room's last acknowledged offset. */
    /** Acknowledged messages after each client's join position that it did not receive. */
    private static long missing(List<Client> all, Map<String, java.util.NavigableSet<Long>> acked) {
        long missing = 0;
        for (Client c : all) {
            for (String r : c.rooms) {
                Long from = c.start.get(r);
                java.util.NavigableSet<Long> offsets = acked.get(r);
                if (from == null || offsets == null) {
                    continue;
                }
                java.util.Set<Long> got = c.got.getOrDefault(r, java.util.Set.of());
                for (long o : offsets.tailSet(from, false)) {
                    if (!got.contains(o)) {
                        missing++;
                    }
                }
            }
        }
        return missing;
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Polls the survivor's {@code /readyz} every 100 ms. */
    private static final class ReadyWatch {
        private final URI uri;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        final AtomicLong checks = new AtomicLong();
        final AtomicLong notReady = new AtomicLong();
        private volatile boolean running = true;
        private Thread thread;

        ReadyWatch(URI uri) {
            this.uri = uri;
        }

        void start() {
            thread = new Thread(() -> {
                while (running) {
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
