package io.geows.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.client.Request.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What outlives a connection: the joined rooms with their cursors, and the requests waiting for an
 * answer. After every {@code welcome} it resumes the rooms and resends what is unanswered (publishes
 * with the same message id). All methods but the API entry points run on the client's loop.
 */
final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final ClientEngine engine;
    private final ClientOptions options;
    private final Map<String, RoomState> rooms = new LinkedHashMap<>();
    /** By message id (publish, direct) or request id; in the order the app asked, which is the resend order. */
    private final Map<String, Request> pending = new LinkedHashMap<>();
    /** Publishes and directs not yet answered; checked on the caller's thread so a full queue fails at once. */
    private final AtomicInteger unanswered = new AtomicInteger();
    private final AtomicLong messageIds = new AtomicLong();
    private long requestIds;

    Session(ClientEngine engine) {
        this.engine = engine;
        this.options = engine.options;
    }

    // ---------------------------------------------------------------- API entry points (any thread)

    CompletableFuture<RoomHandle> join(String room, RoomListener listener) {
        CompletableFuture<RoomHandle> f = new CompletableFuture<>();
        return submit(f, "join '" + room + "'", false, () -> {
            if (rooms.containsKey(room)) {
                engine.fail(f, GeoWsClientException.alreadyJoined(room));
                return;
            }
            rooms.put(room, new RoomState(room, listener, new RoomHandle(engine, room)));
            add(new Request(Kind.JOIN, "j" + (++requestIds), room, null, f, deadline()));
        });
    }

    CompletableFuture<Void> leave(String room, RoomHandle handle) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        return submit(f, "leave '" + room + "'", false, () -> {
            RoomState rs = rooms.get(room);
            if (rs == null || (handle != null && rs.handle != handle)) {
                engine.complete(f, null); // not a member (any more): leaving is done
                return;
            }
            rooms.remove(room);
            for (Iterator<Request> it = pending.values().iterator(); it.hasNext(); ) {
                Request r = it.next();
                if (r.kind == Kind.JOIN && r.target.equals(room)) {
                    it.remove();
                    r.cancelRetry();
                    engine.fail(r.future, new GeoWsClientException("room '" + room
                            + "' was left before the node confirmed the join"));
                }
            }
            if (!engine.hasConnection()) {
                engine.complete(f, null); // no session holds the room, and the next hello will not name it
                return;
            }
            add(new Request(Kind.LEAVE, "l" + (++requestIds), room, null, f, deadline()));
            releaseHeld(room);
        });
    }

    CompletableFuture<PublishAck> publish(String room, JsonNode data) {
        String id = nextMessageId();
        return message(Kind.PUBLISH, id, room, Frames.publish(room, id, data));
    }

    CompletableFuture<DirectAck> direct(String user, JsonNode data) {
        String id = nextMessageId();
        return message(Kind.DIRECT, id, user, Frames.direct(user, id, data));
    }

    CompletableFuture<RpcResult> rpc(String method, JsonNode data) {
        String id = nextMessageId();
        return message(Kind.RPC, id, method, Frames.rpc(method, id, data));
    }

    CompletableFuture<List<Member>> presence(String room) {
        CompletableFuture<List<Member>> f = new CompletableFuture<>();
        return submit(f, "presence of '" + room + "'", false,
                () -> add(new Request(Kind.PRESENCE, "q" + (++requestIds), room, null, f, deadline())));
    }

    private <T> CompletableFuture<T> message(Kind kind, String id, String target, String frame) {
        int bytes = frame.length() * 3 <= options.maxFrameBytes() ? frame.length()
                : frame.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > options.maxFrameBytes()) {
            throw new IllegalArgumentException("the message to '" + target + "' makes a frame of " + bytes
                    + " bytes, over the limit of " + options.maxFrameBytes() + "; send less data, or raise maxFrameBytes(...)"
                    + " if the nodes accept more");
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        Request r = new Request(kind, id, target, frame, f, deadline());
        if (unanswered.incrementAndGet() > options.maxPending()) {
            unanswered.decrementAndGet();
            engine.fail(f, QueueFullException.pendingLimit(r.describe(), options.maxPending()));
            return f;
        }
        // Cancelled by the app: withdrawn, never sent (again).
        f.whenComplete((v, err) -> {
            if (f.isCancelled()) {
                engine.post(() -> withdraw(r));
            }
        });
        return submit(f, r.describe(), true, () -> add(r));
    }

    /** A request the app cancelled: out of the queue, no resend, no retry. */
    private void withdraw(Request r) {
        if (pending.remove(r.id, r)) {
            r.cancelRetry();
            log.debug("client {}: {} cancelled{}", engine.clientId, r.describe(),
                    r.sentOn == null ? " before it was sent" : " after it was sent; it is not sent again");
            finish(r, null);
        }
    }

    private <T> CompletableFuture<T> submit(CompletableFuture<T> f, String what, boolean counted, Runnable task) {
        boolean posted = engine.post(() -> {
            if (engine.isClosed()) {
                if (counted) {
                    unanswered.decrementAndGet();
                }
                engine.fail(f, GeoWsClientException.closed(what));
                return;
            }
            task.run();
        });
        if (!posted) {
            if (counted) {
                unanswered.decrementAndGet();
            }
            engine.fail(f, GeoWsClientException.closed(what));
        }
        return f;
    }

    private String nextMessageId() {
        return engine.clientId + "-" + messageIds.incrementAndGet();
    }

    private long deadline() {
        return System.nanoTime() + options.requestTimeout().toNanos();
    }

    // ---------------------------------------------------------------- sending

    private void add(Request r) {
        pending.put(r.id, r);
        trySend(r);
    }

    private void trySend(Request r) {
        WsConnection c = engine.sendable();
        if (c == null || r.retry != null) {
            return; // sent after the next welcome, or when its retry is due
        }
        if (r.kind == Kind.PUBLISH && joining(r.target)) {
            // The node fixes a join's start after it reads the room's position, so a publish that
            // overtakes the 'joined' could land before it and never come back to us: wait for it.
            return;
        }
        String frame = switch (r.kind) {
            case PUBLISH, DIRECT, RPC -> r.frame;
            case JOIN -> {
                RoomState rs = rooms.get(r.target);
                // A room the client already delivered messages of is rejoined from its cursor.
                yield Frames.join(r.target, rs == null ? null : rs.cursor(), r.id);
            }
            case LEAVE -> Frames.leave(r.target, r.id);
            case PRESENCE -> Frames.presence(r.target, r.id);
        };
        if (c.sendText(frame)) {
            r.sentOn = c;
        }
    }

    // ---------------------------------------------------------------- session lifecycle (loop)

    /** The positions to name in the next hello's {@code resume}. */
    Map<String, Frames.Position> resumePositions() {
        Map<String, Frames.Position> resume = new LinkedHashMap<>();
        rooms.forEach((name, rs) -> {
            if (rs.cursor() != null) {
                resume.put(name, rs.cursor());
            }
        });
        // A rejoin the client queued by itself is what the hello does now.
        pending.values().removeIf(r -> {
            boolean covered = r.kind == Kind.JOIN && r.future == null && resume.containsKey(r.target);
            if (covered) {
                r.cancelRetry();
            }
            return covered;
        });
        return resume;
    }

    void onWelcome(WsConnection c, JsonNode welcome) {
        JsonNode recovered = welcome.path("recovered");
        JsonNode positions = welcome.path("positions");
        List<Request> rejoins = new ArrayList<>();
        for (String room : c.resumed) {
            RoomState rs = rooms.get(room);
            if (rs == null) {
                continue; // left during the handshake: its leave is queued
            }
            JsonNode rec = recovered.get(room);
            if (rec == null) {
                // The node could not rejoin it (its broker was unreachable): join it again, from the cursor.
                rejoins.add(new Request(Kind.JOIN, "j" + (++requestIds), room, null, null, Long.MAX_VALUE));
            } else if (!rec.asBoolean(true)) {
                gap(rs, Frames.positionOf(positions.get(room)));
            }
        }
        // Rejoins first: a resent publish to such a room must reach the node after the join.
        rejoins.forEach(this::add);
        for (Request r : new ArrayList<>(pending.values())) {
            if (r.sentOn == null) {
                r.cancelRetry();
                trySend(r);
            }
        }
    }

    /** The connection is gone: what it carried is resent on the next one, except what cannot be. */
    void connectionLost(WsConnection c) {
        for (Iterator<Request> it = pending.values().iterator(); it.hasNext(); ) {
            Request r = it.next();
            if (r.kind == Kind.LEAVE) {
                it.remove(); // the membership ended with the session, and the next hello will not name the room
                r.cancelRetry();
                engine.complete(r.future, null);
            } else if (r.sentOn == c) {
                if (r.kind == Kind.DIRECT || r.kind == Kind.RPC) {
                    it.remove(); // not deduplicated by the node: resending could deliver (or run) it twice
                    finish(r, GeoWsClientException.unconfirmed(r.describe(), c.region.name()));
                } else {
                    r.sentOn = null; // publishes keep their id: the node acknowledges a repeat without delivering it again
                }
            }
        }
    }

    /** Fails requests past their deadline. */
    void expire(long now) {
        List<String> expired = new ArrayList<>();
        for (Iterator<Request> it = pending.values().iterator(); it.hasNext(); ) {
            Request r = it.next();
            if (r.deadlineNanos != Long.MAX_VALUE && now - r.deadlineNanos > 0) {
                it.remove();
                r.cancelRetry();
                if (r.kind == Kind.LEAVE) {
                    engine.complete(r.future, null); // the room is left on this side; the node drops it with the session at the latest
                    continue;
                }
                finish(r, GeoWsClientException.timeout(r.describe(), options.requestTimeout()));
                if (r.kind == Kind.JOIN) {
                    rooms.remove(r.target);
                    WsConnection c = engine.sendable();
                    if (c != null && r.sentOn == c) {
                        c.sendText(Frames.leave(r.target, "l" + (++requestIds))); // in case the node joins it after all
                    }
                    expired.add(r.target);
                }
            }
        }
        expired.forEach(this::releaseHeld);
    }

    void closeAll(GeoWsClientException cause) {
        for (Request r : pending.values()) {
            r.cancelRetry();
            finish(r, cause != null ? cause : GeoWsClientException.closed(r.describe()));
        }
        pending.clear();
        rooms.clear();
    }

    // ---------------------------------------------------------------- frames (loop)

    void onFrame(String type, JsonNode f) {
        switch (type) {
            case "message" -> onMessage(f);
            case "joined" -> onJoined(f);
            case "left", "ack", "presence", "rpc" -> onAnswer(type, f);
            case "direct" -> {
                Message m = Frames.message(f, null);
                engine.callbacks.execute(() -> options.listener().onDirect(m));
            }
            case "broadcast" -> {
                Message m = Frames.message(f, null);
                engine.callbacks.execute(() -> options.listener().onBroadcast(m));
            }
            default -> log.debug("client {}: ignoring a frame of unknown type '{}'", engine.clientId, type);
        }
    }

    private void onMessage(JsonNode f) {
        RoomState rs = rooms.get(f.path("room").asText());
        if (rs == null) {
            return; // left, or a join that timed out
        }
        Frames.Position at = Frames.positionOf(f);
        if (at == null) {
            log.warn("client {}: a message in '{}' without offset and epoch; ignored", engine.clientId, rs.room);
            return;
        }
        switch (rs.accept(at.offset(), at.epoch())) {
            case DUPLICATE -> {
                log.debug("client {}: dropped a repeat of {}@{} in '{}'", engine.clientId, at.offset(), at.epoch(), rs.room);
                return;
            }
            case NEW_EPOCH -> {
                log.warn("client {}: room '{}' moved to history epoch {}; earlier messages may be lost",
                        engine.clientId, rs.room, at.epoch());
                engine.callbacks.execute(() -> rs.listener.onGap(rs.room));
            }
            case DELIVER -> {
                // the common case
            }
        }
        Message m = Frames.message(f, rs.room);
        engine.callbacks.execute(() -> rs.listener.onMessage(m));
    }

    private void onJoined(JsonNode f) {
        String ref = Frames.textOrNull(f, "ref");
        Request r = ref == null ? null : pending.remove(ref);
        if (r != null) {
            r.cancelRetry();
        }
        RoomState rs = rooms.get(f.path("room").asText());
        if (rs == null) {
            return; // left meanwhile; the leave is on its way
        }
        Frames.Position at = Frames.positionOf(f);
        if (at != null) {
            rs.joined(at);
        }
        if (f.has("recovered") && !f.path("recovered").asBoolean(true)) {
            gap(rs, at);
        }
        if (r != null) {
            engine.complete(r.future, rs.handle);
        }
        releaseHeld(rs.room);
    }

    private void onAnswer(String type, JsonNode f) {
        if (type.equals("presence") && !"snapshot".equals(f.path("event").asText())) {
            onPresenceEvent(f);
            return;
        }
        String ref = Frames.textOrNull(f, "ref");
        Request r = ref == null ? null : pending.remove(ref);
        if (r == null) {
            // e.g. the ack of a publish that was already answered on a connection we left
            log.debug("client {}: '{}' for no pending request ({})", engine.clientId, type, ref);
            return;
        }
        r.cancelRetry();
        switch (type) {
            case "ack" -> finish(r, r.kind == Kind.PUBLISH
                    ? new PublishAck(r.id, r.target, f.path("offset").asLong(), Frames.textOrNull(f, "epoch"),
                    f.path("duplicate").asBoolean(false))
                    : new DirectAck(r.id, f.path("delivered").asInt()));
            case "rpc" -> finish(r, new RpcResult(r.target, f.path("data")));
            case "presence" -> {
                List<Member> members = new ArrayList<>();
                for (JsonNode m : f.path("members")) {
                    members.add(member(m));
                }
                finish(r, List.copyOf(members));
            }
            default -> finish(r, null); // left
        }
    }

    private void onPresenceEvent(JsonNode f) {
        RoomState rs = rooms.get(f.path("room").asText());
        if (rs == null) {
            return;
        }
        if ("count".equals(f.path("event").asText())) {
            int members = f.path("count").asInt();
            engine.callbacks.execute(() -> rs.listener.onOccupancy(rs.room, members));
            return;
        }
        if ("diff".equals(f.path("event").asText())) {
            // A node that coalesces presence sends a window's changes in one frame: one event each.
            List<PresenceEvent> events = new ArrayList<>();
            f.path("left").forEach(m -> events.add(new PresenceEvent(rs.room, false, member(m))));
            f.path("joined").forEach(m -> events.add(new PresenceEvent(rs.room, true, member(m))));
            engine.callbacks.execute(() -> events.forEach(rs.listener::onPresence));
            return;
        }
        PresenceEvent e = new PresenceEvent(rs.room, "join".equals(f.path("event").asText()), member(f));
        engine.callbacks.execute(() -> rs.listener.onPresence(e));
    }

    /** An {@code error} frame about a request. */
    void onError(String code, String ref, String message) {
        Request r = ref == null ? null : pending.get(ref);
        if (r == null) {
            log.warn("client {}: the node reported {} ({}){}", engine.clientId, code, message,
                    ref == null ? "" : " about " + ref);
            return;
        }
        if (r.kind == Kind.LEAVE) {
            pending.remove(ref);
            engine.complete(r.future, null); // not_member: it is not in the room, which is what leave wanted
            return;
        }
        RetryDecision d = RetryDecision.afterError(code);
        if (d.retry() && (++r.attempts < options.maxAttempts() || r.future == null)) {
            Duration delay = options.retryBackoff().delay(r.attempts);
            if (r.deadlineNanos == Long.MAX_VALUE || System.nanoTime() + delay.toNanos() - r.deadlineNanos < 0) {
                log.debug("client {}: {} answered {}; again in {} ms ({})", engine.clientId, r.describe(), code,
                        delay.toMillis(), d.reason());
                r.sentOn = null;
                r.retry = engine.schedule(delay, () -> {
                    r.retry = null;
                    if (pending.get(r.id) == r) {
                        trySend(r);
                    }
                });
                return;
            }
        }
        pending.remove(ref);
        if (r.kind == Kind.JOIN) {
            rooms.remove(r.target);
            if (r.future == null) {
                log.warn("client {}: could not rejoin room '{}' ({}: {}); it is left", engine.clientId, r.target, code, message);
            }
            releaseHeld(r.target);
        }
        finish(r, RequestRejectedException.of(r.describe(), code, message));
    }

    /** Whether a request with this id waits for its answer. */
    boolean awaits(String ref) {
        return ref != null && pending.containsKey(ref);
    }

    /** Whether a join of the room waits for its answer. */
    private boolean joining(String room) {
        for (Request p : pending.values()) {
            if (p.kind == Kind.JOIN && p.target.equals(room)) {
                return true;
            }
        }
        return false;
    }

    /** Sends what waited for a join of the room to be answered, in order. */
    private void releaseHeld(String room) {
        for (Request p : new ArrayList<>(pending.values())) {
            if (p.kind == Kind.PUBLISH && p.sentOn == null && p.target.equals(room)) {
                trySend(p);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private void gap(RoomState rs, Frames.Position nodePosition) {
        log.warn("client {}: room '{}' could not be fully recovered after the reconnect", engine.clientId, rs.room);
        rs.unrecovered(nodePosition);
        engine.callbacks.execute(() -> rs.listener.onGap(rs.room));
    }

    private void finish(Request r, Object result) {
        if (r.countsAsPending()) {
            unanswered.decrementAndGet();
        }
        if (result instanceof Throwable t) {
            engine.fail(r.future, t);
        } else {
            engine.complete(r.future, result);
        }
    }

    private static Member member(JsonNode m) {
        return new Member(m.path("user").asText(), Frames.textOrNull(m, "region"), Frames.textOrNull(m, "node"));
    }
}
