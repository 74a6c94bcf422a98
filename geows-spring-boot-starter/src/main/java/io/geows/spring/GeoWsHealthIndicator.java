package io.geows.spring;

import io.geows.GeoWsNode;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * UP while the node is ready (started, every broker connected, not draining), else DOWN naming the
 * brokers that are down (Spring Boot 3; on Boot 4 the starter registers {@link GeoWsBoot4HealthIndicator}).
 * Put it in the readiness group
 * ({@code management.endpoint.health.group.readiness.include=readinessState,geows}) so that a load
 * balancer stops sending clients to a node that lost its broker.
 *
 * @since 0.1.0
 */
public class GeoWsHealthIndicator implements HealthIndicator {
    private final GeoWsNode node;

    public GeoWsHealthIndicator(GeoWsNode node) {
        this.node = node;
    }

    @Override
    public Health health() {
        return (node.isReady() ? Health.up() : Health.down()).withDetails(HealthDetails.of(node)).build();
    }
}
