package io.geows.internal;

/**
 * The keys of the messages one room delivered lately, each with the epoch and offset it was
 * delivered at, so that a correctly signed message sent again under another position is
 * recognised. Bounded: it keeps at most {@value #MAX_KEYS} keys and none older than
 * {@value #KEEP_MILLIS} ms (by the messages' signed time stamps); {@link #forgottenUntil()} says how
 * far back it is complete, so that anything signed earlier is checked another way. Keys and epochs
 * are kept as 64-bit hashes ({@link #hash}): a collision costs one message its fast path, nothing
 * else. Not thread-safe: the owning room's lock guards it.
 */
final class RecentKeys {
    static final int MAX_KEYS = 1 << 14;
    static final long KEEP_MILLIS = 10_000;
    private static final long EMPTY = 0;

    /** {@link #check}: the key was not delivered lately. */
    static final int UNSEEN = 0;
    /** {@link #check}: the key was delivered at this very epoch and offset. */
    static final int SAME = 1;
    /** {@link #check}: the key was delivered at another position: the message is a replay. */
    static final int ELSEWHERE = 2;

    // ring of remembered entries, oldest at head
    private long[] ringKey = new long[64];
    private long[] ringEpoch = new long[64];
    private long[] ringOffset = new long[64];
    private long[] ringTime = new long[64];
    private int head;
    private int size;
    // open addressing: key hash -> (epoch hash, offset) of its latest delivery; EMPTY marks a free slot
    private long[] tableKey = new long[128];
    private long[] tableEpoch = new long[128];
    private long[] tableOffset = new long[128];
    private long newest = Long.MIN_VALUE;
    private long forgotten = Long.MIN_VALUE;

    /** Whether {@code key} (a {@link #hash}) was delivered lately, and where. */
    int check(long key, long epoch, long offset) {
        int slot = find(key);
        if (slot < 0) {
            return UNSEEN;
        }
        return tableEpoch[slot] == epoch && tableOffset[slot] == offset ? SAME : ELSEWHERE;
    }

    /** The offset {@code key} was last delivered at, or -1 (for messages). */
    long offsetOf(long key) {
        int slot = find(key);
        return slot < 0 ? -1 : tableOffset[slot];
    }

    /**
     * The newest signed time stamp among the keys already forgotten: a message signed at or before
     * it may have been delivered without this set remembering it.
     */
    long forgottenUntil() {
        return forgotten;
    }

    void add(long key, long epoch, long offset, long time) {
        newest = Math.max(newest, time);
        while (size > 0 && (size >= MAX_KEYS || ringTime[head] < newest - KEEP_MILLIS)) {
            evictOldest();
        }
        if (size == ringKey.length) {
            growRing();
        }
        int slot = (head + size) % ringKey.length;
        ringKey[slot] = key;
        ringEpoch[slot] = epoch;
        ringOffset[slot] = offset;
        ringTime[slot] = time;
        size++;
        put(key, epoch, offset);
    }

    int size() {
        return size;
    }

    private void evictOldest() {
        forgotten = Math.max(forgotten, ringTime[head]);
        int slot = find(ringKey[head]);
        // only drop the table entry if it still describes this occurrence
        if (slot >= 0 && tableOffset[slot] == ringOffset[head] && tableEpoch[slot] == ringEpoch[head]) {
            remove(slot);
        }
        head = (head + 1) % ringKey.length;
        size--;
    }

    private int find(long key) {
        int mask = tableKey.length - 1;
        for (int i = (int) mix(key) & mask; tableKey[i] != EMPTY; i = (i + 1) & mask) {
            if (tableKey[i] == key) {
                return i;
            }
        }
        return -1;
    }

    private void growRing() {
        int n = ringKey.length * 2;
        long[] k = new long[n];
        long[] e = new long[n];
        long[] o = new long[n];
        long[] t = new long[n];
        for (int i = 0; i < size; i++) {
            int from = (head + i) % ringKey.length;
            k[i] = ringKey[from];
            e[i] = ringEpoch[from];
            o[i] = ringOffset[from];
            t[i] = ringTime[from];
        }
        ringKey = k;
        ringEpoch = e;
        ringOffset = o;
        ringTime = t;
        head = 0;
        if (tableKey.length < n * 2) {
            rehash(n * 2);
        }
    }

    private void put(long key, long epoch, long offset) {
        int mask = tableKey.length - 1;
        int i = (int) mix(key) & mask;
        while (tableKey[i] != EMPTY && tableKey[i] != key) {
            i = (i + 1) & mask;
        }
        tableKey[i] = key;
        tableEpoch[i] = epoch;
        tableOffset[i] = offset;
    }

    private void remove(int slot) {
        int mask = tableKey.length - 1;
        // backward-shift deletion keeps every probe chain unbroken
        int gap = slot;
        for (int j = (gap + 1) & mask; tableKey[j] != EMPTY; j = (j + 1) & mask) {
            int home = (int) mix(tableKey[j]) & mask;
            boolean movable = gap <= j ? (home <= gap || home > j) : (home <= gap && home > j);
            if (movable) {
                tableKey[gap] = tableKey[j];
                tableEpoch[gap] = tableEpoch[j];
                tableOffset[gap] = tableOffset[j];
                gap = j;
            }
        }
        tableKey[gap] = EMPTY;
    }

    private void rehash(int capacity) {
        long[] oldKey = tableKey;
        long[] oldEpoch = tableEpoch;
        long[] oldOffset = tableOffset;
        tableKey = new long[capacity];
        tableEpoch = new long[capacity];
        tableOffset = new long[capacity];
        for (int i = 0; i < oldKey.length; i++) {
            if (oldKey[i] != EMPTY) {
                put(oldKey[i], oldEpoch[i], oldOffset[i]);
            }
        }
    }

    /** 64-bit FNV-1a over the text's UTF-16 units (no copy); never {@link #EMPTY}. */
    static long hash(String text) {
        long h = mixIn(0xcbf29ce484222325L, text);
        return h == EMPTY ? 1 : h;
    }

    /**
     * {@link #hash} of a message key ({@code from + "\n" + id}, an absent sender as "") without
     * building the string.
     */
    static long hashKey(String from, String id) {
        long h = 0xcbf29ce484222325L;
        h = mixIn(h, from == null ? "" : from);
        h ^= '\n';
        h *= 0x100000001b3L;
        h *= 0x100000001b3L; // the high byte of '\n' is 0: xor is a no-op, the multiply is not
        h = mixIn(h, id);
        return h == EMPTY ? 1 : h;
    }

    private static long mixIn(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            h ^= c & 0xff;
            h *= 0x100000001b3L;
            h ^= c >>> 8;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
