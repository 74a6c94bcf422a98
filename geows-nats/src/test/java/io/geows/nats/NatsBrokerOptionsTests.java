package io.geows.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertThat(o.address()).isEqualTo("nats://alice:***@127.0.0.1:4999").doesNotContain("s3cret");
        assertThat(o.toString()).doesNotContain("s3cret");
        assertThat(NatsUrls.redact("nats://tok@a:1, tls://b:2")).isEqualTo("nats://***@a:1,tls://b:2");
        assertThat(NatsBrokerOptions.of("tls://a:1,nats://b:2").url()).isEqualTo("tls://a:1,nats://b:2");
    }

    @Test
    void credentialsInExceptionTextAreRedacted() {
        assertThat(NatsUrls.redactText("Unable to connect to NATS servers: [nats://alice:s3cret@127.0.0.1:1, tls://tok@h:2]"))
                .isEqualTo("Unable to connect to NATS servers: [nats://alice:***@127.0.0.1:1, tls://***@h:2]");
        assertThat(NatsUrls.redact(new java.io.IOException("x nats://a:b@h:1")).getMessage()).isEqualTo("x nats://a:***@h:1");
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
    void conflictingSecuritySettingsNameBoth(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not parsed before connecting");
        assertThatThrownBy(() -> NatsBrokerOptions.builder().trustedCertificates(ca).trustStore(ca, new char[0]).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trustedCertificates(...)").hasMessageContaining("trustStore(...)");
        assertThatThrownBy(() -> NatsBrokerOptions.builder().credentials("u", "p".toCharArray())
                .token("t".toCharArray()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credentials(...)").hasMessageContaining("token(...)");
        assertThatThrownBy(() -> NatsBrokerOptions.builder().url("nats://alice:s3cret@127.0.0.1:4999")
                .credentials("alice", "x".toCharArray()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credentials(...)").hasMessageContaining("nats://alice:***@127.0.0.1:4999")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> NatsBrokerOptions.builder().natsOptions(new io.nats.client.Options.Builder().build())
                .trustedCertificates(ca).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("natsOptions(...)").hasMessageContaining("trustedCertificates(...)");
        assertThatThrownBy(() -> NatsBrokerOptions.builder().url("opentls://127.0.0.1:4999").trustStore(ca, new char[0])
                .build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("opentls://");
        assertThatThrownBy(() -> NatsBrokerOptions.builder().trustedCertificates(dir.resolve("missing.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
    }

    @Test
    void secretsAreCopiedAndNeverShown(@TempDir Path dir) throws Exception {
        char[] password = "s3cret".toCharArray();
        NatsBrokerOptions o = NatsBrokerOptions.builder().url("tls://127.0.0.1:4999").credentials("alice", password)
                .trustStore(Files.writeString(dir.resolve("t.p12"), "x"), "st0re".toCharArray()).build();
        password[0] = 'X';
        assertThat(o.password()).containsExactly("s3cret".toCharArray());
        assertThat(o.username()).isEqualTo("alice");
        assertThat(o.hasToken()).isFalse();
        assertThat(o.toString()).doesNotContain("s3cret").doesNotContain("st0re");
    }

    @Test
    void tlsIsUsedForTlsUrlsOrWhenATrustOptionIsSet(@TempDir Path dir) throws Exception {
        assertThat(NatsTls.context(NatsBrokerOptions.of("nats://127.0.0.1:4999"))).isNull();
        assertThat(NatsTls.context(NatsBrokerOptions.of("nats://127.0.0.1:4999,tls://127.0.0.1:4998"))).isNotNull();
        assertThatThrownBy(() -> NatsTls.context(NatsBrokerOptions.builder()
                .trustedCertificates(Files.writeString(dir.resolve("ca.pem"), "garbage")).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ca.pem");
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
