package io.geows.spring;

import io.geows.GeoWsNode;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP while the node is ready (started, every broker connected, not draining), else DOWN naming the
 * brokers that are down: {@link GeoWsHealthIndicator} for Spring Boot 4, whose health API is
 * {@code org.springframework.boot.health.contributor}.
 * Put it in the readiness group
 * ({@code management.endpoint.health.group.readiness.include=readinessState,geows}) so that a load
 * balancer stops sending clients to a node that lost its broker.
 *
 * @since 0.1.0
 */
public class GeoWsBoot4HealthIndicator implements HealthIndicator {
    private final GeoWsNode node;

    public GeoWsBoot4HealthIndicator(GeoWsNode node) {
        this.node = node;
    }

    @Override
    public Health health() {
        return (node.isReady() ? Health.up() : Health.down()).withDetails(HealthDetails.of(node)).build();
    }
}
