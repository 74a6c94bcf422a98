package io.geows.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultRegionPoolTests {
    private static final Region US = new Region("us-east", URI.create("ws://us.example:1/"));
    private static final Region EU = new Region("eu-west", URI.create("ws://eu.example:1/"));
    private static final Region AP = new Region("ap-south", URI.create("ws://ap.example:1/"));

    private final RegionPool pool = RegionPool.nearestFirst();

    @Test
    void healthyRegionsAreTriedNearestFirst() {
        pool.update(List.of(rtt(US, 80), rtt(EU, 12), rtt(AP, 150)), null);

        assertThat(pool.regions()).containsExactly(EU, US, AP);
        assertThat(pool.next()).isEqualTo(EU);
    }

    @Test
    void aPinnedRegionComesFirstWhateverItsRoundTrip() {
        pool.update(List.of(rtt(US, 80), rtt(EU, 12), rtt(AP, 150)), "ap-south");

        assertThat(pool.regions()).containsExactly(AP, EU, US);
    }

    @Test
    void aPinnedRegionThatIsUnreachableDoesNotComeFirst() {
        pool.update(List.of(rtt(US, 80), rtt(EU, 12), RegionProbe.unreachable(AP)), "ap-south");

        assertThat(pool.regions()).containsExactly(EU, US, AP);
    }

    @Test
    void unreachableAndNotReadyRegionsAreKeptAtTheBackInTheOrderGiven() {
        pool.update(List.of(RegionProbe.unreachable(US), RegionProbe.measured(EU, Duration.ofMillis(5), false), rtt(AP, 150)),
                null);

        assertThat(pool.regions()).containsExactly(AP, US, EU);
    }

    @Test
    void aFailedRegionMovesToTheBackInsteadOfBeingDropped() {
        pool.update(List.of(rtt(US, 10), rtt(EU, 20), rtt(AP, 30)), null);

        pool.failed(US);
        assertThat(pool.regions()).containsExactly(EU, AP, US);
        assertThat(pool.next()).isEqualTo(EU);

        pool.failed(EU);
        pool.failed(AP);
        assertThat(pool.next()).as("once every region failed, the oldest failure is tried again").isEqualTo(US);
    }

    @Test
    void successKeepsTheOrder() {
        pool.update(List.of(rtt(US, 10), rtt(EU, 20)), null);
        pool.failed(US);

        pool.succeeded(EU);

        assertThat(pool.regions()).containsExactly(EU, US);
    }

    @Test
    void unmeasuredRegionsKeepTheOrderGivenWithThePreferredFirst() {
        pool.update(List.of(RegionProbe.unmeasured(US, true), RegionProbe.unmeasured(EU, true),
                RegionProbe.unmeasured(AP, true)), "eu-west");

        assertThat(pool.regions()).containsExactly(EU, US, AP);
    }

    @Test
    void equalRoundTripsKeepTheOrderGiven() {
        pool.update(List.of(rtt(US, 10), rtt(EU, 10), rtt(AP, 10)), null);

        assertThat(pool.regions()).containsExactly(US, EU, AP);
    }

    @Test
    void anEmptyPoolHasNoNext() {
        pool.update(List.of(), null);

        assertThat(pool.next()).isNull();
    }

    @Test
    void aFailureOfAnUnknownRegionChangesNothing() {
        pool.update(List.of(rtt(US, 10), rtt(EU, 20)), null);

        pool.failed(AP);

        assertThat(pool.regions()).containsExactly(US, EU);
    }

    private static RegionProbe rtt(Region r, long millis) {
        return RegionProbe.measured(r, Duration.ofMillis(millis), true);
    }
}
