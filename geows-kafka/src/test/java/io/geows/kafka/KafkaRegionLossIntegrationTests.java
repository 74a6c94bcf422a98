package io.geows.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.Topics;
import io.geows.kafka.internal.Names;
import io.geows.testkit.KafkaCluster;
import io.geows.testkit.RegionLossDrill;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Losing the region whose broker leads the room's partition: one Kafka cluster stretched over three
 * regions (a broker each, rack = region, replication 3, min.insync.replicas 2, acks=all), a node in
 * each region. {@link RegionLossDrill} kills the leader's broker mid-stream. (No added latency here:
 * the brokers replicate over their own listeners.)
 */
class KafkaRegionLossIntegrationTests {
    private static final Logger measured = LoggerFactory.getLogger("io.geows.kafka.Measured");

    @Test
    @DisplayName("killing the broker that leads the room's partition loses no acknowledged message; publishes are accepted again within the bound; it comes back by itself")
    void losingTheLeadersRegionLosesNothingAcknowledged() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(3);
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            RegionLossDrill.Report report = RegionLossDrill.run(new RegionLossDrill.Regions() {
                @Override
                public GeoWsNode startNode(int region) {
                    // a node bootstraps from its own region's broker, and learns the others from it
                    String own = kafka.broker(region + 1).bootstrapServers();
                    KafkaBroker broker = KafkaBroker.builder().bootstrapServers(own + "," + kafka.bootstrapServers())
                            .name("region-" + region).partitions(4).replicationFactor(3)
                            .requestTimeout(Duration.ofSeconds(2)).build();
                    return GeoWsNode.builder().authenticator(Authenticator.insecureTokenAsUserId()).region("region-" + region)
                            .nodeId("region-" + region + "-" + System.nanoTime()).host("127.0.0.1").port(0)
                            .presenceTtl(Duration.ofSeconds(3)).drainTimeout(Duration.ZERO).broker(broker).build().start();
                }

                @Override
                public int holder() {
                    try {
                        TopicPartition tp = new Names(Topics.DEFAULT_PREFIX).roomsPartition(Topics.defaults().room("ledger"), 4);
                        var leader = admin.describeTopics(List.of(tp.topic())).allTopicNames().get(5, TimeUnit.SECONDS)
                                .get(tp.topic()).partitions().get(tp.partition()).leader();
                        return leader == null || !kafka.broker(leader.id()).isRunning() ? -1 : leader.id() - 1;
                    } catch (Exception e) {
                        return -1;
                    }
                }

                @Override
                public void killBroker(int region) {
                    kafka.broker(region + 1).kill();
                }

                @Override
                public void restartBroker(int region) {
                    kafka.broker(region + 1).start();
                }

                @Override
                public String holderName(int region) {
                    return null; // a leader per partition: no single holder to name
                }
            });
            measured.info("Kafka region loss: {}", report);
            assertThat(report.outage()).as("publishes accepted again within").isLessThan(Duration.ofSeconds(15));
        }
    }
}
