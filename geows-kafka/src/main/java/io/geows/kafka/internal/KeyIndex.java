package io.geows.kafka.internal;

import java.security.SecureRandom;

/**
 * The first-wins rule on message keys for one rooms partition, read in log order: a keyed record
 * whose (room, key) an earlier record had, at most the dedup window earlier and among the last
 * {@code maxKeys} first records, is a repeat. Every reader (each node's live consumer, each history
 * read) runs the same rule over the same log, so all agree.
 *
 * <p>Memory is bounded: keys are kept as two 64-bit hashes (seeded per process, so ids cannot be
 * chosen offline to collide; a chance collision of both is about 2<sup>-128</sup>) in primitive arrays,
 * about 40 bytes a key, at most {@code maxKeys} of them. Not thread-safe: one reader owns it (or
 * guards it with a lock).
 */
public final class KeyIndex {
    private static final long SEED_1;
    private static final long SEED_2;

    static {
        SecureRandom random = new SecureRandom();
        SEED_1 = random.nextLong();
        SEED_2 = random.nextLong();
    }

    private final long windowMillis;
    private final int maxKeys;
    // ring of remembered first records, oldest at head
    private long[] ringHash1 = new long[64];
    private long[] ringHash2 = new long[64];
    private long[] ringOffset = new long[64];
    private long[] ringTime = new long[64];
    private int head;
    private int size;
    // open addressing (linear probing) from hash 1 to a ring slot + 1; 0 marks a free slot
    private int[] table = new int[128];

    public KeyIndex(long windowMillis, int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
        }
        this.windowMillis = windowMillis;
        this.maxKeys = maxKeys;
    }

    /**
     * Reads the keyed record at {@code offset}, stamped {@code timestamp}: returns the offset of the
     * first record with its (room, key), which is {@code offset} itself unless it is a repeat.
     */
    public long offer(String room, String key, long offset, long timestamp) {
        while (size > 0 && ringTime[head] < timestamp - windowMillis) {
            removeHead();
        }
        long h1 = hash(room, key, SEED_1);
        long h2 = hash(room, key, SEED_2);
        int slot = find(h1, h2);
        if (slot >= 0) {
            return ringOffset[table[slot] - 1];
        }
        if (size == maxKeys) {
            removeHead();
        }
        if (size == ringOffset.length) {
            growRing();
        }
        int at = (head + size) & (ringOffset.length - 1);
        ringHash1[at] = h1;
        ringHash2[at] = h2;
        ringOffset[at] = offset;
        ringTime[at] = timestamp;
        size++;
        if (size * 2 > table.length) {
            rehash(table.length * 2);
        } else {
            insert(h1, at);
        }
        return offset;
    }

    /**
     * The offset of the first record with this (room, key) if one is held that a record stamped
     * {@code timestamp} would repeat, else -1. Changes nothing.
     */
    public long firstOf(String room, String key, long timestamp) {
        int slot = find(hash(room, key, SEED_1), hash(room, key, SEED_2));
        if (slot < 0) {
            return -1;
        }
        int r = table[slot] - 1;
        return ringTime[r] < timestamp - windowMillis ? -1 : ringOffset[r];
    }

    /** How many keys it holds. */
    public int size() {
        return size;
    }

    /** Forgets everything (a new log). */
    public void clear() {
        head = 0;
        size = 0;
        java.util.Arrays.fill(table, 0);
    }

    private int find(long h1, long h2) {
        int mask = table.length - 1;
        for (int i = (int) h1 & mask; table[i] != 0; i = (i + 1) & mask) {
            int r = table[i] - 1;
            if (ringHash1[r] == h1 && ringHash2[r] == h2) {
                return i;
            }
        }
        return -1;
    }

    private void insert(long h1, int ringSlot) {
        int mask = table.length - 1;
        int i = (int) h1 & mask;
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = ringSlot + 1;
    }

    private void removeHead() {
        int r = head;
        int mask = table.length - 1;
        int i = (int) ringHash1[r] & mask;
        while (table[i] != r + 1) {
            i = (i + 1) & mask;
        }
        // backward-shift deletion keeps every other key reachable from its home slot
        int gap = i;
        for (int j = (gap + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
            int home = (int) ringHash1[table[j] - 1] & mask;
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                table[gap] = table[j];
                gap = j;
            }
        }
        table[gap] = 0;
        head = (head + 1) & (ringOffset.length - 1);
        size--;
    }

    private void growRing() {
        int n = ringOffset.length * 2;
        long[] h1 = new long[n];
        long[] h2 = new long[n];
        long[] o = new long[n];
        long[] t = new long[n];
        for (int k = 0; k < size; k++) {
            int from = (head + k) & (ringOffset.length - 1);
            h1[k] = ringHash1[from];
            h2[k] = ringHash2[from];
            o[k] = ringOffset[from];
            t[k] = ringTime[from];
        }
        ringHash1 = h1;
        ringHash2 = h2;
        ringOffset = o;
        ringTime = t;
        head = 0;
        rehash(table.length);
    }

    private void rehash(int tableSize) {
        table = new int[tableSize];
        for (int k = 0; k < size; k++) {
            int r = (head + k) & (ringOffset.length - 1);
            insert(ringHash1[r], r);
        }
    }

    private static long hash(String room, String key, long seed) {
        long h = seed;
        h = mixIn(h, room);
        h = step(h, '\n');
        h = mixIn(h, key);
        // final avalanche (Stafford's variant 13)
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    private static long mixIn(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = step(h, s.charAt(i));
        }
        return step(h, s.length());
    }

    private static long step(long h, int c) {
        h ^= c;
        h *= 0x9e3779b97f4a7c15L;
        return h ^ (h >>> 29);
    }
}
