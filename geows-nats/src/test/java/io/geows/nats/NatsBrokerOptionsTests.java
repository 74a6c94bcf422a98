package io.geows.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NatsBrokerOptionsTests {

    @Test
    void defaults() {
        NatsBrokerOptions o = NatsBrokerOptions.builder().build();
        assertThat(o.url()).isEqualTo(NatsBrokerOptions.DEFAULT_URL);
        assertThat(o.topicPrefix()).isEqualTo("geows");
        assertThat(o.stream()).isEqualTo("GEOWS_HISTORY");
        assertThat(o.presenceBucket()).isEqualTo("geows-presence");
        assertThat(o.historyMaxPerRoom()).isEqualTo(10_000);
        assertThat(o.historyMaxAge()).isEqualTo(Duration.ofHours(1));
        assertThat(o.duplicateWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.placement()).isNull();
        assertThat(o.replicas()).isEqualTo(1);
        assertThat(o.natsOptions()).isNull();
    }

    @Test
    void urlsWithCredentialsAreAcceptedAndRedactedInMessages() {
        NatsBrokerOptions o = NatsBrokerOptions.of("nats://alice:s3cret@127.0.0.1:4999");
        assertThat(o.url()).isEqualTo("nats://alice:s3cret@127.0.0.1:4999");
        assertThat(o.address()).isEqualTo("nats://***@127.0.0.1:4999").doesNotContain("s3cret");
        assertThat(o.toString()).doesNotContain("s3cret");
        assertThat(NatsUrls.redact("nats://tok@a:1, tls://b:2")).isEqualTo("nats://***@a:1,tls://b:2");
        assertThat(NatsBrokerOptions.of("tls://a:1,nats://b:2").url()).isEqualTo("tls://a:1,nats://b:2");
    }

    @Test
    void credentialsInExceptionTextAreRedacted() {
        assertThat(NatsUrls.redactText("Unable to connect to NATS servers: [nats://alice:s3cret@127.0.0.1:1, tls://tok@h:2]"))
                .isEqualTo("Unable to connect to NATS servers: [nats://***@127.0.0.1:1, tls://***@h:2]");
        assertThat(NatsUrls.redact(new java.io.IOException("x nats://a:b@h:1")).getMessage()).isEqualTo("x nats://***@h:1");
    }

    @Test
    void badUrlsAreRejectedWithAnExample() {
        assertThatThrownBy(() -> NatsBrokerOptions.of("http://127.0.0.1:24999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("e.g. nats://")
                .hasMessageContaining("scheme");
        assertThatThrownBy(() -> NatsBrokerOptions.of("127.0.0.1:24999"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatsBrokerOptions.of(" , "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> NatsBrokerOptions.of("nats://u:pw@:24999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("pw");
    }

    @Test
    void conflictingSettingsNameBoth() {
        assertThatThrownBy(() -> NatsBrokerOptions.builder().historyMaxAge(Duration.ofMinutes(1))
                .duplicateWindow(Duration.ofMinutes(5)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicateWindow").hasMessageContaining("historyMaxAge");
    }

    @Test
    void invalidValuesAreRejected() {
        NatsBrokerOptions.Builder b = NatsBrokerOptions.builder();
        assertThatThrownBy(() -> b.stream("has space")).hasMessageContaining("has space");
        assertThatThrownBy(() -> b.presenceBucket("a.b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.historyMaxPerRoom(0)).hasMessageContaining(">= 1");
        assertThatThrownBy(() -> b.historyMaxAge(Duration.ZERO)).hasMessageContaining("positive");
        assertThatThrownBy(() -> b.replicas(7)).hasMessageContaining("between 1 and 5");
        assertThatThrownBy(() -> b.topicPrefix("a..b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.presenceMaxAge(Duration.ofSeconds(5))).hasMessageContaining("1 minute");
        assertThatThrownBy(() -> b.historyPlacement(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.url(null)).isInstanceOf(NullPointerException.class);
    }
}
