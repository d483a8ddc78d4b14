package io.skua.storage.log;

import io.skua.protocol.record.RecordBatch;
import io.skua.protocol.record.TimestampType;
import io.skua.storage.AppendOrigin;
import io.skua.storage.AppendResult;
import io.skua.storage.LogConfig;
import io.skua.storage.StorageException.Error;
import io.skua.storage.StorageException;
import io.skua.storage.producer.ProducerStateManager;
import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The append path of a partition log ({@link PartitionLog#append}): validation ({@link AppendValidator}), offset
 * assignment, producer-state checks ({@link ProducerStateManager}), the in-place rewrite of client batches, rolling the
 * active segment, the write, and the transactions the append ended ({@link LogTransactions}).
 *
 * <p>Per batch: magic must be 2 ({@code INVALID_RECORD}); the size at most {@code max.message.bytes}
 * ({@code MESSAGE_TOO_LARGE}); the CRC must match and the length fields be possible ({@code CORRUPT_MESSAGE}); unless
 * replicated, the record count must be {@code lastOffsetDelta + 1} ({@code INVALID_RECORD}); clients may not append
 * control batches ({@code INVALID_RECORD}). The whole append must fit in one segment ({@code RECORD_LIST_TOO_LARGE}).
 * Then producer state is checked batch by batch (idempotence, epochs, transactions); a duplicate returns the original
 * offsets and writes nothing. Either every batch is appended or none; producer state changes only after the write.
 *
 * <p>A roll makes a new active segment at the append's first offset, snapshots producer state there and checkpoints
 * the offsets; it leaves the old segment's fsync to {@link PartitionLog#flushRolledSegments}.
 *
 * <p>Thread-safety: the partition's writer thread only.
 */
final class LogAppender {
    private final Path dir;
    private final LongSupplier clock;
    private final ProducerStateManager producers;
    private final LogSegments segments;
    private final LogOffsets offsets;
    private final LogTransactions transactions;

    LogAppender(Path dir, LongSupplier clock, ProducerStateManager producers, LogSegments segments, LogOffsets offsets,
                LogTransactions transactions) {
        this.dir = dir;
        this.clock = clock;
        this.producers = producers;
        this.segments = segments;
        this.offsets = offsets;
        this.transactions = transactions;
    }

    /**
     * See {@link PartitionLog#append}.
     *
     * @throws StorageException for invalid input (nothing written, state unchanged)
     * @throws IOException      when the write failed (the caller marks the log failed)
     */
    AppendResult append(ByteBuffer batches, AppendOrigin origin, int leaderEpoch, LogConfig cfg) throws IOException {
        boolean assignOffsets = origin != AppendOrigin.REPLICATION;
        ByteBuffer data = batches.isReadOnly() && assignOffsets
                ? ByteBuffer.allocate(batches.remaining()).put(batches.duplicate()).flip() // rewrites need a copy
                : batches.duplicate();
        List<RecordBatch> list = AppendValidator.validBatches(data, origin, cfg);
        if (list.isEmpty()) {
            return new AppendResult(-1, -1, RecordBatch.NO_TIMESTAMP, offsets.logStartOffset, false);
        }
        int bytes = data.remaining();

        long now = clock.getAsLong();
        long appendTime = assignOffsets && cfg.timestampType() == TimestampType.LOG_APPEND_TIME
                ? now : RecordBatch.NO_TIMESTAMP;
        ProducerStateManager.Append producerAppend = producers.begin();
        long next = offsets.logEndOffset;
        long firstOffset = -1;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        for (RecordBatch batch : list) {
            long base = assignOffsets ? next : batch.baseOffset();
            if (base < next) {
                throw new StorageException(Error.INVALID_RECORD, "Replicated batch offset " + base
                        + " is below the log end offset " + next);
            }
            long last = base + batch.lastOffsetDelta();
            long timestamp = appendTime >= 0 ? appendTime : batch.maxTimestamp();
            if (batch.hasProducerId()) {
                Optional<ProducerStateManager.BatchMetadata> duplicate =
                        producerAppend.validateAndStage(batch, origin, base, last, timestamp);
                if (duplicate.isPresent()) {
                    ProducerStateManager.BatchMetadata d = duplicate.get();
                    long dupAppendTime = appendTime >= 0 ? d.timestamp() : RecordBatch.NO_TIMESTAMP;
                    return new AppendResult(d.firstOffset(), d.lastOffset(), dupAppendTime, offsets.logStartOffset,
                            true);
                }
            }
            firstOffset = firstOffset < 0 ? base : firstOffset;
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            next = last + 1;
        }
        if (assignOffsets) {
            long offset = offsets.logEndOffset;
            for (RecordBatch batch : list) {
                batch.setBaseOffset(offset);
                batch.setPartitionLeaderEpoch(leaderEpoch);
                if (appendTime >= 0) {
                    batch.setLogAppendTime(appendTime);
                }
                offset = batch.nextOffset();
            }
        }

        Segment segment = maybeRoll(bytes, firstOffset, next - 1, maxTimestamp, now, cfg);
        segment.append(data, list, cfg.indexIntervalBytes());
        transactions.onAppended(segment, producerAppend.commit());
        if (cfg.flushOnAppend()) {
            segment.flush();
        }
        offsets.logEndOffset = next;
        return new AppendResult(firstOffset, next - 1, appendTime, offsets.logStartOffset, false);
    }

    private Segment maybeRoll(int bytes, long firstOffset, long lastOffset, long maxTimestamp, long now, LogConfig cfg)
            throws IOException {
        Segment active = segments.active();
        boolean offsetOverflow = lastOffset - active.baseOffset() > Integer.MAX_VALUE;
        boolean roll = offsetOverflow || active.size() > 0
                && ((long) active.size() + bytes > cfg.segmentBytes()
                || active.timeWaitedForRoll(now, maxTimestamp) >= cfg.segmentMs());
        if (!roll) {
            return active;
        }
        Segment next = segments.roll(firstOffset, now, cfg.fileDeleteDelayMs());
        offsets.logStartOffset = Math.max(offsets.logStartOffset, segments.list().get(0).baseOffset());
        offsets.highWatermark = Math.max(offsets.highWatermark, offsets.logStartOffset);
        producers.writeSnapshot(firstOffset);
        offsets.checkpoint(dir);
        return next;
    }
}
