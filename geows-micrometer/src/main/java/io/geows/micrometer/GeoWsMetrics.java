package io.geows.micrometer;

import io.geows.GeoWsNode;
import io.geows.NodeObserver;
import io.geows.NodeStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A node's metrics in Micrometer, all tagged with {@code region} and {@code node}: the per-event ones
 * through {@link NodeObserver}, the counters of {@link GeoWsNode#stats()} as function counters.
 *
 * <p>Names (Prometheus form): {@code geows_sessions}, {@code geows_rooms}, {@code geows_frames_in_total{type}},
 * {@code geows_frames_out_total}, {@code geows_messages_out_total{kind}}, {@code geows_delivery_latency_seconds}
 * (histogram; {@code origin_region}, {@code cross_region}), {@code geows_frames_rejected_total},
 * {@code geows_publish_rejected_total}, {@code geows_slow_consumer_disconnects_total},
 * {@code geows_broker_messages_dropped_total}, {@code geows_broker_reconnects_total},
 * {@code geows_resumes_total{result}}, {@code geows_ready}, {@code geows_broker_placement{role,holder}} (1 where
 * the broker keeps that part now, 0 where it was before: see {@link GeoWsNode#brokerPlacement()}).
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class GeoWsMetrics implements NodeObserver {
    private final MeterRegistry registry;
    private final String region;
    private final Tags tags;

    /**
     * Metrics of one node: give it to {@code GeoWsNode.Builder.observer(...)} and call {@link #bind} once the
     * node is built.
     */
    public GeoWsMetrics(MeterRegistry registry, String region, String nodeId) {
        this.registry = registry;
        this.region = region;
        this.tags = Tags.of("region", region, "node", nodeId);
    }

    // Meters are looked up once per tag value, not built per event (a builder and a registry lookup per
    // message cost a few percent of a busy node's CPU).
    private final ConcurrentHashMap<String, Counter> framesIn = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> messagesOut = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> latencyByOrigin = new ConcurrentHashMap<>();
    private final java.util.Set<String> placementsSeen = ConcurrentHashMap.newKeySet();

    @Override
    public void frameReceived(String type) {
        framesIn.computeIfAbsent(type, t -> registry.counter("geows.frames.in", tags.and("type", t))).increment();
    }

    @Override
    public void delivered(String kind, String originRegion, long originTimestampMillis, int recipients) {
        messagesOut.computeIfAbsent(kind, k -> Counter.builder("geows.messages.out").tags(tags.and("kind", k)).register(registry))
                .increment(recipients);
        long latency = Math.max(0, System.currentTimeMillis() - originTimestampMillis);
        latencyByOrigin.computeIfAbsent(originRegion, o -> Timer.builder("geows.delivery.latency")
                        .description("origin timestamp to delivery on this node")
                        .tags(tags.and("origin_region", o, "cross_region", String.valueOf(!o.equals(region))))
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(Duration.ofSeconds(10))
                        .register(registry))
                .record(latency, TimeUnit.MILLISECONDS);
    }

    /** Registers the node's counters and gauges. */
    public void bind(GeoWsNode node) {
        Gauge.builder("geows.sessions", node, n -> n.stats().sessions()).tags(tags).register(registry);
        Gauge.builder("geows.rooms", node, n -> n.stats().rooms()).tags(tags).register(registry);
        Gauge.builder("geows.ready", node, n -> n.isReady() ? 1 : 0).tags(tags).register(registry);
        counter("geows.frames.out", node, NodeStats::framesOut, tags);
        counter("geows.frames.rejected", node, NodeStats::badFrames, tags);
        counter("geows.publish.rejected", node, NodeStats::publishRejected, tags);
        counter("geows.slow.consumer.disconnects", node, NodeStats::slowConsumerDisconnects, tags);
        counter("geows.broker.messages.dropped", node, NodeStats::brokerMessagesDropped, tags);
        counter("geows.broker.reconnects", node, NodeStats::brokerReconnects, tags);
        counter("geows.resumes", node, NodeStats::recoveredResumes, tags.and("result", "recovered"));
        counter("geows.resumes", node, NodeStats::unrecoverableResumes, tags.and("result", "unrecoverable"));
        counter("geows.resumes.from.memory", node, NodeStats::resumesFromMemory, tags);
        counter("geows.broker.messages.forged", node, NodeStats::brokerMessagesForged, tags);
        counter("geows.broker.messages.replayed", node, NodeStats::brokerMessagesReplayed, tags);
        counter("geows.frames.rate.limited", node, NodeStats::rateLimited, tags);
        counter("geows.connections.refused", node, NodeStats::connectionsRefused, tags);
        counter("geows.access.denied", node, NodeStats::accessDenied, tags);
        counter("geows.tokens.expired", node, NodeStats::tokensExpired, tags);
        counter("geows.limit.disconnects", node, NodeStats::limitDisconnects, tags);
        notePlacement(node);
    }

    /**
     * Registers a {@code geows.broker.placement} gauge for each (role, holder) the node's broker has
     * named so far: 1 while it holds that part, 0 after it moved elsewhere. Called at each scrape.
     */
    public void notePlacement(GeoWsNode node) {
        node.brokerPlacement().forEach((role, holder) -> {
            if (placementsSeen.add(role + "\n" + holder)) {
                Gauge.builder("geows.broker.placement", node, n -> holder.equals(n.brokerPlacement().get(role)) ? 1 : 0)
                        .description("1 where the broker keeps this part for the node now, 0 where it was")
                        .tags(tags.and("role", role, "holder", holder)).register(registry);
            }
        });
    }

    /** Removes the node's meters (a demo region stopped; a new node may take its name later). */
    public void unbind() {
        framesIn.clear();
        messagesOut.clear();
        latencyByOrigin.clear();
        placementsSeen.clear();
        String node = tags.stream().filter(t -> t.getKey().equals("node")).findFirst().orElseThrow().getValue();
        registry.getMeters().stream().filter(m -> node.equals(m.getId().getTag("node"))).toList().forEach(registry::remove);
    }

    private void counter(String name, GeoWsNode node, ToDoubleFunction<NodeStats> value, Tags t) {
        FunctionCounter.builder(name, node, n -> value.applyAsDouble(n.stats())).tags(t).register(registry);
    }
}
