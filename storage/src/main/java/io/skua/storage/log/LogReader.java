package io.skua.storage.log;

import io.skua.storage.AbortedTransaction;
import io.skua.storage.FetchSlice;
import io.skua.storage.StorageException.Error;
import io.skua.storage.StorageException;
import io.skua.storage.TimestampOffset;
import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The read path of a partition log ({@link PartitionLog#read} and the other lookups): range checks against the log
 * start and end, then {@link SegmentLookup} over one snapshot of the segment list.
 *
 * <p>Thread-safety: any thread, concurrently with the writer. Each read takes the log end before the segment list and
 * the log start after it (the writer publishes them in the opposite order), so it never looks for data the list it
 * holds does not have.
 */
final class LogReader {
    private final Path dir;
    private final LogSegments segments;
    private final LogOffsets offsets;

    LogReader(Path dir, LogSegments segments, LogOffsets offsets) {
        this.dir = dir;
        this.segments = segments;
        this.offsets = offsets;
    }

    /** See {@link PartitionLog#read}. */
    FetchSlice read(long startOffset, int maxBytes, long maxOffsetExclusive) {
        long end = offsets.logEndOffset;
        List<Segment> list = segments.list();
        long start = offsets.logStartOffset;
        if (startOffset < start || startOffset > end) {
            throw new StorageException(Error.OFFSET_OUT_OF_RANGE, "Offset " + startOffset + " is outside ["
                    + start + ", " + end + "] of " + dir.getFileName());
        }
        long bound = Math.min(maxOffsetExclusive, end);
        if (startOffset >= bound) {
            return FetchSlice.EMPTY;
        }
        try {
            return SegmentLookup.read(list, startOffset, maxBytes, bound);
        } catch (IOException e) {
            throw StorageException.io("Read from " + dir + " failed", e);
        }
    }

    /** See {@link PartitionLog#readFromMemory}. */
    FetchSlice readFromMemory(long startOffset, int maxBytes, long maxOffsetExclusive) {
        long end = offsets.logEndOffset;
        List<Segment> list = segments.list();
        if (startOffset < offsets.logStartOffset || startOffset > end) {
            return null;
        }
        if (startOffset >= Math.min(maxOffsetExclusive, end)) {
            return FetchSlice.EMPTY;
        }
        Segment last = list.get(list.size() - 1);
        return startOffset > last.baseOffset() ? last.readRecent(startOffset, maxBytes, maxOffsetExclusive) : null;
    }

    /** See {@link PartitionLog#offsetForTimestamp}. */
    Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        long start = offsets.logStartOffset;
        try {
            return SegmentLookup.offsetForTimestamp(segments.list(), start, timestamp);
        } catch (IOException e) {
            throw StorageException.io("Timestamp lookup in " + dir + " failed", e);
        }
    }

    /** See {@link PartitionLog#maxTimestampOffset}. */
    Optional<TimestampOffset> maxTimestampOffset() {
        long start = offsets.logStartOffset;
        long max = SegmentLookup.maxTimestamp(segments.list(), start);
        return max < 0 ? Optional.empty() : offsetForTimestamp(max);
    }

    /** See {@link PartitionLog#abortedTransactions}. */
    List<AbortedTransaction> abortedTransactions(long fetchOffset, long upperBoundOffset) {
        return LogTransactions.abortedTransactions(segments.list(), fetchOffset, upperBoundOffset);
    }
}
