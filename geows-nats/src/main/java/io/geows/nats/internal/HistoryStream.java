package io.geows.nats.internal;

import io.geows.BrokerUnavailableException;
import io.geows.Topics;
import io.geows.spi.Appended;
import io.geows.spi.BrokerMessage;
import io.geows.spi.History;
import io.geows.spi.HistorySlice;
import io.geows.spi.Position;
import io.nats.client.impl.Headers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room history in one JetStream stream (see the package documentation of {@code io.geows.nats} for
 * the design): subjects {@code <prefix>.history.<epoch>.<room>}, offsets are stream sequences, the
 * epoch is a random token in the stream's subjects (so a stale writer can never append to a
 * recreated stream under the old epoch), and the stream republishes every stored message to
 * {@code <prefix>.live.<room>} for live delivery in stream order.
 *
 * <p>No consumers: appends are publishes and reads are direct gets, which keep working in a
 * super-cluster whose JetStream metadata group lost its quorum; with replicas, reads go to the stream
 * leader ({@code STREAM.MSG.GET}) and retention purges, which wait for a metadata leader too.
 */
public final class HistoryStream implements History {
    private static final Logger log = LoggerFactory.getLogger(HistoryStream.class);
    private static final int DUPLICATE_LOOKUPS = 20;

    /** Settings of the stream when this adapter creates it. */
    public record Config(String stream, long maxPerRoom, long maxBytes, Duration maxAge, Duration duplicateWindow,
                         String placement, int replicas, String storage) {
    }

    private final JsApi api;
    private final Names names;
    private final Config config;
    private final BooleanSupplier connected;
    private final java.util.concurrent.ScheduledExecutorService scheduler;
    private final StreamLookup stream;
    private volatile io.geows.Retention retention = io.geows.Retention.none();

    public HistoryStream(JsApi api, Names names, Config config, BooleanSupplier connected,
                         java.util.concurrent.ScheduledExecutorService scheduler) {
        this.api = api;
        this.names = names;
        this.config = config;
        this.connected = connected;
        this.scheduler = scheduler;
        this.stream = new StreamLookup(api, names, config);
    }

    /** The epoch last seen, or {@code null} before the stream was first looked at. */
    public String epoch() {
        return stream.epoch();
    }

    /** The server leading the stream in its last info (a clustered stream), or {@code null}. */
    public String leader() {
        return stream.leader();
    }

    /** Names (for the live side). */
    public Names names() {
        return names;
    }

    /**
     * Reads the stream's info (creating the stream when it is missing) and updates the epoch.
     * Concurrent calls share one request.
     */
    public CompletableFuture<String> refresh() {
        return stream.refresh();
    }

    /**
     * Whether JetStream answers, with a short timeout (after a reconnect a recovering server may
     * not answer at all for a while): completes when it does, then refreshes the epoch.
     */
    public CompletableFuture<String> probe(Duration timeout) {
        return stream.probe(timeout);
    }

    private <T> CompletableFuture<T> unavailable() {
        return CompletableFuture.failedFuture(BrokerUnavailableException.disconnected("nats:" + api.address()));
    }

    // ------------------------------------------------------------------ History

    /**
     * Retention per room pattern: one stream holds every room, and JetStream limits apply to every
     * subject alike, so a retained room's subject is purged on each append (down to its count, and
     * of what is older than its age) and before each read (its age).
     */
    @Override
    public void retention(io.geows.Retention rules) {
        this.retention = java.util.Objects.requireNonNull(rules, "rules");
    }

    /**
     * Walks every message of the current epoch (one direct get each) and deletes those whose key's
     * sender is the user; JetStream overwrites a deleted message's storage. The deduplication window
     * still knows their ids, so a repeat within it is not stored again.
     */
    @Override
    public CompletableFuture<Long> eraseSender(String user) {
        if (!connected.getAsBoolean()) {
            return unavailable();
        }
        String prefix = user + "\n";
        return stream.currentEpoch().thenCompose(ep -> eraseFrom(ep, 1, prefix, 0L));
    }

    private CompletableFuture<Long> eraseFrom(String ep, long seq, String prefix, long removed) {
        String head = names.historySubject(ep, "");
        return api.nextBySubject(config.stream(), seq, names.historyFilter(ep)).thenCompose(found -> {
            if (found.isEmpty()) {
                return CompletableFuture.completedFuture(removed);
            }
            JsApi.Stored s = found.get();
            String token = s.subject() != null && s.subject().startsWith(head) ? s.subject().substring(head.length()) : "";
            String key = Names.keyOf(token, s.header("Nats-Msg-Id"));
            if (key == null || !key.startsWith(prefix)) {
                return eraseFrom(ep, s.seq() + 1, prefix, removed);
            }
            return api.deleteMessage(config.stream(), s.seq())
                    .thenCompose(deleted -> eraseFrom(ep, s.seq() + 1, prefix, removed + (deleted ? 1 : 0)));
        });
    }

