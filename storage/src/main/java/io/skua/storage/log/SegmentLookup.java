package io.skua.storage.log;

import io.skua.protocol.record.RecordBatch;
import io.skua.storage.FetchSlice;
import io.skua.storage.StorageException.Error;
import io.skua.storage.StorageException;
import io.skua.storage.TimestampOffset;
import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Lookups over one snapshot of a log's segment list (ascending base offsets, never empty), for the read path of
 * {@link PartitionLog}: which segment holds an offset, the read of whole batches from it, and timestamp searches.
 * The caller has checked the offsets against the log start and end it read with the list.
 *
 * <p>Thread-safety: stateless; safe on any thread, as the segments' reads are.
 */
final class SegmentLookup {
    private SegmentLookup() {
    }

    /**
     * Whole batches from the segment holding {@code startOffset} (or the next one with a batch below {@code bound});
     * see {@link PartitionLog#read}.
     *
     * @throws StorageException OFFSET_OUT_OF_RANGE if no segment of {@code list} holds {@code startOffset}
     */
    static FetchSlice read(List<Segment> list, long startOffset, int maxBytes, long bound) throws IOException {
        int i = floorSegment(list, startOffset);
        if (i < 0) {
            throw new StorageException(Error.OFFSET_OUT_OF_RANGE, "Offset " + startOffset + " was deleted");
        }
        for (; i < list.size(); i++) {
            FetchSlice slice = list.get(i).read(startOffset, maxBytes, bound);
            if (!slice.isEmpty()) {
                return slice;
            }
        }
        return FetchSlice.EMPTY;
    }

    /** The first record at or after {@code start} with a timestamp of at least {@code timestamp}; see the caller. */
    static Optional<TimestampOffset> offsetForTimestamp(List<Segment> list, long start, long timestamp)
            throws IOException {
        for (Segment s : list) {
            if (s.nextOffset() > start && s.maxTimestamp() >= timestamp) {
                Optional<TimestampOffset> found = s.findByTimestamp(timestamp, start);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** The largest timestamp of the segments ending after {@code start}; {@link RecordBatch#NO_TIMESTAMP} if none. */
    static long maxTimestamp(List<Segment> list, long start) {
        long max = RecordBatch.NO_TIMESTAMP;
        for (Segment s : list) {
            if (s.nextOffset() > start) {
                max = Math.max(max, s.maxTimestamp());
            }
        }
        return max;
    }

    /** Index of the last segment of {@code list} whose base offset is at most {@code offset}, or -1. */
    static int floorSegment(List<Segment> list, long offset) {
        int lo = 0;
        int hi = list.size() - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (list.get(mid).baseOffset() <= offset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
