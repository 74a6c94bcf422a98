package io.geows.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * The storm's protocol clients ({@link FailoverStorm}, and {@link StormWorker} in other processes):
 * each joins its rooms, records what it receives, and when its connection closes resumes on the
 * survivor after a full-jitter delay. Times are wall-clock milliseconds, comparable across processes.
 */
final class StormClients {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StormClients() {
    }

    /** One client of the dying region. Its fields are touched by the selector thread that owns it. */
    static final class Client implements NioWsClients.Listener {
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
                        rejoinMissing(c, f);
                        run.warm.countDown();
                    } else if (!resumed) {
                        long ms = System.currentTimeMillis() - connectStarted;
                        run.welcomeMillis.add(ms);
                        countNotRecovered(f);
                        rejoinMissing(c, f);
                        run.lastWelcome.accumulateAndGet(System.currentTimeMillis(), Math::max);
                        resumed = true;
                        run.resumed.countDown();
                    }
                }
                case "joined" -> {
                    String r = f.path("room").asText();
                    if (f.path("ref").asText().startsWith("r-")) {
                        // a rejoin with 'since' after the welcome left the room out: the replay follows
                        if (!f.path("recovered").asBoolean(true)) {
                            run.notRecovered.incrementAndGet();
                        }
                        return;
                    }
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
                    String ref = f.path("ref").asText();
                    if (ref.startsWith("r-")) {
                        rejoinLater(c, ref.substring(2)); // unavailable or overloaded: try again, as the protocol says
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

        /**
         * Rooms a resuming welcome leaves out could not be rejoined (the broker was unavailable): join
         * them again with {@code since}, after a backoff, as {@code docs/protocol.md} tells clients to.
         */
        private void rejoinMissing(NioWsClients.Connection c, JsonNode welcome) {
            for (String r : rooms) {
                if (!welcome.path("recovered").has(r)) {
                    rejoinLater(c, r);
                }
            }
        }

        private void rejoinLater(NioWsClients.Connection c, String room) {
            run.rejoins.incrementAndGet();
            run.timer.schedule(() -> c.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":\"r-" + room
                    + "\",\"since\":{\"offset\":" + last.get(room) + ",\"epoch\":\"" + epochs.get(room) + "\"}}"),
                    200 + ThreadLocalRandom.current().nextLong(800), TimeUnit.MILLISECONDS);
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
                run.timer.schedule(() -> run.clients.connect(run.survivors.get(index % run.survivors.size()), this),
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
                    connectStarted = System.currentTimeMillis();
                    run.clients.connect(run.survivors.get(index % run.survivors.size()), this);
                }, delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Shared state of a run. */
    static final class Run {
        NioWsClients clients;
        /** The surviving region's nodes: client i resumes on node i % size (a load balancer's spread). */
        List<URI> survivors;
        long jitterMillis;
        volatile boolean killed;
        volatile boolean finished;
        final AtomicLong closedAfterResume = new AtomicLong();
        /** Rooms joined again with 'since' because a welcome left them out or a rejoin failed. */
        final AtomicLong rejoins = new AtomicLong();
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
        /** Wall-clock ms of the last storm client's welcome (comparable across the tool's processes). */
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

    /** Client i's rooms: 1 to 3 of them. */
    static List<String> roomsOf(int i, List<String> rooms) {
        int k = 1 + i % 3;
        List<String> mine = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            mine.add(rooms.get((i + j * 7) % rooms.size()));
        }
        return List.copyOf(new java.util.LinkedHashSet<>(mine));
    }

    static void await(CountDownLatch latch, int timeoutSeconds, String what, Path logs) throws InterruptedException {
        if (!latch.await(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException(latch.getCount() + " " + what + " in " + timeoutSeconds + " s" + (logs == null ? "" : " (logs: " + logs + ")"));
        }
    }

    /** A frame's type and, for a message, its room and position: read until they are known. */
    static final class Head {
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

    /** Acknowledged messages after each client's join position that it did not receive. */
    static long missing(List<Client> all, Map<String, java.util.NavigableSet<Long>> acked) {
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

}
