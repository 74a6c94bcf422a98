package io.geows.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.spi.BrokerAdapter;
import io.geows.spi.BrokerUrls;
import io.geows.testkit.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code BrokerUrls.connect} with a NATS URL, through the module's provider, on a real nats-server. */
class NatsBrokerProviderIntegrationTests {

    @Test
    @DisplayName("a nats:// URL connects through the provider; ?storage=memory keeps the history stream in memory")
    void urlWithStorageOption() throws Exception {
        try (NatsServer nats = NatsServer.builder().jetStream().start()) {
            String url = "nats://127.0.0.1:" + nats.port();
            try (BrokerAdapter broker = BrokerUrls.connect(url + "?storage=memory", "provider-test")) {
                assertThat(broker).isInstanceOf(NatsBroker.class);
                assertThat(broker.history().append("lobby", "k1", "geows.room.lobby", "hi".getBytes(StandardCharsets.UTF_8))
                        .get(10, TimeUnit.SECONDS).offset()).isEqualTo(1);
            }
            try (Connection c = Nats.connect(url)) {
                assertThat(c.jetStreamManagement().getStreamInfo(NatsBroker.DEFAULT_STREAM).getConfiguration()
                        .getStorageType()).isEqualTo(StorageType.Memory);
            }
            assertThatThrownBy(() -> BrokerUrls.connect(url + "?storage=tape", "provider-test"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("?storage=memory");
        }
    }
}
