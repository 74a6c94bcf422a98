package io.geows.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.BrokerUnavailableException;
import io.geows.GeoWsException;
import io.geows.testkit.KafkaServer;
import io.geows.testkit.Ports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** What a user gets wrong is named clearly: no broker, a wrong password, a topic geows cannot use. */
class KafkaBadInputIntegrationTests {
    @Test
    void anUnreachableBootstrapAddressIsNamed() {
        String nowhere = Ports.LOOPBACK + ":" + Ports.freePort();
        assertThatThrownBy(() -> KafkaBroker.builder().bootstrapServers(nowhere).requestTimeout(Duration.ofSeconds(2)).build())
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining(nowhere).hasMessageContaining("bootstrap servers");
    }

    @Test
    void aWrongPasswordIsNamedWithoutTheSecret() {
        try (KafkaServer kafka = KafkaServer.builder().saslPlainUser("geows", "right-secret").start()) {
            String uri = "kafka://geows:wrong-secret@" + Ports.LOOPBACK + ":" + kafka.saslPort() + "?sasl=PLAIN";
            assertThatThrownBy(() -> KafkaBroker.builder().uri(uri).requestTimeout(Duration.ofSeconds(5)).build())
                    .isInstanceOf(GeoWsException.class)
                    .hasMessageContaining("credentials")
                    .hasMessageNotContaining("wrong-secret").hasMessageNotContaining("right-secret");
            // the right password works on the same listener
            try (KafkaBroker ok = KafkaBroker.builder().uri(uri.replace("wrong-secret", "right-secret"))
                    .requestTimeout(Duration.ofSeconds(5)).build()) {
                assertThat(ok.isConnected()).isTrue();
            }
        }
    }

    @Test
    void aRoomsTopicThatCompactsIsRefusedNamingTheSetting() throws Exception {
        try (KafkaServer kafka = KafkaServer.launch();
             Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("geows.rooms", 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> KafkaBroker.builder().bootstrapServers(kafka.bootstrapServers()).build())
                    .isInstanceOf(GeoWsException.class)
                    .hasMessageContaining("geows.rooms").hasMessageContaining("cleanup.policy=compact")
                    .hasMessageContaining("cleanup.policy=delete");
        }
    }
}
