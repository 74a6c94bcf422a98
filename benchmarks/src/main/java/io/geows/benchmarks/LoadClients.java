package io.geows.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.AtomicHistogram;
import org.HdrHistogram.Histogram;

/**
 * The load tool's clients: C WebSocket connections spread evenly over the regions, in R rooms so that
 * every room has members in every region, and everything they receive.
 *
 * <p>Load runs in <em>phases</em> (a warm-up, then one per rate step). A phase publishes at a fixed
 * open-loop rate: message {@code n} has an intended send time {@code start + n / rate} that it carries
 * in its payload, and the sender never waits for replies, so a stalled server shows up as latency
 * instead of as a slower sender (no coordinated omission). A message's id names its phase and
 * sequence number ({@code p<phase>-<n>}); every delivery is counted per message, so lost and duplicate
 * deliveries are exact, and a late delivery still counts in the phase it belongs to.
 *
 * <p>Frames are read without a JSON parser (the fields are found by their keys) so that the tool's
 * own CPU stays small next to the servers'.
 */
final class LoadClients implements AutoCloseable {
    private static final byte[] TYPE = bytes("\"type\":\"");
    private static final byte[] ID = bytes("\"id\":\"p");
    private static final byte[] REF = bytes("\"ref\":\"p");
    private static final byte[] REGION = bytes("\"region\":\"");
    private static final byte[] DATA_T = bytes("\"data\":{\"t\":");
    private static final long HISTOGRAM_MAX = TimeUnit.SECONDS.toNanos(300);

    /** A region to connect to. */
    record Region(String name, URI uri) {
    }

    private final NioWsClients io;
    private final Member[] members;
    private final int[] roomSize;
    private final AtomicReferenceArray<Phase> phases = new AtomicReferenceArray<>(1024);
    private final CountDownLatch joined;
    /** Error frames received, with their codes (the first 20 kept). */
    final AtomicLong errors = new AtomicLong();
    final ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();

