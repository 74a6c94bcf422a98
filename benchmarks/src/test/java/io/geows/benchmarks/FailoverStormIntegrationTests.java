package io.geows.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A region dies under 2,000 clients (two example server processes on a real Redis, SIGKILL of one):
 * every client resumes on the survivor, nothing is lost or delivered twice, and the survivor stays
 * ready and keeps its broker. The 10,000- and 25,000-client figures come from the same tool in
 * {@code benchmarks/run.sh storm}.
 */
class FailoverStormIntegrationTests {
    private static final String CLASSPATH = System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path"));

    @Test
    void twoThousandClientsOfAKilledRegionResumeOnTheSurvivorWithNothingLostOrRepeated() throws Exception {
        // The survivor has 200 clients of its own, which reconnect and resume once before the kill.
        FailoverStorm.Settings settings = new FailoverStorm.Settings();
        settings.clients = 2000;
        settings.publishRate = 20;
        settings.beforeSeconds = 2;
        settings.survivorClients = 200;
        settings.warmupCycles = 1;
        settings.serverJvm = List.of("-Xmx256m", "-XX:+UseG1GC");
        settings.name = "storm-test";
        FailoverStorm.Storm s = FailoverStorm.run(CLASSPATH, settings);
        assertThat(s.resumed()).as(FailoverStorm.summary(s) + " " + s.notes()).isEqualTo(2000);
        assertThat(s.roomMemberships()).as("1 to 3 rooms each").isEqualTo(3999);
        assertThat(s.notRecovered()).as("resumes not recovered (both regions' clients)").isZero();
        assertThat(s.lost()).as("messages lost (both regions' clients)").isZero();
        assertThat(s.duplicates()).as("messages delivered twice").isZero();
        assertThat(s.closedAfterResume()).as("sessions the survivor closed after their resume").isZero();
        assertThat(s.published()).isPositive();
        assertThat(s.readyChecks()).isPositive();
        assertThat(s.notReady()).as("/readyz answers other than 200 during the storm").isZero();
        assertThat(s.brokerLossLogged()).as("the survivor declared its broker lost").isFalse();
    }
}
