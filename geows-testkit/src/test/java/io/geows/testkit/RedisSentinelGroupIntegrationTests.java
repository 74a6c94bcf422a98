package io.geows.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RedisSentinelGroupIntegrationTests {

    @Test
    @DisplayName("a Sentinel group promotes a replica when the primary's region is killed, and takes the region back as a replica")
    void promotesAReplicaAndTakesTheOldPrimaryBack() {
        try (RedisSentinelGroup redis = RedisSentinelGroup.start(3)) {
            assertThat(redis.primaryRegion()).isZero();
            assertThat(redis.uri()).startsWith("redis-sentinel://127.0.0.1:").endsWith("#geows");

            long killed = System.nanoTime();
            redis.killRegion(0);
            int promoted = redis.awaitNewPrimary(0, Duration.ofSeconds(20));
            assertThat(promoted).isIn(1, 2);
            assertThat(Duration.ofNanos(System.nanoTime() - killed)).as("failover time").isLessThan(Duration.ofSeconds(20));

            redis.restartRegion(0);
            // (Sentinel may move the primary once more while it reconfigures the replicas: what must
            // hold is that the group settles on one primary outside the lost region, and takes it back.)
            Await.until("the group settles, the old primary replicating the new one", Duration.ofSeconds(30), () -> {
                int now = redis.primaryRegion();
                return now > 0 && redis.info(redis.server(now).port(), "replication").contains("role:master")
                        && redis.info(redis.server(0).port(), "replication").contains("role:slave")
                        && redis.info(redis.server(0).port(), "replication").contains("master_link_status:up");
            });
        }
    }
}
