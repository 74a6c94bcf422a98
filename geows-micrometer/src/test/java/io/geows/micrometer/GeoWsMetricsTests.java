package io.geows.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GeoWsMetricsTests {
    @Test
    void aNodesMetersAreTaggedWithItsRegionAndNodeAndGoWhenUnbound() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GeoWsMetrics metrics = new GeoWsMetrics(registry, "eu-west", "eu-1");
        try (GeoWsNode node = GeoWsNode.builder().region("eu-west").nodeId("eu-1").observer(metrics)
                .authenticator(Authenticator.insecureTokenAsUserId()).drainTimeout(Duration.ZERO).build().start()) {
            metrics.bind(node);
            assertThat(registry.get("geows.ready").tag("region", "eu-west").tag("node", "eu-1").gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("geows.sessions").gauge().value()).isZero();
            metrics.delivered("message", "us-east", System.currentTimeMillis() - 5, 3);
            assertThat(registry.get("geows.messages.out").tag("kind", "message").counter().count()).isEqualTo(3.0);
            assertThat(registry.get("geows.delivery.latency").tag("cross_region", "true").timer().count()).isEqualTo(1);
            metrics.unbind();
            assertThat(registry.find("geows.ready").gauge()).isNull();
        }
    }
}
