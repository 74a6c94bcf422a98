package io.geows.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentKeysTests {

    @Test
    void remembersTheOffsetOfEachKey() {
        RecentKeys keys = new RecentKeys();
        keys.forgetBefore(0);
        for (int i = 1; i <= 1000; i++) {
            keys.add("alice\nm" + i, i, 1000 + i);
        }
        assertThat(keys.offsetOf("alice\nm1")).isEqualTo(1);
        assertThat(keys.offsetOf("alice\nm777")).isEqualTo(777);
        assertThat(keys.offsetOf("bob\nm1")).isEqualTo(-1);
        assertThat(keys.forgottenBefore()).isZero();
    }

    @Test
    void forgetsTheOldestBeyondItsSizeAndSaysSince() {
        RecentKeys keys = new RecentKeys();
        int n = RecentKeys.MAX_KEYS + 100;
        for (int i = 1; i <= n; i++) {
            keys.add("k" + i, i, 1_000_000 + i / 10); // all well within the time window
        }
        assertThat(keys.size()).isEqualTo(RecentKeys.MAX_KEYS);
        assertThat(keys.offsetOf("k1")).isEqualTo(-1);
        assertThat(keys.offsetOf("k100")).isEqualTo(-1);
        assertThat(keys.offsetOf("k101")).isEqualTo(101);
        assertThat(keys.offsetOf("k" + n)).isEqualTo(n);
        // messages signed at or before the newest forgotten one may have been delivered unseen
        assertThat(keys.forgottenBefore()).isEqualTo(1_000_000 + 100 / 10);
        for (int i = 101; i <= n; i++) {
            assertThat(keys.offsetOf("k" + i)).as("k%d", i).isEqualTo(i);
        }
    }

    @Test
    void forgetsKeysOlderThanItsTimeWindow() {
        RecentKeys keys = new RecentKeys();
        keys.add("old", 1, 1_000);
        keys.add("new", 2, 1_000 + RecentKeys.KEEP_MILLIS + 1);
        assertThat(keys.offsetOf("old")).isEqualTo(-1);
        assertThat(keys.offsetOf("new")).isEqualTo(2);
        assertThat(keys.forgottenBefore()).isEqualTo(1_000);
    }

    @Test
    void aKeySeenTwiceKeepsItsLatestOffsetUntilThatOneIsForgotten() {
        RecentKeys keys = new RecentKeys();
        keys.add("x", 1, 1);
        keys.add("x", 5, 2);
        assertThat(keys.offsetOf("x")).isEqualTo(5);
        keys.add("y", 6, 2 + RecentKeys.KEEP_MILLIS); // forgets the first "x" only
        assertThat(keys.offsetOf("x")).isEqualTo(5);
    }

    @Test
    void theFloorGivenAtTheStartCountsAsForgotten() {
        RecentKeys keys = new RecentKeys();
        keys.forgetBefore(5_000);
        keys.add("a", 1, 10);
        assertThat(keys.forgottenBefore()).isEqualTo(5_000);
    }
}
