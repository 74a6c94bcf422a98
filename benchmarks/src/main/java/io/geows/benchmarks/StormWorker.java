package io.geows.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/**
 * Storm clients of the dying region in another process, so a storm can have more clients than one
 * process may open files (and clients of another kind: {@code benchmarks/node/storm-worker.js} speaks
 * the same lines). {@link FailoverStorm} drives each worker over its standard input and output:
 *
 * <pre>
 * worker: READY                       its clients joined their rooms on the region that will die
 * driver: KILLED                      the region was killed: clients that lose their connection resume
 * worker: RESUMED n lastWelcomeMs     n resumed (all, or the timeout passed); wall-clock ms of the last welcome
 * worker: WELCOME ms ms ...           each resumed client's connect-to-welcome time
 * driver: ACKED room offset offset... every acknowledged offset of a room (one line per room)
 * driver: END
 * worker: RESULT lost duplicates notRecovered presenceFrames closedAfterResume memberships rejoins
 * </pre>
 *
 * Arguments: {@code --dying ws-urls --survivor ws-urls --clients n --first index --rooms r --jitter ms
 * --concurrency c --timeout s}.
 */
final class StormWorker {
    private StormWorker() {
    }

    /** The worker's flags (see {@code --help}); {@link FailoverStorm} passes them. */
    @Command(name = "StormWorker", header = "geows storm worker%n", abbreviateSynopsis = true, sortOptions = false,
            showDefaultValues = true, description = "Storm clients driven by FailoverStorm over stdin/stdout.%n")
    static final class Flags {
        @Option(names = "--dying", paramLabel = "URLS", showDefaultValue = Visibility.NEVER,
                description = "ws URLs of the region that will die, comma-separated (client i: node i %% n)")
        String dying = "";
        @Option(names = "--survivor", paramLabel = "URLS", showDefaultValue = Visibility.NEVER,
                description = "ws URLs of the surviving region, comma-separated (client i: node i %% n)")
        String survivor = "";
        @Option(names = "--clients", description = "clients")
        int clients = 1000;
        @Option(names = "--first", description = "index of the first client (user storm-<index>)")
        int first;
        @Option(names = "--rooms", description = "rooms")
        int rooms = 20;
        @Option(names = "--jitter", description = "ms of full jitter before a reconnect")
        int jitter = 100;
        @Option(names = "--concurrency", description = "clients connecting at once")
        int concurrency = 200;
        @Option(names = "--timeout", description = "seconds to wait for each phase")
        int timeout = 60;
    }

