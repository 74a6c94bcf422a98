package io.geows.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.geows.AuthenticationException;
import io.geows.Authenticator;
import io.geows.GeoWsNode;
import io.geows.Identity;
import io.geows.RpcReply;
import io.geows.memory.InMemoryBroker;
import io.geows.spi.BrokerAdapter;
import io.geows.testkit.Await;
import io.geows.testkit.TestClient;
import io.geows.testkit.MemoryBrokerFaults;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The auto-configuration in a real application context, with a real node on a free port. */
class GeoWsAutoConfigurationTests {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GeoWsAutoConfiguration.class))
            .withPropertyValues("geows.region=eu-west", "geows.port=0", "geows.drain-timeout=2s");

    @Test
    @DisplayName("a node from geows.* properties starts with the context, serves clients, and sends goaway when the context closes")
    void nodeFromPropertiesStartsAndDrains() {
        runner.withPropertyValues("geows.anonymous=true", "geows.node-id=eu-spring-1").run(ctx -> {
            GeoWsNode node = ctx.getBean(GeoWsNode.class);
            assertThat(node.isReady()).isTrue();
            assertThat(node.nodeId()).isEqualTo("eu-spring-1");
            try (TestClient alice = TestClient.connectAs(node.uri(), "alice")) {
                alice.join("lobby");
                assertThat(TestClient.type(alice.publish("lobby", "m1", "hi"))).isEqualTo("ack");
                CompletableFuture<Void> closing = CompletableFuture.runAsync(ctx::close);
                assertThat(alice.awaitType("goaway").path("reason").asText()).contains("draining");
                alice.close(); // leaves as told: the drain ends
                closing.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                assertThat(node.isReady()).isFalse();
            }
        });
    }

    @Test
    @DisplayName("the application's beans are used: its Authenticator, its RPC methods, its broker")
    void applicationBeansArePickedUp() {
        InMemoryBroker broker = new InMemoryBroker();
        runner.withBean(Authenticator.class, () -> token -> {
                    if (!token.startsWith("t-")) {
                        throw new AuthenticationException("not one of our tokens");
                    }
                    return Identity.of(token.substring(2));
                })
                .withBean("status", RpcMethod.class, () -> new RpcMethod("order.status",
                        call -> CompletableFuture.completedFuture(RpcReply.result("\"shipped\""))))
                .withBean(BrokerAdapter.class, () -> broker.connect("spring"))
                .run(ctx -> {
                    GeoWsNode node = ctx.getBean(GeoWsNode.class);
                    try (TestClient bob = TestClient.connectWithToken(node.uri(), "t-bob")) {
                        bob.send(Map.of("type", "rpc", "method", "order.status", "id", "r1", "data", Map.of("order", "A-1")));
                        JsonNode result = bob.awaitFrame(f -> "r1".equals(f.path("ref").asText()), WAIT);
                        assertThat(result.path("data").asText()).isEqualTo("shipped");
                    }
                    assertThat(broker.subscriberCount(io.geows.Topics.defaults().all())).as("the node uses the app's broker")
                            .isEqualTo(1);
                });
    }

    @Test
    @DisplayName("meters go to the application's MeterRegistry; the health indicator follows the broker")
    void metersAndHealth() {
        InMemoryBroker broker = new InMemoryBroker();
        runner.withPropertyValues("geows.anonymous=true")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(BrokerAdapter.class, () -> broker.connect("spring"))
                .run(ctx -> {
                    MeterRegistry registry = ctx.getBean(MeterRegistry.class);
                    assertThat(registry.get("geows.ready").tag("region", "eu-west").gauge().value()).isEqualTo(1.0);
                    GeoWsHealthIndicator health = ctx.getBean(GeoWsHealthIndicator.class);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    MemoryBrokerFaults.fail(broker);
                    Await.until("health DOWN while the broker is lost", WAIT,
                            () -> health.health().getStatus().equals(Status.DOWN));
                    assertThat(health.health().getDetails()).containsKey("brokersDown");
                    MemoryBrokerFaults.recover(broker);
                    Await.until("health UP again", WAIT, () -> health.health().getStatus().equals(Status.UP));
                });
    }

    @Test
    @DisplayName("a missing, misspelt or invalid property fails start-up naming it")
    void badPropertiesFailStartUpNamingThem() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GeoWsAutoConfiguration.class))
                .withPropertyValues("geows.anonymous=true").run(ctx -> assertThat(ctx.getStartupFailure())
                        .rootCause().hasMessageContaining("geows.region is required"));
        runner.withPropertyValues("geows.anonymous=true", "geows.regoin=us-east").run(ctx ->
                assertThat(ctx.getStartupFailure()).hasStackTraceContaining("geows.regoin"));
        runner.withPropertyValues("geows.anonymous=true", "geows.port=eighty").run(ctx ->
                assertThat(ctx.getStartupFailure()).hasStackTraceContaining("geows.port"));
        runner.withPropertyValues("geows.anonymous=true", "geows.port=70000").run(ctx ->
                assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("geows.port"));
        runner.run(ctx -> assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("geows.jwt.secret"));
        runner.withPropertyValues("geows.anonymous=true", "geows.broker=amqp://u:pw@h:1").run(ctx ->
                assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("geows.broker")
                        .hasMessageNotContaining("pw"));
        runner.withPropertyValues("geows.anonymous=true", "geows.residency.all-regions=eu-west",
                "geows.residency.zones.eu=eu-west,eu-north", "geows.residency.pins.[eu-*]=eu").run(ctx ->
                assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("geows.residency")
                        .hasMessageContaining("eu-north"));
        runner.withPropertyValues("geows.anonymous=true", "geows.region=eu-west", "geows.broker=redis://127.0.0.1:7000",
                "geows.residency.all-regions=eu-west", "geows.residency.zones.eu=eu-west", "geows.residency.pins.[eu-*]=eu",
                "geows.residency.zone-brokers.eu=redis://127.0.0.1:7000").run(ctx ->
                assertThat(ctx.getStartupFailure()).rootCause().hasMessageContaining("geows.residency.zone-brokers.eu")
                        .hasMessageContaining("global broker"));
    }

    @Test
    @DisplayName("geows.enabled=false starts no node")
    void disabled() {
        runner.withPropertyValues("geows.enabled=false").run(ctx -> assertThat(ctx).doesNotHaveBean(GeoWsNode.class));
    }
}
