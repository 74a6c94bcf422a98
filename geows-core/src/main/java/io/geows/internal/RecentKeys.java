package io.geows.internal;

import java.nio.charset.StandardCharsets;

/**
 * The keys of the messages one room delivered lately, with their offsets, so that a correctly
 * signed message sent again under another offset is recognised. Bounded: it keeps at most
 * {@value #MAX_KEYS} keys and none older than {@value #KEEP_MILLIS} ms (by the messages' signed time
 * stamps); {@link #forgottenBefore()} says how far back it is complete, so that anything older is
 * checked another way. Keys are kept as 64-bit hashes: a collision costs a history read, nothing
 * else. Not thread-safe: the owning room's lock guards it.
 */
final class RecentKeys {
    static final int MAX_KEYS = 1 << 14;
    static final long KEEP_MILLIS = 10_000;
    private static final long EMPTY = 0;

    // ring of remembered entries, oldest at head
    private long[] ringHash = new long[64];
    private long[] ringOffset = new long[64];
    private long[] ringTime = new long[64];
    private int head;
    private int size;
    // open addressing hash -> offset; a hash of 0 is stored as 1 (EMPTY marks a free slot)
    private long[] tableHash = new long[128];
    private long[] tableOffset = new long[128];
    private long newest = Long.MIN_VALUE;
    private long forgotten = Long.MIN_VALUE;

    /** The offset the key was delivered at, or -1 when it is not remembered. */
    long offsetOf(String key) {
        long h = hash(key);
        int mask = tableHash.length - 1;
        for (int i = (int) mix(h) & mask; tableHash[i] != EMPTY; i = (i + 1) & mask) {
            if (tableHash[i] == h) {
                return tableOffset[i];
            }
        }
        return -1;
    }

    /**
     * The newest time stamp among the keys already forgotten (or the floor given at creation): a
     * message signed at or before it may have been delivered without being remembered.
     */
    long forgottenBefore() {
        return forgotten;
    }

    /** Lowers what is known from the start: messages signed at or before {@code time} count as forgotten. */
    void forgetBefore(long time) {
        forgotten = Math.max(forgotten, time);
    }

    void add(String key, long offset, long time) {
        newest = Math.max(newest, time);
        while (size > 0 && (size >= MAX_KEYS || ringTime[head] < newest - KEEP_MILLIS)) {
            evictOldest();
        }
        if (size == ringHash.length) {
            growRing();
        }
        long h = hash(key);
        int slot = (head + size) % ringHash.length;
        ringHash[slot] = h;
        ringOffset[slot] = offset;
        ringTime[slot] = time;
        size++;
        put(h, offset);
    }

    int size() {
        return size;
    }

    private void evictOldest() {
        forgotten = Math.max(forgotten, ringTime[head]);
        long h = ringHash[head];
        // only drop the table entry if it still points at this occurrence
        if (offsetOfHash(h) == ringOffset[head]) {
            remove(h);
        }
        head = (head + 1) % ringHash.length;
        size--;
    }

    private long offsetOfHash(long h) {
        int mask = tableHash.length - 1;
        for (int i = (int) mix(h) & mask; tableHash[i] != EMPTY; i = (i + 1) & mask) {
            if (tableHash[i] == h) {
                return tableOffset[i];
            }
        }
        return -1;
    }

    private void growRing() {
        int n = ringHash.length * 2;
        long[] h = new long[n];
        long[] o = new long[n];
        long[] t = new long[n];
        for (int i = 0; i < size; i++) {
            int from = (head + i) % ringHash.length;
            h[i] = ringHash[from];
            o[i] = ringOffset[from];
            t[i] = ringTime[from];
        }
        ringHash = h;
        ringOffset = o;
        ringTime = t;
        head = 0;
        if (tableHash.length < n * 2) {
            rehash(n * 2);
        }
    }

    private void put(long h, long offset) {
        int mask = tableHash.length - 1;
        int i = (int) mix(h) & mask;
        while (tableHash[i] != EMPTY && tableHash[i] != h) {
            i = (i + 1) & mask;
        }
        tableHash[i] = h;
        tableOffset[i] = offset;
    }

    private void remove(long h) {
        int mask = tableHash.length - 1;
        int i = (int) mix(h) & mask;
        while (tableHash[i] != h) {
            if (tableHash[i] == EMPTY) {
                return;
            }
            i = (i + 1) & mask;
        }
        // backward-shift deletion keeps every probe chain unbroken
        int gap = i;
        for (int j = (gap + 1) & mask; tableHash[j] != EMPTY; j = (j + 1) & mask) {
            int home = (int) mix(tableHash[j]) & mask;
            boolean movable = gap <= j ? (home <= gap || home > j) : (home <= gap && home > j);
            if (movable) {
                tableHash[gap] = tableHash[j];
                tableOffset[gap] = tableOffset[j];
                gap = j;
            }
        }
        tableHash[gap] = EMPTY;
        tableOffset[gap] = 0;
    }

    private void rehash(int capacity) {
        long[] oldHash = tableHash;
        long[] oldOffset = tableOffset;
        tableHash = new long[capacity];
        tableOffset = new long[capacity];
        for (int i = 0; i < oldHash.length; i++) {
            if (oldHash[i] != EMPTY) {
                put(oldHash[i], oldOffset[i]);
            }
        }
    }

    /** 64-bit FNV-1a over the key's UTF-8 bytes; never {@link #EMPTY}. */
    static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h == EMPTY ? 1 : h;
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