    /** The worker: see the class comment. */
    public static void main(String[] argv) throws Exception {
        Flags flags = new Flags();
        if (!Cli.parseOrExit("storm worker", flags, argv)) {
            return;
        }
        int n = flags.clients;
        int first = flags.first;
        int timeout = flags.timeout;
        List<String> rooms = FailoverStorm.rooms(flags.rooms);
        StormClients.Run run = new StormClients.Run(flags.concurrency);
        run.jitterMillis = flags.jitter;
        run.survivors = Arrays.stream(flags.survivor.split(",")).map(URI::create).toList();
        List<URI> dying = Arrays.stream(flags.dying.split(",")).map(URI::create).toList();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (NioWsClients clients = new NioWsClients(2, "storm-worker")) {
            run.clients = clients;
            List<StormClients.Client> all = new ArrayList<>(n);
            run.ready = new CountDownLatch(n);
            run.resumed = new CountDownLatch(n);
            long memberships = 0;
            for (int i = first; i < first + n; i++) {
                StormClients.Client c = new StormClients.Client(i, StormClients.roomsOf(i, rooms), run, false);
                memberships += c.rooms.size();
                all.add(c);
                run.connecting.acquire();
                clients.connect(dying.get(i % dying.size()), c);
            }
            StormClients.await(run.ready, timeout, "clients did not join", null);
            run.killed = true; // from now on, a closed connection means the region died
            out.println("READY");
            expect(in, "KILLED");
            run.resumed.await(timeout, TimeUnit.SECONDS);
            out.println("RESUMED " + (n - run.resumed.getCount()) + " " + run.lastWelcome.get());
            StringBuilder w = new StringBuilder("WELCOME");
            synchronized (run.welcomeMillis) {
                run.welcomeMillis.forEach(ms -> w.append(' ').append(ms));
            }
            out.println(w);
            Map<String, NavigableSet<Long>> acked = new ConcurrentHashMap<>();
            for (String line = in.readLine(); line != null && !line.equals("END"); line = in.readLine()) {
                String[] f = line.split(" ");
                if (f[0].equals("ACKED")) {
                    NavigableSet<Long> offsets = new TreeSet<>();
                    Arrays.stream(f).skip(2).forEach(o -> offsets.add(Long.parseLong(o)));
                    acked.put(f[1], offsets);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline && StormClients.missing(all, acked) > 0) {
                Thread.sleep(100);
            }
            run.finished = true;
            out.println("RESULT " + StormClients.missing(all, acked) + " " + run.duplicates.get() + " " + run.notRecovered.get()
                    + " " + run.presenceFrames.get() + " " + run.closedAfterResume.get() + " " + memberships + " " + run.rejoins.get());
        } finally {
            run.timer.shutdownNow();
        }
    }

    private static void expect(BufferedReader in, String what) throws IOException {
        String line = in.readLine();
        if (!what.equals(line)) {
            throw new IllegalStateException("expected " + what + " from the driver, got " + line);
        }
    }

    /** What a worker reported after the kill. */
    record Resumed(long resumed, long lastWelcomeMillis, long[] welcomeMillis) {
    }

    /** What a worker reported at the end. */
    record Result(long lost, long duplicates, long notRecovered, long presenceFrames, long closedAfterResume,
                  long memberships, long rejoins) {
    }

    /** The driver's handle on one worker process. */
    static final class Remote implements AutoCloseable {
        private final String kind;
        private final Process process;
        private final PrintWriter to;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private Remote(String kind, List<String> command) throws IOException {
            this.kind = kind;
            this.process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            this.to = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
                lines.add("EXIT");
            }, "storm-worker-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** A Java worker: this class's main in a JVM of its own. */
        static Remote java(String classpath, List<String> arguments) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "-Xmx1g", "-XX:+UseParallelGC", "-cp", classpath, StormWorker.class.getName()));
            cmd.addAll(arguments);
            return new Remote("java", cmd);
        }

        /** The Node.js worker ({@code benchmarks/node/storm-worker.js}, {@code ws} 8). */
        static Remote node(String script, List<String> arguments) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("node", script));
            cmd.addAll(arguments);
            return new Remote("node", cmd);
        }

        String kind() {
            return kind;
        }

        long pid() {
            return process.pid();
        }

        void send(String line) {
            to.println(line);
        }

        /** The next line starting with {@code prefix}, its words after the prefix. */
        String[] await(String prefix, int timeoutSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (true) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null || line.equals("EXIT")) {
                    throw new IllegalStateException(kind + " storm worker (pid " + process.pid() + ") "
                            + (line == null ? "sent no " + prefix + " in " + timeoutSeconds + " s" : "ended before " + prefix));
                }
                if (line.equals(prefix) || line.startsWith(prefix + " ")) {
                    String rest = line.substring(prefix.length()).trim();
                    return rest.isEmpty() ? new String[0] : rest.split(" ");
                }
            }
        }

        Resumed awaitResumed(int timeoutSeconds) throws InterruptedException {
            String[] r = await("RESUMED", timeoutSeconds);
            String[] w = await("WELCOME", 30);
            return new Resumed(Long.parseLong(r[0]), Long.parseLong(r[1]), Arrays.stream(w).mapToLong(Long::parseLong).toArray());
        }

        Result finish(Map<String, NavigableSet<Long>> acked) throws InterruptedException {
            acked.forEach((room, offsets) -> {
                StringBuilder b = new StringBuilder("ACKED ").append(room);
                offsets.forEach(o -> b.append(' ').append(o));
                send(b.toString());
            });
            send("END");
            String[] r = await("RESULT", 60);
            return new Result(Long.parseLong(r[0]), Long.parseLong(r[1]), Long.parseLong(r[2]), Long.parseLong(r[3]),
                    Long.parseLong(r[4]), Long.parseLong(r[5]), Long.parseLong(r[6]));
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
