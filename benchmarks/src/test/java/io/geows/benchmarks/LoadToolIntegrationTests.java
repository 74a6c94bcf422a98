package io.geows.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.memory.InMemoryBroker;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A short run of the load tool against two real nodes: it counts every delivery and measures latency. */
class LoadToolIntegrationTests {

    @Test
    void shortRunDeliversEverythingOnceAndMeasuresBothKindsOfLatency() throws Exception {
        InMemoryBroker broker = new InMemoryBroker();
        try (GeoWsNode us = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("us-east").broker(broker.connect("us")).build().start();
             GeoWsNode eu = GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("eu-west").broker(broker.connect("eu")).build().start()) {
            Map<String, URI> targets = new LinkedHashMap<>();
            targets.put("us-east", us.uri());
            targets.put("eu-west", eu.uri());
            LoadTool.Result r = LoadTool.run(new LoadTool.Options(targets, 20, 4, 200, 2, 100));
            assertThat(r.published()).isEqualTo(400);
            assertThat(r.expected()).as("every message goes to its room's 4-6 members").isBetween(400L * 4, 400L * 6);
            assertThat(r.lost()).isZero();
            assertThat(r.duplicates()).isZero();
            assertThat(r.received()).isEqualTo(r.expected());
            assertThat(r.sameRegion().getTotalCount()).isPositive();
            assertThat(r.crossRegion().getTotalCount()).isPositive();
            assertThat(r.report()).contains("cross-region", "lost 0", "duplicates 0");
        }
    }
}
