package io.geows.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NatsBrokerBuilderTests {

    @Test
    void defaults() {
        NatsSettings o = NatsBroker.builder().settings();
        assertThat(o.url()).isEqualTo(NatsBroker.DEFAULT_URL);
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
        NatsSettings o = NatsBroker.builder().url("nats://alice:s3cret@127.0.0.1:4999").settings();
        assertThat(o.url()).isEqualTo("nats://alice:s3cret@127.0.0.1:4999");
        assertThat(o.address()).isEqualTo("nats://alice:***@127.0.0.1:4999").doesNotContain("s3cret");
        assertThat(o.toString()).doesNotContain("s3cret");
        assertThat(NatsUrls.redact("nats://tok@a:1, tls://b:2")).isEqualTo("nats://***@a:1,tls://b:2");
        assertThat(NatsBroker.builder().url("tls://a:1,nats://b:2").settings().url()).isEqualTo("tls://a:1,nats://b:2");
    }

    @Test
    void credentialsInExceptionTextAreRedacted() {
        assertThat(NatsUrls.redactText("Unable to connect to NATS servers: [nats://alice:s3cret@127.0.0.1:1, tls://tok@h:2]"))
                .isEqualTo("Unable to connect to NATS servers: [nats://alice:***@127.0.0.1:1, tls://***@h:2]");
        assertThat(NatsUrls.redact(new java.io.IOException("x nats://a:b@h:1")).getMessage()).isEqualTo("x nats://a:***@h:1");
    }

    @Test
    void badUrlsAreRejectedWithAnExample() {
        assertThatThrownBy(() -> NatsBroker.builder().url("http://127.0.0.1:24999").settings())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("e.g. nats://")
                .hasMessageContaining("scheme");
        assertThatThrownBy(() -> NatsBroker.builder().url("127.0.0.1:24999").settings())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NatsBroker.builder().url(" , ").settings())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> NatsBroker.builder().url("nats://u:pw@:24999").settings())
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("pw");
    }

    @Test
    void conflictingSettingsNameBoth() {
        assertThatThrownBy(() -> NatsBroker.builder().historyMaxAge(Duration.ofMinutes(1))
                .duplicateWindow(Duration.ofMinutes(5)).settings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicateWindow").hasMessageContaining("historyMaxAge");
    }

    @Test
    void conflictingSecuritySettingsNameBoth(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not parsed before connecting");
        assertThatThrownBy(() -> NatsBroker.builder().trustedCertificates(ca).trustStore(ca, new char[0]).settings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trustedCertificates(...)").hasMessageContaining("trustStore(...)");
        assertThatThrownBy(() -> NatsBroker.builder().credentials("u", "p".toCharArray())
                .token("t".toCharArray()).settings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credentials(...)").hasMessageContaining("token(...)");
        assertThatThrownBy(() -> NatsBroker.builder().url("nats://alice:s3cret@127.0.0.1:4999")
                .credentials("alice", "x".toCharArray()).settings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credentials(...)").hasMessageContaining("nats://alice:***@127.0.0.1:4999")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> NatsBroker.builder().natsOptions(new io.nats.client.Options.Builder().build())
                .trustedCertificates(ca).settings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("natsOptions(...)").hasMessageContaining("trustedCertificates(...)");
        io.nats.client.Connection given = (io.nats.client.Connection) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {io.nats.client.Connection.class}, (p, m, a) -> null);
        assertThatThrownBy(() -> NatsBroker.builder().url("nats://127.0.0.1:4999").connection(given).settings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connection(...)").hasMessageContaining("url(...)");
        assertThatThrownBy(() -> NatsBroker.builder().connection(given).credentials("u", "p".toCharArray()).settings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connection(...)").hasMessageContaining("credentials(...)");
        assertThatThrownBy(() -> NatsBroker.builder().url("nats://127.0.0.1:4999")
                .natsOptions(new io.nats.client.Options.Builder().server("nats://127.0.0.1:4998").build()).settings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("natsOptions(...)").hasMessageContaining("url(...)");
        assertThatThrownBy(() -> NatsBroker.builder().url("opentls://127.0.0.1:4999").trustStore(ca, new char[0])
                .settings())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("opentls://");
        assertThatThrownBy(() -> NatsBroker.builder().trustedCertificates(dir.resolve("missing.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
    }

    @Test
    void secretsAreCopiedAndNeverShown(@TempDir Path dir) throws Exception {
        char[] password = "s3cret".toCharArray();
        NatsSettings o = NatsBroker.builder().url("tls://127.0.0.1:4999").credentials("alice", password)
                .trustStore(Files.writeString(dir.resolve("t.p12"), "x"), "st0re".toCharArray()).settings();
        password[0] = 'X';
        assertThat(o.password()).containsExactly("s3cret".toCharArray());
        assertThat(o.username()).isEqualTo("alice");
        assertThat(o.hasToken()).isFalse();
        assertThat(o.toString()).doesNotContain("s3cret").doesNotContain("st0re");
    }

    @Test
    void theServerOfTheUsersOptionsIsShownWithoutItsPassword() {
        NatsSettings o = NatsBroker.builder()
                .natsOptions(new io.nats.client.Options.Builder().server("nats://alice:s3cret@127.0.0.1:4999").build())
                .settings();
        assertThat(o.address()).contains("127.0.0.1:4999").doesNotContain("s3cret");
        assertThat(o.toString()).doesNotContain("s3cret");
    }

    @Test
    void tlsIsUsedForTlsUrlsOrWhenATrustOptionIsSet(@TempDir Path dir) throws Exception {
        assertThat(NatsTls.context(NatsBroker.builder().url("nats://127.0.0.1:4999").settings())).isNull();
        assertThat(NatsTls.context(NatsBroker.builder().url("nats://127.0.0.1:4999,tls://127.0.0.1:4998").settings())).isNotNull();
        assertThatThrownBy(() -> NatsTls.context(NatsBroker.builder()
                .trustedCertificates(Files.writeString(dir.resolve("ca.pem"), "garbage")).settings()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ca.pem");
    }

    @Test
    void invalidValuesAreRejected() {
        NatsBroker.Builder b = NatsBroker.builder();
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