    /** Purges what the room's rule no longer keeps; completes when JetStream has. */
    private CompletableFuture<Void> retain(String subject, io.geows.Retention.Limit limit, boolean count) {
        CompletableFuture<Void> byCount = count && limit.maxMessages() > 0
                ? api.purgeSubject(config.stream(), subject, limit.maxMessages(), 0)
                : CompletableFuture.completedFuture(null);
        if (limit.maxAge() == null) {
            return byCount;
        }
        java.time.Instant cutoff = java.time.Instant.now().minus(limit.maxAge());
        return byCount.thenCompose(v -> firstKept(subject, 1, cutoff)).thenCompose(first -> first <= 1
                ? CompletableFuture.completedFuture(null)
                : api.purgeSubject(config.stream(), subject, 0, first));
    }

    /** The sequence of the subject's first message stored at or after {@code cutoff} (past the last when none). */
    private CompletableFuture<Long> firstKept(String subject, long from, java.time.Instant cutoff) {
        return api.nextBySubject(config.stream(), from, subject).thenCompose(found -> {
            if (found.isEmpty()) {
                return api.lastBySubject(config.stream(), subject)
                        .thenApply(last -> last.map(s -> s.seq() + 1).orElse(1L));
            }
            JsApi.Stored s = found.get();
            return s.time().isBefore(cutoff) ? firstKept(subject, s.seq() + 1, cutoff)
                    : CompletableFuture.completedFuture(s.seq());
        });
    }

