package io.geows.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.testkit.NatsCluster;
import io.geows.testkit.RegionLossDrill;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Losing the region that leads the history stream: one NATS cluster stretched over three regions
 * (40 ms one way between them), the history stream and presence bucket with three replicas, a node
 * in each region on its own server. {@link RegionLossDrill} kills the leader's region mid-stream.
 * The nodes wait 1 s for JetStream's answer (requestTimeout), so that a publish sent during the
 * leader election is answered {@code unavailable} and retried soon after the new leader is there.
 */
class NatsRegionLossIntegrationTests {
    private static final Logger measured = LoggerFactory.getLogger("io.geows.nats.Measured");
    private static final List<String> REGIONS = List.of("region-0", "region-1", "region-2");

    @Test
    @DisplayName("killing the region that leads the R3 history stream loses no acknowledged message; publishes are accepted again within the bound; the region comes back by itself")
    void losingTheStreamLeadersRegionLosesNothingAcknowledged() {
        try (NatsCluster nats = NatsCluster.builder().regions(REGIONS.toArray(String[]::new))
                .crossRegionLatency(Duration.ofMillis(40)).start()) {
            RegionLossDrill.Report report = RegionLossDrill.run(new RegionLossDrill.Regions() {
                @Override
                public GeoWsNode startNode(int region) {
                    String name = REGIONS.get(region);
                    String id = TestNodes.unique(name);
                    NatsBroker broker = NatsBroker.builder().url(nats.server(name).uri())
                            .connectionName(id).replicas(3).requestTimeout(Duration.ofSeconds(1)).build();
                    return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region(name).nodeId(id)
                            .host("127.0.0.1").port(0).presenceTtl(Duration.ofSeconds(3)).drainTimeout(Duration.ZERO)
                            .broker(broker).build().start();
                }

                @Override
                public int holder() {
                    return nats.streamLeaderRegion(NatsBroker.DEFAULT_STREAM).map(REGIONS::indexOf).orElse(-1);
                }

                @Override
                public void killBroker(int region) {
                    measured.info("killing {}; the JetStream metadata leader is in {}", REGIONS.get(region), nats.metaLeaderRegion());
                    nats.killRegion(REGIONS.get(region));
                }

                @Override
                public void restartBroker(int region) {
                    nats.restartRegion(REGIONS.get(region));
                }

                @Override
                public String holderName(int region) {
                    return nats.server(REGIONS.get(region)).serverName();
                }
            });
            measured.info("NATS region loss: {}", report);
            assertThat(report.outage()).as("publishes accepted again within").isLessThan(Duration.ofSeconds(15));
        }
    }
}
