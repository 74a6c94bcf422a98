package io.geows.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The first-wins rule on keys, bounded by time and by count, against a plain model. */
class KeyIndexTests {
    @Test
    void aRepeatWithinTheWindowIsAnsweredWithTheFirstOffset() {
        KeyIndex index = new KeyIndex(1_000, 100);
        assertThat(index.offer("lobby", "alice\nm1", 10, 5_000)).isEqualTo(10);
        assertThat(index.offer("lobby", "alice\nm2", 11, 5_001)).isEqualTo(11);
        assertThat(index.offer("lobby", "alice\nm1", 12, 5_500)).isEqualTo(10);
        // the same key in another room is another message
        assertThat(index.offer("kitchen", "alice\nm1", 13, 5_600)).isEqualTo(13);
        // room and key are not run together: ("a\nb", "c") is not ("a", "b\nc")
        assertThat(index.offer("a\nb", "c", 14, 5_700)).isEqualTo(14);
        assertThat(index.offer("a", "b\nc", 15, 5_700)).isEqualTo(15);
    }

    @Test
    void firstOfLooksWithoutChangingAnything() {
        KeyIndex index = new KeyIndex(1_000, 100);
        assertThat(index.firstOf("lobby", "m1", 5_000)).isEqualTo(-1);
        index.offer("lobby", "m1", 10, 5_000);
        assertThat(index.firstOf("lobby", "m1", 5_900)).isEqualTo(10);
        assertThat(index.firstOf("lobby", "m1", 6_001)).as("a record this late would not repeat it").isEqualTo(-1);
        assertThat(index.firstOf("lobby", "m2", 5_900)).isEqualTo(-1);
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void aKeyOlderThanTheWindowIsForgotten() {
        KeyIndex index = new KeyIndex(1_000, 100);
        index.offer("lobby", "m1", 10, 5_000);
        assertThat(index.offer("lobby", "m1", 11, 6_000)).as("exactly the window apart").isEqualTo(10);
        assertThat(index.offer("lobby", "m1", 12, 6_001)).as("past the window").isEqualTo(12);
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void atTheCapTheOldestKeyGoes() {
        KeyIndex index = new KeyIndex(60_000, 3);
        index.offer("r", "a", 1, 0);
        index.offer("r", "b", 2, 0);
        index.offer("r", "c", 3, 0);
        index.offer("r", "d", 4, 0);
        assertThat(index.size()).isEqualTo(3);
        assertThat(index.offer("r", "b", 5, 0)).isEqualTo(2);
        assertThat(index.offer("r", "a", 6, 0)).as("evicted by d").isEqualTo(6);
    }

    @Test
    void clearForgetsEverything() {
        KeyIndex index = new KeyIndex(60_000, 10);
        index.offer("r", "a", 1, 0);
        index.clear();
        assertThat(index.size()).isZero();
        assertThat(index.offer("r", "a", 2, 0)).isEqualTo(2);
    }

    @Test
    void manyKeysGrowingAndExpiringAgreeWithAModel() {
        Random random = new Random(42);
        int cap = 500;
        long window = 2_000;
        KeyIndex index = new KeyIndex(window, cap);
        Map<String, long[]> model = new HashMap<>(); // key -> {first offset, timestamp}
        ArrayDeque<String> order = new ArrayDeque<>();
        long time = 0;
        for (long offset = 0; offset < 200_000; offset++) {
            time += random.nextInt(3);
            String key = "k" + random.nextInt(3_000);
            while (!order.isEmpty() && model.get(order.peekFirst())[1] < time - window) {
                model.remove(order.pollFirst());
            }
            long[] first = model.get(key);
            long expected;
            if (first != null) {
                expected = first[0];
            } else {
                if (order.size() == cap) {
                    model.remove(order.pollFirst());
                }
                model.put(key, new long[] {offset, time});
                order.addLast(key);
                expected = offset;
            }
            assertThat(index.offer("room", key, offset, time)).as("offset %d key %s", offset, key).isEqualTo(expected);
            assertThat(index.size()).isEqualTo(order.size());
        }
    }

    @Test
    void aCapBelowOneIsRefused() {
        assertThatThrownBy(() -> new KeyIndex(1_000, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
