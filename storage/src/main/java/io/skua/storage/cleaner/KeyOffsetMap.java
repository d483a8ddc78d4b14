package io.skua.storage.cleaner;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's map from record key to the offset of its newest record. Keys are stored as their 128-bit MD5
 * digest (a collision would need 2^64 keys to become likely), in open-addressing arrays of primitive longs:
 * 24 bytes a slot, nothing per entry on the heap. Grows by doubling up to {@code maxEntries}; the cleaner stops
 * adding segments when it is full.
 *
 * <p>Thread-safety: none; one cleaning at a time uses it.
 */
final class KeyOffsetMap {
    private static final double LOAD = 0.7;
    private final int maxEntries;
    private final MessageDigest md5;
    private long[] hi;
    private long[] lo;
    private long[] offsets;
    private int size;
    // scratch digest of the last key hashed
    private long keyHi;
    private long keyLo;

    KeyOffsetMap(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.maxEntries = maxEntries;
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JDK", e);
        }
        allocate(1024);
    }

    int size() {
        return size;
    }

    /** True if {@code more} new keys might not fit. */
    boolean wouldOverflow(int more) {
        return (long) size + more > maxEntries;
    }

    /** Records {@code offset} for {@code key} if it is newer than what the map holds. */
    void put(ByteBuffer key, long offset) {
        digest(key);
        if (size + 1 > hi.length * LOAD) {
            grow();
        }
        int slot = find(keyHi, keyLo);
        if (offsets[slot] < 0) {
            hi[slot] = keyHi;
            lo[slot] = keyLo;
            offsets[slot] = offset;
            size++;
        } else if (offset > offsets[slot]) {
            offsets[slot] = offset;
        }
    }

    /** The newest offset recorded for {@code key}, or -1. */
    long get(ByteBuffer key) {
        digest(key);
        return offsets[find(keyHi, keyLo)];
    }

    private void digest(ByteBuffer key) {
        md5.reset();
        md5.update(key.duplicate());
        ByteBuffer d = ByteBuffer.wrap(md5.digest());
        keyHi = d.getLong();
        keyLo = d.getLong();
    }

    /** The slot holding the digest, or the empty slot where it would go. */
    private int find(long h, long l) {
        int mask = hi.length - 1;
        int slot = (int) (l ^ (l >>> 32)) & mask;
        while (offsets[slot] >= 0 && (hi[slot] != h || lo[slot] != l)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void grow() {
        long[] oldHi = hi;
        long[] oldLo = lo;
        long[] oldOffsets = offsets;
        allocate(oldHi.length * 2);
        for (int i = 0; i < oldHi.length; i++) {
            if (oldOffsets[i] >= 0) {
                int slot = find(oldHi[i], oldLo[i]);
                hi[slot] = oldHi[i];
                lo[slot] = oldLo[i];
                offsets[slot] = oldOffsets[i];
            }
        }
    }

    private void allocate(int slots) {
        hi = new long[slots];
        lo = new long[slots];
        offsets = new long[slots];
        Arrays.fill(offsets, -1);
    }
}
