package io.geows.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/**
 * The end-to-end load tool (first cut): C WebSocket clients spread evenly over two regions, R rooms
 * each with members in both regions, publishing at a fixed <b>open-loop</b> rate for S seconds (a
 * schedule, not "send when the last one returned", so coordinated omission cannot hide latency: each
 * message carries its <em>intended</em> send time). Every receiver records publish → receive latency
 * in an HdrHistogram, same-region and cross-region separately, and every delivery is counted, so loss
 * and duplicates are exact.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.geows.benchmarks.LoadTool \
 *     --targets us-east=ws://127.0.0.1:8081/,eu-west=ws://127.0.0.1:8082/ --clients 200 --rooms 20 --rate 2000 --seconds 10
 * </pre>
 */
public final class LoadTool {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to run. */
    public record Options(Map<String, URI> targets, int clients, int rooms, int rate, int seconds, int payloadBytes) {
    }

    /** What happened. */
    public record Result(double offeredRate, double deliveredRate, long published, long expected, long received,
                         long lost, long duplicates, Histogram all, Histogram sameRegion, Histogram crossRegion) {
        /** A short human-readable report. */
        public String report() {
            return String.format(Locale.ROOT,
                    "offered %.0f msg/s, delivered %.0f msg/s; published %d, deliveries expected %d, received %d, "
                            + "lost %d, duplicates %d%n%s%n%s%n%s",
                    offeredRate, deliveredRate, published, expected, received, lost, duplicates,
                    line("all", all), line("same-region", sameRegion), line("cross-region", crossRegion));
        }

        private static String line(String name, Histogram h) {
            return String.format(Locale.ROOT, "  %-13s p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  max %6.2f ms  (n=%d)",
                    name, ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6, h.getTotalCount());
        }

        private static double ms(Histogram h, double p) {
            return h.getValueAtPercentile(p) / 1e6;
        }
    }

    /** One connection: region, room, and what it received. */
    private static final class Client extends WebSocketClient {
        final String region;
        final String room;
        final String user;
        final CountDownLatch ready = new CountDownLatch(1);
        final LoadRun run;

        Client(URI uri, String region, String room, String user, LoadRun run) {
            super(uri);
            this.region = region;
            this.room = room;
            this.user = user;
            this.run = run;
            setConnectionLostTimeout(0);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            send("{\"type\":\"hello\",\"token\":\"" + user + "\",\"protocol\":1}");
            send("{\"type\":\"join\",\"room\":\"" + room + "\",\"id\":\"j\"}");
        }

        @Override
        public void onMessage(String text) {
            long now = System.nanoTime();
            try {
                JsonNode f = JSON.readTree(text);
                String type = f.path("type").asText();
                if (type.equals("joined")) {
                    ready.countDown();
                } else if (type.equals("message")) {
                    run.received(f.path("id").asText(), f.path("region").asText().equals(region),
                            now - f.path("data").path("t").asLong());
                }
            } catch (Exception e) {
                run.errors.incrementAndGet();
            }
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
        }

        @Override
        public void onError(Exception ex) {
            run.errors.incrementAndGet();
        }
    }

    /** Counters of one run. */
    private static final class LoadRun {
        final Histogram all = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram same = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram cross = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        final AtomicLong receivedTotal = new AtomicLong();
        final AtomicInteger errors = new AtomicInteger();

        void received(String id, boolean sameRegion, long latencyNanos) {
            long v = Math.max(0, latencyNanos);
            all.recordValue(v);
            (sameRegion ? same : cross).recordValue(v);
            deliveries.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            receivedTotal.incrementAndGet();
        }
    }

    /** Runs the load and returns the result; the caller owns the servers. */
    public static Result run(Options o) throws Exception {
        List<Map.Entry<String, URI>> regions = new ArrayList<>(o.targets().entrySet());
        LoadRun run = new LoadRun();
        List<Client> clients = new ArrayList<>();
        Map<String, Integer> members = new LinkedHashMap<>();
        for (int i = 0; i < o.clients(); i++) {
            // Alternate regions, and give each pair of neighbours the same room: every room has
            // members in every region.
            Map.Entry<String, URI> r = regions.get(i % regions.size());
            String room = "load-" + ((i / regions.size()) % o.rooms());
            members.merge(room, 1, Integer::sum);
            Client c = new Client(r.getValue(), r.getKey(), room, "load" + i, run);
            clients.add(c);
            c.connectBlocking(10, TimeUnit.SECONDS);
        }
        for (Client c : clients) {
            if (!c.ready.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("client " + c.user + " did not join in time");
            }
        }
        String filler = "x".repeat(Math.max(0, o.payloadBytes() - 40));
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / o.rate();
        long total = (long) o.rate() * o.seconds();
        Map<String, String> roomOf = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        for (long n = 0; n < total; n++) {
            long intended = start + n * intervalNanos;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // the open-loop schedule
            }
            Client c = clients.get((int) (n % clients.size()));
            String id = "m" + n;
            roomOf.put(id, c.room);
            c.send("{\"type\":\"publish\",\"room\":\"" + c.room + "\",\"id\":\"" + id + "\",\"data\":{\"t\":" + intended
                    + ",\"f\":\"" + filler + "\"}}");
        }
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        long expected = 0;
        for (String room : roomOf.values()) {
            expected += members.get(room);
        }
        // Wait for the tail to arrive (bounded), without hurrying: late messages are still counted.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (run.receivedTotal.get() < expected && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        double totalSeconds = (System.nanoTime() - start) / 1e9;
        long lost = 0;
        long duplicates = 0;
        for (Map.Entry<String, String> e : roomOf.entrySet()) {
            AtomicInteger got = run.deliveries.get(e.getKey());
            int want = members.get(e.getValue());
            int have = got == null ? 0 : got.get();
            lost += Math.max(0, want - have);
            duplicates += Math.max(0, have - want);
        }
        for (Client c : clients) {
            c.closeBlocking();
        }
        return new Result(total / sendSeconds, run.receivedTotal.get() / totalSeconds, total, expected,
                run.receivedTotal.get(), lost, duplicates, run.all, run.same, run.cross);
    }

    /** Command line: see the class comment. */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(Map.of("clients", "200", "rooms", "20", "rate", "1000",
                "seconds", "10", "payload", "100"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!a.containsKey("targets")) {
            System.err.println("usage: LoadTool --targets us-east=ws://127.0.0.1:8081/,eu-west=ws://127.0.0.1:8082/ "
                    + "[--clients 200] [--rooms 20] [--rate 1000] [--seconds 10] [--payload 100]");
            System.exit(2);
        }
        Map<String, URI> targets = new LinkedHashMap<>();
        for (String t : a.get("targets").split(",")) {
            String[] kv = t.split("=", 2);
            targets.put(kv[0], URI.create(kv[1]));
        }
        Result r = run(new Options(targets, Integer.parseInt(a.get("clients")), Integer.parseInt(a.get("rooms")),
                Integer.parseInt(a.get("rate")), Integer.parseInt(a.get("seconds")), Integer.parseInt(a.get("payload"))));
        System.out.println(r.report());
    }
}
