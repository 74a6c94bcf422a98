package io.geows.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.geows.testkit.Await;
import io.geows.testkit.KafkaServer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two regions as separate JVM processes (the example server, --broker kafka://) on one real Kafka broker. */
class TwoProcessKafkaIntegrationTests {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @DisplayName("two processes on one Kafka: a room message crosses, presence is right, resume in the other region works; readiness follows the broker")
    void twoRegionsInTwoProcesses() throws Exception {
        try (KafkaServer kafka = KafkaServer.launch()) {
            ServerProcess us = ServerProcess.launch("us-east", "us-proc-1", kafka.uri());
            ServerProcess eu = ServerProcess.launch("eu-west", "eu-proc-1", kafka.uri());
            try {
                TwoProcessScenario.run(us, eu);
                HttpClient http = HttpClient.newHttpClient();
                kafka.kill();
                for (ServerProcess p : List.of(us, eu)) {
                    Await.until("not ready while Kafka is gone", WAIT,
                            () -> TwoProcessScenario.get(http, p.http().resolve("/readyz")).statusCode() == 503);
                }
                kafka.start();
                for (ServerProcess p : List.of(us, eu)) {
                    Await.until("ready again", WAIT,
                            () -> TwoProcessScenario.get(http, p.http().resolve("/readyz")).statusCode() == 200);
                }
            } finally {
                assertThat(us.stop()).isZero();
                assertThat(eu.stop()).isZero();
            }
        }
    }
}
