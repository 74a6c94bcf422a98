package io.geows.kafka.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.geows.spi.NodeInfo;
import io.geows.spi.Presence;
import io.geows.spi.PresenceMember;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory in a compacted topic of one partition, read from its start by every node into
 * memory: keys {@code n/<node>} (a node's heartbeat, with its time-to-live), {@code u/<user>/<node>}
 * and {@code r/<room>/<user>/<node>} (separated by NUL, not {@code /}), a null value removes. A write
 * completes once this node's own reader has read it back, so a node reads its own writes. Entries of
 * a node whose heartbeat expired are left out of every answer.
 */
public final class KafkaPresence implements Presence, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaPresence.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char SEP = '\0';

    private final TopicPartition tp;
    private final KafkaHistory.Producing producing;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final Duration timeout;
    private volatile boolean running = true;
    /** key -> value, as the topic holds it now (reader thread writes, anyone reads). */
    private final Map<String, byte[]> entries = new ConcurrentHashMap<>();
    /** Writes waiting for the reader to pass their offset (reader thread only, guarded by itself). */
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
    private volatile long position;

    public KafkaPresence(Names names, KafkaHistory.Producing producing, KafkaConsumer<String, byte[]> consumer,
                         Duration timeout, String threadName) {
        this.tp = new TopicPartition(names.presence(), 0);
        this.producing = producing;
        this.consumer = consumer;
        this.timeout = timeout;
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        while (running) {
            try {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.key() != null) {
                        if (r.value() == null) {
                            entries.remove(r.key());
                        } else {
                            entries.put(r.key(), r.value());
                        }
                    }
                    position = r.offset() + 1;
                }
                List<CompletableFuture<Void>> done = new ArrayList<>();
                synchronized (waiters) {
                    while (!waiters.isEmpty() && waiters.firstKey() < position) {
                        done.addAll(waiters.pollFirstEntry().getValue());
                    }
                }
                done.forEach(f -> f.complete(null));
            } catch (WakeupException e) {
                // closing
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("Kafka presence reader: {}", e.toString());
                }
            }
        }
    }

    private CompletableFuture<Void> write(String key, byte[] value) {
        return producing.send(new ProducerRecord<>(tp.topic(), tp.partition(), key, value)).thenCompose(offset -> {
            CompletableFuture<Void> read = new CompletableFuture<>();
            synchronized (waiters) {
                if (position > offset) {
                    read.complete(null);
                } else {
                    waiters.computeIfAbsent(offset, o -> new ArrayList<>()).add(read);
                }
            }
            return read.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        });
    }

    private static byte[] json(ObjectNode n) {
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode parse(byte[] b) {
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String nodeKey(String nodeId) {
        return "n" + SEP + nodeId;
    }

    private boolean live(String nodeId, long now) {
        byte[] v = entries.get(nodeKey(nodeId));
        if (v == null) {
            return false;
        }
        JsonNode n = parse(v);
        return n.path("seen").asLong() + n.path("ttl").asLong() > now;
    }

    @Override
    public CompletableFuture<Void> heartbeat(NodeInfo node, Duration ttl) {
        ObjectNode v = JSON.createObjectNode().put("region", node.region()).put("connections", node.connections())
                .put("seen", System.currentTimeMillis()).put("ttl", ttl.toMillis());
        if (node.publicUrl() != null) {
            v.put("url", node.publicUrl());
        }
        return write(nodeKey(node.nodeId()), json(v));
    }

    @Override
    public CompletableFuture<Void> removeNode(String nodeId) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String k : entries.keySet()) {
            if (k.endsWith(SEP + nodeId) && !k.equals(nodeKey(nodeId))) {
                all.add(write(k, null));
            }
        }
        all.add(write(nodeKey(nodeId), null));
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<List<NodeInfo>> nodes() {
        long now = System.currentTimeMillis();
        List<NodeInfo> out = new ArrayList<>();
        entries.forEach((k, v) -> {
            if (k.startsWith("n" + SEP)) {
                JsonNode n = parse(v);
                if (n.path("seen").asLong() + n.path("ttl").asLong() > now) {
                    out.add(new NodeInfo(k.substring(2), n.path("region").asText(), n.path("url").asText(null),
                            n.path("connections").asInt(), n.path("seen").asLong()));
                }
            }
        });
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public CompletableFuture<Void> userOnline(PresenceMember m) {
        return write("u" + SEP + m.user() + SEP + m.nodeId(), json(JSON.createObjectNode().put("region", m.region())));
    }

    @Override
    public CompletableFuture<Void> userOffline(PresenceMember m) {
        return write("u" + SEP + m.user() + SEP + m.nodeId(), null);
    }

    @Override
    public CompletableFuture<List<PresenceMember>> locate(String user) {
        return CompletableFuture.completedFuture(members("u" + SEP + user + SEP, user));
    }

    @Override
    public CompletableFuture<Void> join(String room, PresenceMember m) {
        return write("r" + SEP + room + SEP + m.user() + SEP + m.nodeId(),
                json(JSON.createObjectNode().put("region", m.region())));
    }

    @Override
    public CompletableFuture<Void> leave(String room, PresenceMember m) {
        return write("r" + SEP + room + SEP + m.user() + SEP + m.nodeId(), null);
    }

    @Override
    public CompletableFuture<List<PresenceMember>> members(String room) {
        String prefix = "r" + SEP + room + SEP;
        long now = System.currentTimeMillis();
        List<PresenceMember> out = new ArrayList<>();
        entries.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                String rest = k.substring(prefix.length());
                int cut = rest.lastIndexOf(SEP);
                String user = rest.substring(0, cut);
                String nodeId = rest.substring(cut + 1);
                if (live(nodeId, now)) {
                    out.add(new PresenceMember(user, parse(v).path("region").asText(), nodeId));
                }
            }
        });
        return CompletableFuture.completedFuture(out);
    }

    private List<PresenceMember> members(String prefix, String user) {
        long now = System.currentTimeMillis();
        List<PresenceMember> out = new ArrayList<>();
        entries.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                String nodeId = k.substring(prefix.length());
                if (live(nodeId, now)) {
                    out.add(new PresenceMember(user, parse(v).path("region").asText(), nodeId));
                }
            }
        });
        return out;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            consumer.close(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            log.debug("closing the presence reader", e);
        }
    }
}
