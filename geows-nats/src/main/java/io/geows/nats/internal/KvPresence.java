package io.geows.nats.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.geows.BrokerUnavailableException;
import io.geows.spi.NodeInfo;
import io.geows.spi.Presence;
import io.geows.spi.PresenceMember;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.Placement;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence in a JetStream key-value bucket (one value per key, written and read without consumers).
 *
 * <p>Keys: {@code n.<node>} holds a node's heartbeat ({@link NodeInfo}, its time-to-live, and the
 * writing adapter's instance id); {@code u.<user>.<node>} says a user has a session on a node;
 * {@code r.<room>.<node>.<user>} says a user of a node is in a room. Every entry carries the instance
 * id of the adapter that wrote it, and counts only while the node's heartbeat entry is live (stored
 * less than its TTL ago, by the server's clock) <em>and</em> was written by the same instance. So the
 * users of a node that stops heartbeating vanish within one TTL, {@link #removeNode} hides them all at
 * once, and a node restarted under the same id never resurrects its previous life's users.
 *
 * <p>Lists are read by walking the bucket with direct gets on a wildcard subject
 * ({@code next_by_subj}): one round trip per entry plus one, no server-side consumer. Removals are
 * key-value deletes (a marker published on the key's subject), so they stay ordered after the
 * adapter's own earlier writes of the same key. Entries an adapter wrote are re-written before the
 * bucket's maximum age could drop them.
 */
public final class KvPresence implements Presence {
    private static final Logger log = LoggerFactory.getLogger(KvPresence.class);

    /** Settings of the bucket when this adapter creates it. */
    public record Config(String bucket, Duration maxAge, String placement, int replicas, String storage) {
    }

    private final JsApi api;
    private final Config config;
    private final BooleanSupplier connected;
    private final String stream;
    private final String subjectPrefix;
    private final String instance = UUID.randomUUID().toString().substring(0, 12);
    /** What this adapter wrote and has not removed: key → (value, when written), re-written as it ages. */
    private final Map<String, Written> written = new ConcurrentHashMap<>();
    private volatile CompletableFuture<Void> ensuring;

    private record Written(byte[] value, long atNanos) {
    }

    public KvPresence(JsApi api, Config config, BooleanSupplier connected) {
        this.api = api;
        this.config = config;
        this.connected = connected;
        this.stream = "KV_" + config.bucket();
        this.subjectPrefix = "$KV." + config.bucket() + ".";
    }

    /** Creates the bucket when it does not exist. */
    public CompletableFuture<Void> ensureBucket() {
        CompletableFuture<Void> current = ensuring;
        if (current != null && !current.isDone()) {
            return current;
        }
        CompletableFuture<Void> f = api.streamInfo(stream, null).thenCompose(info -> {
            if (info.isPresent()) {
                return CompletableFuture.completedFuture(null);
            }
            return api.createStream(bucketConfig()).handle((ok, err) -> {
                if (err == null) {
                    log.info("created presence bucket {} on {}", config.bucket(), api.address());
                    return null;
                }
                Throwable cause = JsApi.unwrap(err);
                if (cause instanceof JsApi.ApiError e && e.errCode() == 10058) {
                    return null; // created by another node meanwhile
                }
                throw new BrokerUnavailableException("cannot create presence bucket '" + config.bucket() + "' on NATS at "
                        + api.address() + ": " + cause.getMessage() + "; is JetStream enabled (nats-server -js)?", cause);
            });
        });
        ensuring = f;
        return f;
    }

    /** The bucket's stream as jnats' key-value API would create it (one value per key, rollups, direct gets). */
    private StreamConfiguration bucketConfig() {
        KeyValueConfiguration.Builder c = KeyValueConfiguration.builder()
                .name(config.bucket())
                .description("geows presence")
                .maxHistoryPerKey(1)
                .ttl(config.maxAge())
                .storageType(config.storage().equals("memory") ? StorageType.Memory : StorageType.File)
                .replicas(config.replicas());
        if (config.placement() != null) {
            c.placement(Placement.builder().cluster(config.placement()).build());
        }
        return c.build().getBackingConfig();
    }

    // ------------------------------------------------------------------ writes

    private CompletableFuture<Void> put(String key, byte[] value) {
        written.put(key, new Written(value, System.nanoTime()));
        return send(key, null, value);
    }

    private CompletableFuture<Void> delete(String key) {
        written.remove(key);
        return send(key, new Headers().add("KV-Operation", "DEL"), new byte[0]);
    }

    private CompletableFuture<Void> send(String key, Headers headers, byte[] value) {
        if (!connected.getAsBoolean()) {
            return unavailable();
        }
        return api.publish(subjectPrefix + key, headers, value).handle((ack, err) -> {
            if (err == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            if (JsApi.unwrap(err) instanceof JsApi.NoAnswer) {
                // The bucket may be gone (a broker restarted without its store): recreate it, once.
                return ensureBucket().thenCompose(v -> api.publish(subjectPrefix + key, headers, value))
                        .thenApply(a -> (Void) null);
            }
            return CompletableFuture.<Void>failedFuture(JsApi.unwrap(err));
        }).thenCompose(f -> f);
    }

    private <T> CompletableFuture<T> unavailable() {
        return CompletableFuture.failedFuture(BrokerUnavailableException.disconnected("nats:" + api.address()));
    }

    private byte[] entry(String region) {
        return JsApi.JSON.createObjectNode().put("region", region).put("inst", instance).toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public CompletableFuture<Void> heartbeat(NodeInfo node, Duration ttl) {
        ObjectNode v = JsApi.JSON.createObjectNode();
        v.put("node", node.nodeId()).put("region", node.region()).put("url", node.publicUrl())
                .put("connections", node.connections()).put("seen", node.lastSeenMillis())
                .put("ttl", ttl.toMillis()).put("inst", instance);
        refreshAging();
        return send(Names.nodeKey(node.nodeId()), null, v.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Re-writes entries this adapter wrote before the bucket's maximum age could drop them. */
    private void refreshAging() {
        long limit = config.maxAge().toNanos() / 2;
        long now = System.nanoTime();
        written.forEach((key, w) -> {
            if (now - w.atNanos() > limit) {
                put(key, w.value()).exceptionally(e -> {
                    log.debug("could not refresh presence entry {}: {}", key, e.toString());
                    return null;
                });
            }
        });
    }

    @Override
    public CompletableFuture<Void> removeNode(String nodeId) {
        String token = Names.keyToken(nodeId);
        written.keySet().removeIf(k -> k.endsWith("." + token) || k.contains("." + token + "."));
        // Deleting the heartbeat hides every entry of the node at once; the purges then drop the garbage.
        return delete(Names.nodeKey(nodeId))
                .thenCompose(v -> api.purge(stream, subjectPrefix + "u.*." + token))
                .thenCompose(v -> api.purge(stream, subjectPrefix + "r.*." + token + ".*"));
    }

    @Override
    public CompletableFuture<Void> userOnline(PresenceMember member) {
        return put(Names.userKey(member.user(), member.nodeId()), entry(member.region()));
    }

    @Override
    public CompletableFuture<Void> userOffline(PresenceMember member) {
        return delete(Names.userKey(member.user(), member.nodeId()));
    }

    @Override
    public CompletableFuture<Void> join(String room, PresenceMember member) {
        return put(Names.roomKey(room, member.nodeId(), member.user()), entry(member.region()));
    }

    @Override
    public CompletableFuture<Void> leave(String room, PresenceMember member) {
        return delete(Names.roomKey(room, member.nodeId(), member.user()));
    }

    // ------------------------------------------------------------------ reads

    /** A key's current value (deletes and purges excluded). */
    private record Entry(String key, JsonNode value, long storedMillis) {
    }

    /** Walks every live entry whose key matches the filter. */
    private CompletableFuture<List<Entry>> list(String filter) {
        if (!connected.getAsBoolean()) {
            return unavailable();
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        CompletableFuture<List<Entry>> done = new CompletableFuture<>();
        walk(subjectPrefix + filter, 1, out, done);
        return done;
    }

    private void walk(String subject, long from, Map<String, Entry> out, CompletableFuture<List<Entry>> done) {
        api.nextBySubject(stream, from, subject).whenComplete((found, err) -> {
            if (err != null) {
                done.completeExceptionally(JsApi.unwrap(err));
                return;
            }
            if (found.isEmpty()) {
                done.complete(new ArrayList<>(out.values()));
                return;
            }
            JsApi.Stored s = found.get();
            Entry e = toEntry(s);
            String key = s.subject().substring(subjectPrefix.length());
            if (e == null) {
                out.remove(key); // a later delete marker of a key already seen
            } else {
                out.put(key, e);
            }
            walk(subject, s.seq() + 1, out, done);
        });
    }

    private Entry toEntry(JsApi.Stored s) {
        String op = s.header("KV-Operation");
        if (op != null && !op.equals("PUT")) {
            return null;
        }
        try {
            JsonNode value = JsApi.JSON.readTree(s.data());
            return new Entry(s.subject().substring(subjectPrefix.length()), value, s.time().toEpochMilli());
        } catch (IOException e) {
            log.debug("ignoring unreadable presence entry {}", s.subject());
            return null;
        }
    }

    private CompletableFuture<Optional<Entry>> get(String key) {
        return api.lastBySubject(stream, subjectPrefix + key).thenApply(o -> o.map(this::toEntry));
    }

    private static boolean live(Entry node, long now) {
        return node.storedMillis() + node.value().path("ttl").asLong(0) > now;
    }

    private static NodeInfo nodeInfo(Entry e) {
        JsonNode v = e.value();
        return new NodeInfo(v.path("node").asText(), v.path("region").asText(),
                v.path("url").isTextual() ? v.path("url").asText() : null, v.path("connections").asInt(),
                v.path("seen").asLong(e.storedMillis()));
    }

    @Override
    public CompletableFuture<List<NodeInfo>> nodes() {
        return list("n.*").thenApply(entries -> {
            long now = System.currentTimeMillis();
            List<NodeInfo> out = new ArrayList<>();
            for (Entry e : entries) {
                if (live(e, now)) {
                    out.add(nodeInfo(e));
                }
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<List<PresenceMember>> locate(String user) {
        return list(Names.userFilter(user)).thenCompose(entries -> filterLive(entries, e -> {
            String[] t = e.key().split("\\.");
            return new PresenceMember(user, e.value().path("region").asText(), Names.unescapeKeyToken(t[2]));
        }));
    }

    @Override
    public CompletableFuture<List<PresenceMember>> members(String room) {
        return list(Names.roomFilter(room)).thenCompose(entries -> filterLive(entries, e -> {
            String[] t = e.key().split("\\.");
            return new PresenceMember(Names.unescapeKeyToken(t[3]), e.value().path("region").asText(),
                    Names.unescapeKeyToken(t[2]));
        }));
    }

    /** Keeps the entries whose node heartbeat is live and written by the same instance as the entry. */
    private CompletableFuture<List<PresenceMember>> filterLive(List<Entry> entries,
                                                              Function<Entry, PresenceMember> toMember) {
        Map<String, CompletableFuture<Optional<Entry>>> heartbeats = new HashMap<>();
        List<PresenceMember> members = new ArrayList<>();
        for (Entry e : entries) {
            PresenceMember m = toMember.apply(e);
            members.add(m);
            heartbeats.computeIfAbsent(m.nodeId(), n -> get(Names.nodeKey(n)));
        }
        return CompletableFuture.allOf(heartbeats.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            long now = System.currentTimeMillis();
            List<PresenceMember> out = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                PresenceMember m = members.get(i);
                Optional<Entry> hb = heartbeats.get(m.nodeId()).join();
                if (hb.isPresent() && live(hb.get(), now)
                        && hb.get().value().path("inst").asText().equals(entries.get(i).value().path("inst").asText())) {
                    out.add(m);
                }
            }
            return out;
        });
    }
}
