package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.spi.BrokerMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisBrokerTests {

    @Test
    void historyFramesCarryOffsetAndEpoch() {
        BrokerMessage m = Framing.decode("c", "G1 42 ab12cd34\n{\"k\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(m.offset()).isEqualTo(42);
        assertThat(m.epoch()).isEqualTo("ab12cd34");
        assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"k\":1}");
    }

    @Test
    void anythingElseIsAPlainMessage() {
        for (String raw : new String[] {"{\"k\":1}", "G1 x y\nz", "G1 -5 e\np", "G1 5", "G1 5 e", "G2 5 e\np", ""}) {
            BrokerMessage m = Framing.decode("c", raw.getBytes(StandardCharsets.UTF_8));
            assertThat(m.offset()).as(raw).isZero();
            assertThat(m.payload()).isEqualTo(raw.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void badConfigurationIsNamed() {
        assertThatThrownBy(() -> RedisBroker.builder().uri("http://x:1")).hasMessageContaining("redis://");
        assertThatThrownBy(() -> RedisBroker.builder().uri("http://user:secret@x:1"))
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> RedisBroker.builder().build()).hasMessageContaining("uri(");
        assertThatThrownBy(() -> RedisBroker.builder().historyTtl(Duration.ofMillis(5))).hasMessageContaining("historyTtl");
        assertThatThrownBy(() -> RedisBroker.builder().checkInterval(Duration.ofMillis(1))).hasMessageContaining("checkInterval");
    }
}
