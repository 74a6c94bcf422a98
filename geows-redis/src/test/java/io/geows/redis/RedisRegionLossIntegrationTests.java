package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.GeoWsNode;
import io.geows.testkit.RedisSentinelGroup;
import io.geows.testkit.RegionLossDrill;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Losing the region that holds the Redis primary: three regions, a Redis server and a Sentinel in
 * each (every server 40 ms away, one way), a node in each with {@code replicasToAck(1)}.
 * {@link RegionLossDrill} kills the primary's region mid-stream.
 */
class RedisRegionLossIntegrationTests {
    private static final Logger measured = LoggerFactory.getLogger("io.geows.redis.Measured");

    @Test
    @DisplayName("killing the region with the Redis primary loses no acknowledged message; publishes are accepted again within the bound; the region comes back by itself")
    void losingThePrimarysRegionLosesNothingAcknowledged() {
        try (RedisSentinelGroup redis = RedisSentinelGroup.start(3, Duration.ofMillis(40))) {
            RegionLossDrill.Report report = RegionLossDrill.run(new RegionLossDrill.Regions() {
                @Override
                public GeoWsNode startNode(int region) {
                    return TestNodes.nodeBuilder("region-" + region, "region-" + region + "-" + System.nanoTime())
                            .broker(RedisBroker.builder().uri(redis.uri()).replicasToAck(1)
                                    .replicaAckTimeout(Duration.ofSeconds(1)).commandTimeout(Duration.ofSeconds(2)).build())
                            .presenceTtl(Duration.ofSeconds(3)).build().start();
                }

                @Override
                public int holder() {
                    return redis.primaryRegion();
                }

                @Override
                public void killBroker(int region) {
                    redis.killRegion(region);
                }

                @Override
                public void restartBroker(int region) {
                    redis.restartRegion(region);
                }

                @Override
                public String holderName(int region) {
                    return redis.address(region);
                }
            });
            measured.info("Redis region loss: {}", report);
            assertThat(report.outage()).as("publishes accepted again within").isLessThan(Duration.ofSeconds(10));
        }
    }
}