    @Override
    public CompletableFuture<Appended> append(String room, String messageKey, String topic, byte[] payload) {
        if (!connected.getAsBoolean()) {
            return unavailable();
        }
        String expected = names.roomTopic(room);
        if (!expected.equals(topic)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("history of room '" + room
                    + "' is delivered on topic '" + expected + "', not '" + topic + "': a router must route room"
                    + " messages to the room's own topic first"));
        }
        String token = Topics.escape(room);
        Headers headers = new Headers().add("Nats-Msg-Id", Names.messageId(room, messageKey));
        byte[] data = payload.clone();
        io.geows.Retention.Limit limit = retention.of(room).orElse(null);
        return stream.currentEpoch().thenCompose(ep -> appendTo(ep, token, headers, data, 0, limit).handle((a, err) -> {
            if (err == null) {
                return CompletableFuture.completedFuture(a);
            }
            if (JsApi.unwrap(err) instanceof JsApi.NoAnswer) {
                // No stream listens on this epoch's subject: the stream may have been recreated. Look once.
                return refresh().thenCompose(now -> now.equals(ep)
                        ? CompletableFuture.<Appended>failedFuture(JsApi.unwrap(err))
                        : appendTo(now, token, headers, data, 0, limit));
            }
            return CompletableFuture.<Appended>failedFuture(JsApi.unwrap(err));
        }).thenCompose(f -> f));
    }

    private CompletableFuture<Appended> appendTo(String ep, String token, Headers headers, byte[] data, int attempt,
                                                 io.geows.Retention.Limit limit) {
        return api.publish(names.historySubject(ep, token), headers, data).thenCompose(ack -> {
            if (limit != null && !ack.duplicate()) {
                // A retained room: the append is answered once what its rule no longer keeps is gone.
                return retain(names.historySubject(ep, token), limit, true)
                        .thenApply(v -> new Appended(ack.seq(), ep, false));
            }
            if (ack.duplicate() && ack.seq() == 0 && attempt < DUPLICATE_LOOKUPS) {
                // A repeat of a message still being stored (clustered streams): ask again shortly for its sequence.
                CompletableFuture<Appended> later = new CompletableFuture<>();
                scheduler.schedule(() -> appendTo(ep, token, headers, data, attempt + 1, limit).whenComplete((a, e) -> {
                    if (e != null) {
                        later.completeExceptionally(e);
                    } else {
                        later.complete(a);
                    }
                }), 25, TimeUnit.MILLISECONDS);
                return later;
            }
            return CompletableFuture.completedFuture(new Appended(ack.seq(), ep, ack.duplicate()));
        });
    }

    /**
     * Reads the room's messages after {@code afterOffset}.
     *
     * <p>{@code complete} is computed from facts JetStream keeps, knowing that every limit (age,
     * bytes, messages per room) removes a room's messages oldest first:
     * <ol>
     *   <li>if the message at {@code afterOffset} is still stored on the room's subject, nothing after
     *       it can have been removed: complete;</li>
     *   <li>if the room has messages but none after {@code afterOffset}: complete (a limit never
     *       removes a room's newest message without the older ones);</li>
     *   <li>otherwise the read is complete only when no limit can have removed a room message after
     *       {@code afterOffset}: the stream's first sequence is at most {@code afterOffset + 1} (nothing
     *       after it was removed stream-wide) and the room holds fewer messages than the per-room
     *       limit (it was never trimmed per room).</li>
     * </ol>
     * The third rule is conservative: right at the edge of retention it may report a gap where
     * there was none (the client is told {@code recovered: false} and still gets every message the
     * stream holds); it never reports complete when a message was lost.
     */
    @Override
    public CompletableFuture<HistorySlice> readAfter(String room, long afterOffset, int limit) {
        if (!connected.getAsBoolean()) {
            return unavailable();
        }
        String token = Topics.escape(room);
        String topic = names.roomTopic(room);
        io.geows.Retention.Limit kept = retention.of(room).orElse(null);
        String ep = stream.epoch();
        CompletableFuture<Void> aged = kept == null || kept.maxAge() == null || ep == null
                ? CompletableFuture.completedFuture(null) : retain(names.historySubject(ep, token), kept, false);
        return aged.thenCompose(v -> stream.info(token))
                .thenCompose(info -> readUpToTop(info, token, topic, afterOffset, Math.max(0, limit), kept));
    }

    /**
     * The room's last sequence first, then the messages after {@code afterOffset} up to it: a busy
     * room's tail grows while a read walks it (one direct get per message), so an open-ended read
     * might never end. What comes after arrives live.
     */
    private CompletableFuture<HistorySlice> readUpToTop(StreamLookup.Info info, String token, String topic, long afterOffset, int limit,
                                                        io.geows.Retention.Limit kept) {
        String subject = names.historySubject(info.epoch(), token);
        return api.lastBySubject(config.stream(), subject).thenApply(o -> o.map(JsApi.Stored::seq).orElse(0L))
                .thenCompose(last -> {
                    Read read = new Read(subject, token, topic, info.epoch(), afterOffset, limit, last);
                    return read.next(afterOffset > 0 ? afterOffset : 1).thenApply(ignored -> {
                        long topSeq = Math.max(last, read.out.isEmpty() ? 0 : read.out.get(read.out.size() - 1).offset());
                        boolean complete = read.anchorPresent
                                || (info.roomCount() > 0 && read.out.isEmpty() && topSeq <= afterOffset)
                                || (afterOffset + 1 >= info.firstSeq()
                                    && (info.maxPerRoom() <= 0 || info.roomCount() < info.maxPerRoom())
                                    // a retained room was never purged only while under its count (an age
                                    // rule leaves no trace: rely on the first two rules)
                                    && (kept == null || (kept.maxAge() == null && info.roomCount() < kept.maxMessages())));
                        return new HistorySlice(info.epoch(), topSeq, read.out, complete, read.rejected);
                    });
                });
    }

    /** One iteration over a room's subject with direct gets. */
    private final class Read {
        final String subject;
        final String topic;
        final String epoch;
        final long after;
        final int limit;
        final String subjectToken;
        /** The room's last sequence when the read began: it stops there. */
        final long last;
        final List<BrokerMessage> out = new ArrayList<>();
        int rejected;
        boolean anchorPresent;

        Read(String subject, String subjectToken, String topic, String epoch, long after, int limit, long last) {
            this.last = last;
            this.subject = subject;
            this.subjectToken = subjectToken;
            this.topic = topic;
            this.epoch = epoch;
            this.after = after;
            this.limit = limit;
        }

        /** Reads from {@code from} on, one direct get at a time; completes when done (no nested futures: long reads stay shallow). */
        CompletableFuture<Void> next(long from) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            step(from, done);
            return done;
        }

        private void step(long from, CompletableFuture<Void> done) {
            if (out.size() >= limit) {
                done.complete(null);
                return;
            }
            api.nextBySubject(config.stream(), from, subject).whenComplete((found, err) -> {
                if (err != null) {
                    done.completeExceptionally(JsApi.unwrap(err));
                    return;
                }
                if (found.isEmpty() || found.get().seq() > last) {
                    done.complete(null);
                    return;
                }
                JsApi.Stored s = found.get();
                if (s.seq() <= after) {
                    anchorPresent = s.seq() == after;
                } else {
                    String key = names.keyOf(subjectToken, s.header("Nats-Msg-Id"));
                    if (key == null) {
                        rejected++; // not appended by a node: no message id of this room
                    } else {
                        out.add(new BrokerMessage(topic, s.data(), s.seq(), epoch, BrokerMessage.UNKNOWN, key));
                    }
                }
                step(s.seq() + 1, done);
            });
        }
    }

    @Override
    public CompletableFuture<Position> position(String room) {
        if (!connected.getAsBoolean()) {
            return unavailable();
        }
        String token = Topics.escape(room);
        return stream.currentEpoch().thenCompose(ep -> last(ep, token).thenCompose(p -> {
            if (p.isPresent()) {
                return CompletableFuture.completedFuture(p.get());
            }
            // Empty room, or a recreated stream: the stream's info says which.
            return refresh().thenCompose(now -> now.equals(ep)
                    ? CompletableFuture.completedFuture(new Position(0, ep))
                    : last(now, token).thenApply(o -> o.orElse(new Position(0, now))));
        }));
    }

    /** The last offset of a room in an epoch, with the epoch taken from the stored subject. */
    public CompletableFuture<Optional<Position>> last(String ep, String token) {
        return api.lastBySubject(config.stream(), names.historySubject(ep, token)).thenApply(o -> o.map(s -> {
            String seen = names.epochOf(s.subject());
            return new Position(s.seq(), seen != null ? seen : ep);
        }));
    }
}
