package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reference server's command line: parsing only, nothing started. */
class ServerCommandTests {

    private static ServerConfig parse(Map<String, String> env, String... args) {
        return ServerConfig.parse(args, env::get);
    }

    @Test
    void theMemoryBrokerIsTheDemoHoweverItIsSpelt() {
        assertThat(parse(Map.of(), "--broker", "MEMORY").demo()).isTrue();
        assertThat(parse(Map.of()).demo()).isTrue();
        assertThat(parse(Map.of("GEOWS_BROKER", "Memory")).demo()).isTrue();
    }

    @Test
    void mistakesNameTheFlagAndNeverEchoAValue() {
        assertThatThrownBy(() -> parse(Map.of(), "--port", "x")).isInstanceOf(ServerConfig.BadFlag.class)
                .hasMessageStartingWith("--port");
        assertThatThrownBy(() -> parse(Map.of(), "--api-kyes=s3cret-key-that-is-long-enough-to-count"))
                .isInstanceOf(ServerConfig.BadFlag.class).hasMessageContaining("--api-kyes")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> parse(Map.of(), "--api-keys", "k1-0123456789abcdef0123456789abcdef,", "k2-s3cret"))
                .isInstanceOf(ServerConfig.BadFlag.class).hasMessageContaining("unexpected argument")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> parse(Map.of(), "--region")).isInstanceOf(ServerConfig.BadFlag.class)
                .hasMessageContaining("--region needs a value");
    }

    @Test
    void aFlagOverridesItsVariable() {
        ServerConfig c = parse(Map.of("GEOWS_HTTP_PORT", "9000"), "--http-port", "9100");
        assertThat(c.httpPort()).isEqualTo(9100);
        assertThat(parse(Map.of("GEOWS_HTTP_PORT", "9000")).httpPort()).isEqualTo(9000);
    }
}
