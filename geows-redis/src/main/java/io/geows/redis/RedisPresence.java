package io.geows.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.geows.Topics;
import io.geows.spi.NodeInfo;
import io.geows.spi.Presence;
import io.geows.spi.PresenceMember;
import io.lettuce.core.Range;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Presence in plain Redis sets, one key per command (so it works on Redis Cluster too). Liveness
 * comes from the node's heartbeat (a sorted set of expiry times): entries of a node that stopped
 * heartbeating are filtered out of every answer and removed lazily by the readers. Each node also
 * keeps an index of the entries it wrote, so {@link #removeNode} removes them all at once.
 *
 * <p>Times are the nodes' clocks; keep them within a fraction of the presence time-to-live (NTP).
 */
final class RedisPresence implements Presence {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEAD_NODE_MEMORY_MS = 24 * 3600 * 1000L;

    private final RedisBroker broker;
    private final String nodesKey;
    private final String prefix;

    RedisPresence(RedisBroker broker, Topics topics) {
        this.broker = broker;
        this.prefix = topics.prefix();
        this.nodesKey = prefix + ":nodes";
    }

    private String nodeKey(String nodeId) {
        return prefix + ":node:" + Topics.escape(nodeId);
    }

    private String userKey(String user) {
        return prefix + ":user:{" + Topics.escape(user) + "}";
    }

    private String roomKey(String room) {
        return prefix + ":presence:{" + Topics.escape(room) + "}";
    }

    private String indexKey(String nodeId) {
        return prefix + ":nodeidx:{" + Topics.escape(nodeId) + "}";
    }

    private static byte[] indexEntry(String key, byte[] member) {
        return (key + "\n" + new String(member, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    private CompletableFuture<Void> add(String key, PresenceMember m) {
        byte[] member = member(m);
        return broker.call(c -> CompletableFuture.allOf(
                c.sadd(indexKey(m.nodeId()), indexEntry(key, member)).toCompletableFuture(),
                c.sadd(key, member).toCompletableFuture()));
    }

    private CompletableFuture<Void> remove(String key, PresenceMember m) {
        byte[] member = member(m);
        return broker.call(c -> CompletableFuture.allOf(
                c.srem(key, member).toCompletableFuture(),
                c.srem(indexKey(m.nodeId()), indexEntry(key, member)).toCompletableFuture()));
    }

    private static byte[] member(PresenceMember m) {
        try {
            return JSON.writeValueAsBytes(List.of(m.user(), m.region(), m.nodeId()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PresenceMember member(byte[] raw) {
        try {
            JsonNode a = JSON.readTree(raw);
            return new PresenceMember(a.get(0).asText(), a.get(1).asText(), a.get(2).asText());
        } catch (Exception e) {
            return null; // not ours: ignore
        }
    }

    @Override
    public CompletableFuture<Void> heartbeat(NodeInfo node, Duration ttl) {
        long expires = System.currentTimeMillis() + ttl.toMillis();
        byte[] info;
        try {
            info = JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(e);
        }
        return broker.call(c -> CompletableFuture.allOf(
                c.zadd(nodesKey, (double) expires, node.nodeId().getBytes(StandardCharsets.UTF_8)).toCompletableFuture(),
                c.set(nodeKey(node.nodeId()), info, SetArgs.Builder.px(ttl.toMillis())).toCompletableFuture()));
    }

    @Override
    public CompletableFuture<Void> removeNode(String nodeId) {
        String index = indexKey(nodeId);
        return broker.call(c -> CompletableFuture.allOf(
                c.zrem(nodesKey, nodeId.getBytes(StandardCharsets.UTF_8)).toCompletableFuture(),
                c.del(nodeKey(nodeId)).toCompletableFuture(),
                c.smembers(index).toCompletableFuture().thenCompose(entries -> {
                    List<CompletableFuture<?>> removals = new ArrayList<>();
                    for (byte[] entry : entries) {
                        String text = new String(entry, StandardCharsets.UTF_8);
                        int nl = text.indexOf('\n');
                        if (nl > 0) {
                            removals.add(c.srem(text.substring(0, nl),
                                    text.substring(nl + 1).getBytes(StandardCharsets.UTF_8)).toCompletableFuture());
                        }
                    }
                    removals.add(c.del(index).toCompletableFuture());
                    return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new));
                })));
    }

    @Override
    public CompletableFuture<List<NodeInfo>> nodes() {
        long now = System.currentTimeMillis();
        return broker.call(c -> c.zrangebyscore(nodesKey, Range.create((double) now, Double.POSITIVE_INFINITY))
                .toCompletableFuture()
                .thenCompose(ids -> {
                    // Forget nodes dead for a day; until then readers still see their expiry and
                    // remove their entries (a node that disappeared from the set would leave them behind).
                    c.zremrangebyscore(nodesKey, Range.create(Double.NEGATIVE_INFINITY, (double) (now - DEAD_NODE_MEMORY_MS)));
                    List<CompletableFuture<byte[]>> infos = new ArrayList<>();
                    for (byte[] id : ids) {
                        infos.add(c.get(nodeKey(new String(id, StandardCharsets.UTF_8))).toCompletableFuture());
                    }
                    return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new)).thenApply(x -> {
                        List<NodeInfo> out = new ArrayList<>();
                        for (CompletableFuture<byte[]> f : infos) {
                            byte[] raw = f.join();
                            if (raw != null) {
                                try {
                                    out.add(JSON.readValue(raw, NodeInfo.class));
                                } catch (Exception e) {
                                    // a stranger's value under our key: skip it
                                }
                            }
                        }
                        return out;
                    });
                }));
    }

    @Override
    public CompletableFuture<Void> userOnline(PresenceMember m) {
        return add(userKey(m.user()), m);
    }

    @Override
    public CompletableFuture<Void> userOffline(PresenceMember m) {
        return remove(userKey(m.user()), m);
    }

    @Override
    public CompletableFuture<List<PresenceMember>> locate(String user) {
        return live(userKey(user));
    }

    @Override
    public CompletableFuture<Void> join(String room, PresenceMember m) {
        return add(roomKey(room), m);
    }

    @Override
    public CompletableFuture<Void> leave(String room, PresenceMember m) {
        return remove(roomKey(room), m);
    }

    @Override
    public CompletableFuture<List<PresenceMember>> members(String room) {
        return live(roomKey(room));
    }

    /** The set's members whose node is alive; members of dead nodes are removed on the way. */
    private CompletableFuture<List<PresenceMember>> live(String key) {
        long now = System.currentTimeMillis();
        return broker.call(c -> c.smembers(key).toCompletableFuture().thenCompose((Set<byte[]> raw) -> {
            List<byte[]> rawList = new ArrayList<>(raw);
            List<PresenceMember> members = new ArrayList<>();
            for (byte[] r : rawList) {
                members.add(member(r));
            }
            if (members.isEmpty()) {
                return CompletableFuture.completedFuture(List.<PresenceMember>of());
            }
            byte[][] ids = members.stream().map(m -> (m == null ? "" : m.nodeId()).getBytes(StandardCharsets.UTF_8))
                    .toArray(byte[][]::new);
            return c.zmscore(nodesKey, ids).toCompletableFuture().thenApply(scores -> {
                List<PresenceMember> out = new ArrayList<>();
                List<byte[]> dead = new ArrayList<>();
                for (int i = 0; i < members.size(); i++) {
                    Double expires = scores.get(i);
                    if (members.get(i) != null && expires != null && expires > now) {
                        out.add(members.get(i));
                    } else if (members.get(i) == null || (expires != null && expires <= now)) {
                        // Only entries of nodes known to be dead (or not ours at all): a node missing from
                        // the set may be re-registering right now, and its entries must survive that.
                        dead.add(rawList.get(i));
                    }
                }
                if (!dead.isEmpty()) {
                    c.srem(key, dead.toArray(byte[][]::new));
                }
                return out;
            });
        }));
    }

}