    /** Connects {@code clients} clients (alternating regions), each joins its room; waits until all joined. */
    LoadClients(List<Region> regions, int clients, int rooms, int ioThreads) throws IOException, InterruptedException {
        if (regions.isEmpty() || clients < regions.size() * rooms) {
            throw new IllegalArgumentException("need at least " + regions.size() + " clients per room ("
                    + regions.size() + " regions x " + rooms + " rooms), have " + clients);
        }
        io = new NioWsClients(ioThreads, "geows-load-io");
        members = new Member[clients];
        roomSize = new int[rooms];
        joined = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            // Alternate regions, and give each group of neighbours (one per region) the same room:
            // every room has members in every region.
            Region r = regions.get(i % regions.size());
            int room = (i / regions.size()) % rooms;
            roomSize[room]++;
            members[i] = new Member(i, r.name(), room);
            members[i].conn = io.connect(r.uri(), members[i]);
        }
        if (!joined.await(60, TimeUnit.SECONDS)) {
            close();
            throw new IOException((clients - joined.getCount()) + " of " + clients
                    + " clients joined within 60 s; errors: " + firstErrors);
        }
    }

    int clients() {
        return members.length;
    }

    /** Members of the room of client {@code i}: how many deliveries each of its messages should make. */
    int fanOut(int client) {
        return roomSize[members[client].room];
    }

    NioWsClients io() {
        return io;
    }

    /** Connections closed by a server or an error so far. */
    long disconnects() {
        return io.unexpectedCloses.get();
    }

    /**
     * Publishes {@code rate} messages per second for {@code seconds}, message n from client n mod C,
     * then waits until every delivery arrived or {@code drain} passed without progress.
     */
    Phase run(int id, double rate, double seconds, int payloadBytes, long drainNanos) throws InterruptedException {
        long total = Math.max(1, Math.round(rate * seconds));
        long expected = 0;
        for (long n = 0; n < total; n++) {
            expected += fanOut((int) (n % members.length));
        }
        Phase ph = new Phase(id, total, expected);
        phases.set(id, ph);
        double interval = 1e9 / rate;
        String prefix = "\",\"id\":\"p" + id + "-";
        long start = System.nanoTime();
        ph.start = start;
        long maxLag = 0;
        for (long n = 0; n < total; n++) {
            long intended = start + (long) (n * interval);
            long now = System.nanoTime();
            if (intended > now) {
                LockSupport.parkNanos(intended - now); // the open-loop schedule
                now = System.nanoTime();
            }
            maxLag = Math.max(maxLag, now - intended);
            Member m = members[(int) (n % members.length)];
            m.conn.send(publish(m.roomName, prefix, n, intended, payloadBytes));
        }
        ph.sendEnd = System.nanoTime();
        ph.maxSendLagNanos = maxLag;
        long lastProgress = System.nanoTime();
        long seen = -1;
        while (ph.received.get() < expected) {
            long r = ph.received.get();
            if (r != seen) {
                seen = r;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > drainNanos) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        ph.end = System.nanoTime();
        return ph;
    }

    private static byte[] publish(String room, String prefix, long n, long intended, int payloadBytes) {
        String t = Long.toString(intended);
        // data = {"t":<intended>,"f":"xxx…"}, payloadBytes long (13 bytes of syntax around t and the filler)
        int filler = Math.max(0, payloadBytes - 13 - t.length());
        StringBuilder sb = new StringBuilder(80 + room.length() + payloadBytes);
        sb.append("{\"type\":\"publish\",\"room\":\"").append(room).append(prefix).append(n)
                .append("\",\"data\":{\"t\":").append(t).append(",\"f\":\"");
        for (int i = 0; i < filler; i++) {
            sb.append('x');
        }
        sb.append("\"}}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (Member m : members) {
            if (m != null && m.conn != null) {
                m.conn.close();
            }
        }
        io.close();
    }

    /** What one phase sent and received. Counters are updated by the selector threads. */
    final class Phase {
        final int id;
        final long published;
        final long expected;
        final AtomicIntegerArray deliveries;
        final Histogram all = histogram();
        final Histogram same = histogram();
        final Histogram cross = histogram();
        final AtomicLong received = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong strays = new AtomicLong();
        volatile long start;
        volatile long sendEnd;
        volatile long end;
        volatile long lastDelivery;
        volatile long maxSendLagNanos;

        Phase(int id, long published, long expected) {
            this.id = id;
            this.published = published;
            this.expected = expected;
            this.deliveries = new AtomicIntegerArray((int) published);
        }

        private static Histogram histogram() {
            return new AtomicHistogram(1000, HISTOGRAM_MAX, 3);
        }

        void delivered(long seq, boolean sameRegion, long latency) {
            if (seq < 0 || seq >= published) {
                strays.incrementAndGet();
                return;
            }
            deliveries.incrementAndGet((int) seq);
            long v = Math.min(HISTOGRAM_MAX, Math.max(1000, latency));
            all.recordValue(v);
            (sameRegion ? same : cross).recordValue(v);
            received.incrementAndGet();
            lastDelivery = System.nanoTime();
        }

        /** Deliveries short of the expected count, over all messages. */
        long lost() {
            long lost = 0;
            for (int n = 0; n < published; n++) {
                lost += Math.max(0, fanOut(n % members.length) - deliveries.get(n));
            }
            return lost;
        }

        /** Deliveries beyond the expected count (a message delivered twice to a member). */
        long duplicates() {
            long dup = 0;
            for (int n = 0; n < published; n++) {
                dup += Math.max(0, deliveries.get(n) - fanOut(n % members.length));
            }
            return dup;
        }
    }

    /** One client: its region, its room, and the parsing of what it receives. */
    private final class Member implements NioWsClients.Listener {
        final int index;
        final byte[] region;
        final int room;
        final String roomName;
        NioWsClients.Connection conn;
        private boolean isJoined;

        Member(int index, String region, int room) {
            this.index = index;
            this.region = bytes(region + "\"");
            this.room = room;
            this.roomName = "load-" + room;
        }

        @Override
        public void onOpen(NioWsClients.Connection c) {
            c.send("{\"type\":\"hello\",\"token\":\"load" + index + "\",\"protocol\":1}");
            c.send("{\"type\":\"join\",\"room\":\"" + roomName + "\",\"id\":\"j\"}");
        }

        @Override
        public void onText(NioWsClients.Connection c, byte[] d, int off, int len) {
            long now = System.nanoTime();
            int end = off + len;
            int t = find(d, off, end, TYPE);
            if (t < 0) {
                return;
            }
            if (startsWith(d, t, end, "message\"")) {
                int id = find(d, t, end, ID);
                int region = find(d, t, end, REGION);
                int data = find(d, t, end, DATA_T);
                if (id < 0 || region < 0 || data < 0) {
                    strayFrame(d, off, len);
                    return;
                }
                Phase ph = phase(d, id, end);
                if (ph == null) {
                    return;
                }
                long seq = number(d, skipPast(d, id, end, '-'), end);
                ph.delivered(seq, startsWith(d, region, end, this.region), now - number(d, data, end));
            } else if (startsWith(d, t, end, "ack\"")) {
                int ref = find(d, t, end, REF);
                Phase ph = ref < 0 ? null : phase(d, ref, end);
                if (ph != null) {
                    ph.acked.incrementAndGet();
                }
            } else if (startsWith(d, t, end, "joined\"")) {
                if (!isJoined) {
                    isJoined = true;
                    joined.countDown();
                }
            } else if (startsWith(d, t, end, "error\"")) {
                errors.incrementAndGet();
                strayFrame(d, off, len);
            }
        }

        @Override
        public void onClose(NioWsClients.Connection c, String reason) {
            if (!reason.equals("closed by the client") && firstErrors.size() < 20) {
                firstErrors.add("client " + index + ": " + reason);
            }
        }

        private Phase phase(byte[] d, int at, int end) {
            long id = number(d, at, end);
            return id >= 0 && id < phases.length() ? phases.get((int) id) : null;
        }

        private void strayFrame(byte[] d, int off, int len) {
            if (firstErrors.size() < 20) {
                firstErrors.add(new String(d, off, Math.min(len, 300), StandardCharsets.UTF_8));
            }
        }
    }

    /** Index just past the first occurrence of {@code key} in {@code d[from..end)}, or -1. */
    static int find(byte[] d, int from, int end, byte[] key) {
        outer:
        for (int i = from; i <= end - key.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (d[i + j] != key[j]) {
                    continue outer;
                }
            }
            return i + key.length;
        }
        return -1;
    }

    private static boolean startsWith(byte[] d, int at, int end, String s) {
        return startsWith(d, at, end, bytes(s));
    }

    private static boolean startsWith(byte[] d, int at, int end, byte[] s) {
        if (end - at < s.length) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            if (d[at + i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    private static int skipPast(byte[] d, int at, int end, char c) {
        while (at < end && d[at] != c) {
            at++;
        }
        return at + 1;
    }

    /** The (optionally negative) decimal number at {@code d[at]}; -1 when there is none. */
    static long number(byte[] d, int at, int end) {
        boolean negative = at < end && d[at] == '-';
        if (negative) {
            at++;
        }
        long v = 0;
        int digits = 0;
        while (at < end && d[at] >= '0' && d[at] <= '9') {
            v = v * 10 + (d[at++] - '0');
            digits++;
        }
        return digits == 0 ? -1 : negative ? -v : v;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Publishing clients by region, for reports. */
    Map<String, Integer> clientsPerRegion() {
        Map<String, Integer> m = new java.util.LinkedHashMap<>();
        for (Member x : members) {
            m.merge(new String(x.region, 0, x.region.length - 1, StandardCharsets.UTF_8), 1, Integer::sum);
        }
        return m;
    }

    /** The rooms' sizes, for reports. */
    List<Integer> roomSizes() {
        List<Integer> l = new ArrayList<>();
        for (int s : roomSize) {
            l.add(s);
        }
        return l;
    }
}
