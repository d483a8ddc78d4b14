package io.skua.storage.segment;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where the last {@value #RECENT} batches appended to a segment start: {@code (offset - baseOffset) << 32 | position},
 * 0 when empty (never a valid entry except the very first batch, which the index finds anyway). A consumer following
 * the tail fetches from the start of a batch appended since its last fetch: found here without the binary search of
 * the offset index (one read per probe).
 *
 * <p>Thread-safety: one writer (the partition's writer thread), which writes an entry before it publishes the
 * segment's size; readers on any thread take an entry only below the size they read and check it against the batch
 * header they read there, so a stale entry (after a truncation) costs a lookup, never a wrong answer.
 */
final class RecentBatches {
    private static final int RECENT = 16;

    private final long baseOffset;
    private final AtomicLongArray starts = new AtomicLongArray(RECENT);
    /** Writer thread only. */
    private int next;

    RecentBatches(long baseOffset) {
        this.baseOffset = baseOffset;
    }

    /** Writer thread: notes where a batch just appended starts. */
    void remember(long batchBaseOffset, int position) {
        long relative = batchBaseOffset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            return;
        }
        starts.lazySet(next, relative << 32 | (position & 0xffffffffL));
        next = (next + 1) % RECENT;
    }

    /** The position of a recently appended batch that starts exactly at {@code offset} below {@code limit}, or -1. */
    int start(long offset, int limit) {
        long relative = offset - baseOffset;
        if (relative <= 0 || relative > Integer.MAX_VALUE) {
            return -1;
        }
        for (int i = 0; i < RECENT; i++) {
            long entry = starts.get(i);
            if (entry >>> 32 == relative) {
                int position = (int) entry;
                return position < limit ? position : -1;
            }
        }
        return -1;
    }

    /** Writer thread: forgets every entry (recovery, truncation). */
    void forget() {
        for (int i = 0; i < RECENT; i++) {
            starts.set(i, 0);
        }
    }
}
