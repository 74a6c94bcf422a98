package io.geows.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentKeysTests {
    private static final long E1 = RecentKeys.hash("epoch-1");
    private static final long E2 = RecentKeys.hash("epoch-2");

    private static long k(String key) {
        return RecentKeys.hash(key);
    }

    @Test
    void remembersWhereEachKeyWasDelivered() {
        RecentKeys keys = new RecentKeys();
        for (int i = 1; i <= 1000; i++) {
            keys.add(k("alice\nm" + i), E1, i, 1000 + i);
        }
        assertThat(keys.check(k("alice\nm1"), E1, 1)).isEqualTo(RecentKeys.SAME);
        assertThat(keys.check(k("alice\nm1"), E1, 1001)).isEqualTo(RecentKeys.ELSEWHERE); // another offset
        assertThat(keys.check(k("alice\nm1"), E2, 1)).isEqualTo(RecentKeys.ELSEWHERE);    // same offset, another epoch
        assertThat(keys.check(k("bob\nm1"), E1, 1)).isEqualTo(RecentKeys.UNSEEN);
        assertThat(keys.offsetOf(k("alice\nm777"))).isEqualTo(777);
        assertThat(keys.forgottenUntil()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void theKeyHashNeedsNoString() {
        assertThat(RecentKeys.hashKey("alice", "m1")).isEqualTo(RecentKeys.hash("alice\nm1"));
        assertThat(RecentKeys.hashKey("al", "ice\nm1")).isEqualTo(RecentKeys.hash("al\nice\nm1"));
        assertThat(RecentKeys.hashKey("élan🙂", "x")).isEqualTo(RecentKeys.hash("élan🙂\nx"));
        assertThat(RecentKeys.hashKey("alice", "m1")).isNotEqualTo(RecentKeys.hashKey("alice", "m2"));
    }

    @Test
    void forgetsTheOldestBeyondItsSizeAndSaysSince() {
        RecentKeys keys = new RecentKeys();
        int n = RecentKeys.MAX_KEYS + 100;
        for (int i = 1; i <= n; i++) {
            keys.add(k("k" + i), E1, i, 1_000_000 + i / 10); // all well within the time window
        }
        assertThat(keys.size()).isEqualTo(RecentKeys.MAX_KEYS);
        assertThat(keys.check(k("k1"), E1, 1)).isEqualTo(RecentKeys.UNSEEN);
        assertThat(keys.check(k("k100"), E1, 100)).isEqualTo(RecentKeys.UNSEEN);
        assertThat(keys.check(k("k101"), E1, 101)).isEqualTo(RecentKeys.SAME);
        // messages signed at or before the newest forgotten one may have been delivered unseen
        assertThat(keys.forgottenUntil()).isEqualTo(1_000_000 + 100 / 10);
        for (int i = 101; i <= n; i++) {
            assertThat(keys.offsetOf(k("k" + i))).as("k%d", i).isEqualTo(i);
        }
    }

    @Test
    void forgetsKeysOlderThanItsTimeWindow() {
        RecentKeys keys = new RecentKeys();
        keys.add(k("old"), E1, 1, 1_000);
        keys.add(k("new"), E1, 2, 1_000 + RecentKeys.KEEP_MILLIS + 1);
        assertThat(keys.check(k("old"), E1, 1)).isEqualTo(RecentKeys.UNSEEN);
        assertThat(keys.check(k("new"), E1, 2)).isEqualTo(RecentKeys.SAME);
        assertThat(keys.forgottenUntil()).isEqualTo(1_000);
    }

    @Test
    void aKeyDeliveredAgainInAnotherEpochStaysUntilThatDeliveryIsForgotten() {
        RecentKeys keys = new RecentKeys();
        keys.add(k("x"), E1, 5, 1);
        keys.add(k("x"), E2, 5, 2); // same offset, new epoch (history was lost and it came again)
        assertThat(keys.check(k("x"), E2, 5)).isEqualTo(RecentKeys.SAME);
        keys.add(k("y"), E2, 6, 2 + RecentKeys.KEEP_MILLIS); // forgets the first "x" only
        assertThat(keys.check(k("x"), E2, 5)).isEqualTo(RecentKeys.SAME);
    }
}
