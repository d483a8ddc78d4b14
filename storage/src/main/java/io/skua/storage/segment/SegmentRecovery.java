package io.skua.storage.segment;

import io.skua.protocol.record.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * How a segment's bytes are checked when it is opened: the quick check of a segment that was flushed before a clean
 * shutdown (index plausibility, the unindexed tail's framing, no CRCs) and the full verification after a crash (every
 * batch's framing, CRC32C and offsets). Both rebuild what the indexes keep in memory; {@link Segment} applies the
 * result to its own state (size, next offset) and to the file. Runs on the partition's writer thread.
 */
final class SegmentRecovery {
    private static final int CRC_CHUNK = 64 * 1024;

    private SegmentRecovery() {
    }

    /** What a full verification kept: the bytes before the first bad batch and the offset after the last good one. */
    record Verified(int validBytes, long nextOffset) {
    }

    /**
     * Recomputes the next offset, max timestamp and roll base from the time index and the batches after the last
     * offset index entry, below {@code limit}; restores them into {@code indexes}.
     *
     * @return the offset after the last batch, or -1 if something does not add up (then run {@link #verify})
     */
    static long scanTail(long baseOffset, int limit, SegmentReader reader, SegmentIndexes indexes) throws IOException {
        ByteBuffer scratch = SegmentReader.headerBuffer();
        SparseIndex offsetIndex = indexes.offsetIndex;
        SparseIndex timeIndex = indexes.timeIndex;
        int n = offsetIndex.entries();
        int pos = n == 0 ? 0 : offsetIndex.value(n - 1);
        long expectedBase = n == 0 ? -1 : baseOffset + offsetIndex.key(n - 1);
        long maxTs = RecordBatch.NO_TIMESTAMP;
        long offsetOfMax = -1;
        int t = timeIndex.entries();
        if (t > 0) {
            maxTs = timeIndex.key(t - 1);
            offsetOfMax = baseOffset + timeIndex.value(t - 1);
        }
        long next = baseOffset;
        while (pos < limit) {
            RecordBatch h = reader.header(pos, limit, scratch);
            if (h == null || (expectedBase >= 0 && h.baseOffset() != expectedBase) || h.baseOffset() < next) {
                return -1;
            }
            expectedBase = -1;
            if (h.maxTimestamp() > maxTs) {
                maxTs = h.maxTimestamp();
                offsetOfMax = h.baseOffset();
            }
            next = h.nextOffset();
            pos += h.sizeInBytes();
        }
        if (!timeIndex.isSane(next - baseOffset)) {
            return -1;
        }
        RecordBatch first = limit > 0 ? reader.header(0, limit, scratch) : null;
        indexes.restore(first == null ? RecordBatch.NO_TIMESTAMP : first.maxTimestamp(),
                limit - (n == 0 ? 0 : offsetIndex.value(n - 1)), maxTs, offsetOfMax);
        return next;
    }

    /**
     * Verifies every batch below {@code limit} (complete v2 header, CRC32C, ascending offsets that fit the segment's
     * int32 relative offsets) up to the first that fails, indexing each into the (cleared) {@code indexes}.
     */
    static Verified verify(long baseOffset, int limit, SegmentReader reader, SegmentIndexes indexes,
                           int indexIntervalBytes) throws IOException {
        ByteBuffer scratch = SegmentReader.headerBuffer();
        ByteBuffer chunk = ByteBuffer.allocate(CRC_CHUNK);
        long next = baseOffset;
        int pos = 0;
        while (true) {
            RecordBatch h = reader.header(pos, limit, scratch);
            if (h == null || h.baseOffset() < next || h.lastOffsetDelta() < 0 || h.recordCount() < 0
                    || h.lastOffset() - baseOffset > Integer.MAX_VALUE || !reader.crcMatches(h, pos, chunk)) {
                break;
            }
            indexes.indexBatch(h, pos, indexIntervalBytes);
            next = h.nextOffset();
            pos += h.sizeInBytes();
        }
        return new Verified(pos, next);
    }
}
