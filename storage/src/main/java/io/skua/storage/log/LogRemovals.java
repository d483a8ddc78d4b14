package io.skua.storage.log;

import io.skua.storage.LogConfig;
import io.skua.storage.StorageException.Error;
import io.skua.storage.StorageException;
import io.skua.storage.load.LogLoader;
import io.skua.storage.producer.ProducerStateManager;
import io.skua.storage.retention.RetentionPolicy;
import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Removing data from either end of a partition log: retention and DeleteRecords at the head (whole segments, decided
 * by {@link RetentionPolicy}), follower truncation at the tail. Removed segments go to {@link LogSegments}' delayed
 * deletion with all their files (indexes and aborted-transaction index included); producer snapshots below the new
 * head go with them, and a truncation rebuilds producer state (and so the open transactions and the last stable
 * offset) from the newest snapshot below the new end.
 *
 * <p>Every change is checkpointed ({@link LogOffsets#checkpoint}) before the method returns.
 *
 * <p>Thread-safety: the partition's writer thread only. Readers on other threads see the new log start before the
 * new segment list, so they never miss data they think is there.
 */
final class LogRemovals {
    private final Path dir;
    private final LongSupplier clock;
    private final ProducerStateManager producers;
    private final LogSegments segments;
    private final LogOffsets offsets;
    private final LogTransactions transactions;

    LogRemovals(Path dir, LongSupplier clock, ProducerStateManager producers, LogSegments segments, LogOffsets offsets,
                LogTransactions transactions) {
        this.dir = dir;
        this.clock = clock;
        this.producers = producers;
        this.segments = segments;
        this.offsets = offsets;
        this.transactions = transactions;
    }

    /** See {@link PartitionLog#applyRetention}. */
    int applyRetention(LogConfig cfg, long nowMs) throws IOException {
        int deletable = RetentionPolicy.segmentsToDelete(segments.list(), cfg, offsets.logStartOffset,
                offsets.highWatermark, segments.sizeInBytes(), nowMs);
        deleteOldestSegments(deletable, nowMs, cfg);
        segments.purgeDeletions(nowMs);
        return deletable;
    }

    /** See {@link PartitionLog#deleteRecordsBefore}. */
    long deleteRecordsBefore(long offset, LogConfig cfg) throws IOException {
        if (offset > offsets.highWatermark) {
            throw new StorageException(Error.OFFSET_OUT_OF_RANGE, "Cannot delete records before " + offset
                    + ": above the high watermark " + offsets.highWatermark);
        }
        if (offset <= offsets.logStartOffset) {
            return offsets.logStartOffset;
        }
        offsets.logStartOffset = offset;
        offsets.checkpoint(dir);
        deleteOldestSegments(RetentionPolicy.segmentsBelow(segments.list(), offset), clock.getAsLong(), cfg);
        return offsets.logStartOffset;
    }

    private void deleteOldestSegments(int count, long nowMs, LogConfig cfg) throws IOException {
        if (count == 0) {
            return;
        }
        List<Segment> list = segments.list();
        List<Segment> removed = list.subList(0, count);
        // Log start first: a reader that sees the new start with the old list still finds the data; one that saw the
        // new list with the old start found no segment for offsets it thought valid ("was deleted").
        offsets.logStartOffset = Math.max(offsets.logStartOffset, list.get(count).baseOffset());
        segments.set(list.subList(count, list.size()));
        offsets.highWatermark = Math.max(offsets.highWatermark, offsets.logStartOffset);
        offsets.checkpoint(dir);
        producers.deleteSnapshotsBelow(list.get(count).baseOffset());
        segments.scheduleDeletion(removed, nowMs + cfg.fileDeleteDelayMs());
    }

    /** See {@link PartitionLog#truncateTo}. */
    Void truncateTo(long offset, LogConfig cfg) throws IOException {
        if (offset >= offsets.logEndOffset) {
            return null;
        }
        List<Segment> list = segments.list();
        if (offset < offsets.logStartOffset || offset <= list.get(0).baseOffset()) {
            return truncateFullyAndStartAt(offset, cfg);
        }
        afterTruncation(segments.truncateTo(offset, cfg.fileDeleteDelayMs()));
        return null;
    }

    /** See {@link PartitionLog#truncateFullyAndStartAt}. */
    Void truncateFullyAndStartAt(long offset, LogConfig cfg) throws IOException {
        segments.resetTo(offset, cfg.fileDeleteDelayMs());
        offsets.logStartOffset = offset;
        producers.deleteSnapshotsBetween(Long.MIN_VALUE, Long.MAX_VALUE);
        afterTruncation(offset);
        return null;
    }

    private void afterTruncation(long newEnd) throws IOException {
        offsets.truncations++;
        offsets.logEndOffset = newEnd;
        offsets.clampHighWatermark();
        offsets.recoveryPoint = Math.min(offsets.recoveryPoint, newEnd);
        LogLoader.rebuildProducerState(producers, segments.list(), newEnd);
        transactions.onHighWatermark(offsets.highWatermark);
        offsets.checkpoint(dir);
    }
}
