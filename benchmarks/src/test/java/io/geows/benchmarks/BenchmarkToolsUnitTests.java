package io.geows.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pieces of the load and capacity tools that need no server: framing, parsing, flags, the chart. */
class BenchmarkToolsUnitTests {

    @Test
    void clientFramesAreMaskedAndCarryTheirLength() {
        byte[] payload = "x".repeat(300).getBytes(StandardCharsets.UTF_8);
        byte[] f = NioWsClients.frame(1, payload);
        assertThat(f[0] & 0xff).as("FIN + text").isEqualTo(0x81);
        assertThat(f[1] & 0xff).as("masked, 16-bit length follows").isEqualTo(0x80 | 126);
        assertThat(((f[2] & 0xff) << 8) | (f[3] & 0xff)).isEqualTo(300);
        byte[] unmasked = new byte[300];
        for (int i = 0; i < 300; i++) {
            unmasked[i] = (byte) (f[8 + i] ^ f[4 + (i & 3)]);
        }
        assertThat(unmasked).isEqualTo(payload);
        assertThat(NioWsClients.frame(9, new byte[0])).hasSize(6);
    }

    @Test
    void frameFieldsAreFoundWithoutAJsonParser() {
        byte[] d = ("{\"type\":\"message\",\"room\":\"load-3\",\"offset\":7,\"epoch\":\"e\",\"id\":\"p12-345\",\"from\":\"load1\","
                + "\"region\":\"eu-west\",\"node\":\"eu-west-1\",\"ts\":1,\"data\":{\"t\":-123456789,\"f\":\"xx\"}}")
                .getBytes(StandardCharsets.UTF_8);
        int id = LoadClients.find(d, 0, d.length, "\"id\":\"p".getBytes(StandardCharsets.UTF_8));
        assertThat(LoadClients.number(d, id, d.length)).isEqualTo(12);
        int t = LoadClients.find(d, 0, d.length, "\"data\":{\"t\":".getBytes(StandardCharsets.UTF_8));
        assertThat(LoadClients.number(d, t, d.length)).as("nanoTime may be negative").isEqualTo(-123456789L);
        assertThat(LoadClients.find(d, 0, d.length, "\"nope\"".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    }

    @Test
    void flagsParseWithDefaultsAndRejectUnknownOnes() {
        LoadTool.Options o = new LoadTool.Options();
        assertThat(Cli.parse(o, new String[] {"--sweep", "--rate=250", "--server-jvm", "-Xmx1g -Xms1g"})).isTrue();
        assertThat(o.sweep).isTrue();
        assertThat(o.rate).isEqualTo(250);
        assertThat(o.clients).as("default").isEqualTo(200);
        assertThat(o.serverJvm).containsExactly("-Xmx1g", "-Xms1g");
        assertThatThrownBy(() -> Cli.parse(new LoadTool.Options(), new String[] {"--nope", "1"}))
                .hasMessageContaining("unknown flag --nope");
        assertThat(Cli.parse(new LoadTool.Options(), new String[] {"--help"})).isFalse();
    }

    @Test
    void chartDrawsEverySeriesTheLimitAndTheTarget() {
        String svg = new SvgChart("t <&>", "x", "y", true)
                .series("redis", List.of(new SvgChart.Point(10_000, 4, true), new SvgChart.Point(110_000, 120, false)))
                .hLine(50, "p99 limit 50 ms").vLine(100_000, "target").render();
        assertThat(svg).startsWith("<svg").endsWith("</svg>\n").contains("t &lt;&amp;&gt;", "p99 limit 50 ms", "target",
                "<polyline", "fill=\"white\"");
    }
}
