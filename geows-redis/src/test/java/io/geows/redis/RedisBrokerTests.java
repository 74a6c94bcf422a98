package io.geows.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.geows.spi.BrokerMessage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void conflictingSecuritySettingsNameBoth(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not parsed before build");
        assertThatThrownBy(() -> RedisBroker.builder().uri("redis://127.0.0.1:1").trustedCertificates(ca).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("trustedCertificates(...)").hasMessageContaining("rediss://");
        assertThatThrownBy(() -> RedisBroker.builder().uri("rediss://127.0.0.1:1").trustedCertificates(ca)
                .trustStore(ca, new char[0]).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("trustedCertificates(...)").hasMessageContaining("trustStore(...)");
        assertThatThrownBy(() -> RedisBroker.builder().uri("rediss://u:s3cret@127.0.0.1:1")
                .credentials("u", "other".toCharArray()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("credentials(...)").hasMessageContaining("user info")
                .hasMessageNotContaining("s3cret");
        RedisClient mine = RedisClient.create();
        try {
            assertThatThrownBy(() -> RedisBroker.builder().client(mine).trustedCertificates(ca).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("client(...)").hasMessageContaining("trustedCertificates(...)");
        } finally {
            mine.shutdown();
        }
        assertThatThrownBy(() -> RedisBroker.builder().cluster("rediss://127.0.0.1:1", "redis://127.0.0.1:2")
                .trustStore(ca, new char[0]).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("redis://127.0.0.1:2");
        assertThatThrownBy(() -> RedisBroker.builder().trustedCertificates(dir.resolve("missing.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
    }

    @Test
    void refusedLoginsAndFailedHandshakesAreToldApartFromAnUnreachableServer() {
        String at = "rediss://127.0.0.1:1";
        assertThat(RedisSecurity.connectFailure(at, new RuntimeException("Unable to connect",
                new RedisCommandExecutionException("WRONGPASS invalid username-password pair")))).hasMessageContaining(
                "Redis at " + at + " refused the login (WRONGPASS");
        assertThat(RedisSecurity.connectFailure(at, new RuntimeException("Unable to connect",
                new SSLHandshakeException("PKIX path building failed")))).hasMessageStartingWith(
                "TLS handshake with Redis at " + at + " failed (PKIX").hasMessageContaining("trustedCertificates(...)");
        assertThat(RedisSecurity.connectFailure(at, new RuntimeException("Connection refused")))
                .hasMessageStartingWith("cannot reach Redis at " + at).hasMessageContaining("GEOWS_BROKER");
    }
}
