package io.geows.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BrokerUrlsTests {

    @Test
    @DisplayName("memory is an in-process broker; a scheme whose module is absent names the module, without the password")
    void memoryAndMissingModules() {
        try (BrokerAdapter b = BrokerUrls.connect("memory", "n1")) {
            assertThat(b.isConnected()).isTrue();
            assertThat(b.name()).isEqualTo("memory");
        }
        assertThatThrownBy(() -> BrokerUrls.connect("rediss://app:s3cret@h:6380", "n1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("io.geows:geows-redis").hasMessageContaining("rediss://app:***@h:6380")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> BrokerUrls.connect("NATS://h:1", "n1")).hasMessageContaining("io.geows:geows-nats");
        assertThatThrownBy(() -> BrokerUrls.connect("kafkas://h:9093", "n1")).hasMessageContaining("io.geows:geows-kafka");
        assertThatThrownBy(() -> BrokerUrls.connect("amqp://u:pw@h:5672", "n1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memory, redis://").hasMessageContaining("amqp://u:***@h:5672")
                .hasMessageNotContaining("pw@");
    }

    @Test
    @DisplayName("redaction hides passwords and tokens of every URL in a text, and nothing else")
    void redaction() {
        assertThat(BrokerUrls.redact("redis://user:p%40ss:word@h:1/0")).isEqualTo("redis://user:***@h:1/0");
        assertThat(BrokerUrls.redact("[nats://tok@a:1, tls://b:2,kafka://u:x@c:3]"))
                .isEqualTo("[nats://***@a:1, tls://b:2,kafka://u:***@c:3]");
        assertThat(BrokerUrls.redact("no url here, user:pw@x")).isEqualTo("no url here, user:pw@x");
        assertThat(BrokerUrls.redact("redis://h:1 and $1 \\")).isEqualTo("redis://h:1 and $1 \\");
        assertThat(BrokerUrls.redact(null)).isNull();
    }
}
