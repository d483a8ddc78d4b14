package io.skua.storage.log;

import io.skua.protocol.record.RecordBatch;
import io.skua.protocol.record.TimestampType;
import io.skua.storage.AbortedTransaction;
import io.skua.storage.ActiveProducer;
import io.skua.storage.AppendOrigin;
import io.skua.storage.AppendResult;
import io.skua.storage.FetchSlice;
import io.skua.storage.LogConfig;
import io.skua.storage.StorageException.Error;
import io.skua.storage.StorageException;
import io.skua.storage.TimestampOffset;
import io.skua.storage.file.DurableFiles;
import io.skua.storage.load.LogLoader.LoadedLog;
import io.skua.storage.load.LogLoader;
import io.skua.storage.load.PartitionCheckpoint;
import io.skua.storage.producer.ControlMarker;
import io.skua.storage.producer.ProducerStateManager;
import io.skua.storage.retention.RetentionPolicy;
import io.skua.storage.segment.Segment;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The log of one partition: a directory of {@link Segment}s plus small checkpoint files.
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>{@code <base>.log}, {@code <base>.index}, {@code <base>.timeindex}: segments (see {@link Segment});
 *       {@code <base>} is the segment's base offset in 20 digits;</li>
 *   <li>{@code <offset>.snapshot}: idempotent-producer state (see {@link ProducerStateManager});</li>
 *   <li>{@value #CHECKPOINT_FILE}: Java properties {@code recovery.point}, {@code log.start.offset},
 *       {@code high.watermark}, replaced atomically;</li>
 *   <li>{@value #CLEAN_SHUTDOWN_FILE}: present only between a clean {@link #close()} and the next {@link #open};</li>
 *   <li>{@code *.deleted}: segments removed by retention ({@link RetentionPolicy}), kept {@code file.delete.delay.ms}
 *       so fetch regions handed out before stay readable ({@link SegmentDeletions}); removed at the next
 *       {@link #applyRetention} after that, or on open.</li>
 * </ul>
 *
 * <h2>Crash behaviour</h2>
 * Appends reach the OS page cache and are acknowledged without fsync unless {@link LogConfig#flushOnAppend()}
 * (Kafka's default: durability comes from replication). Rolling a segment leaves its fsync to
 * {@link #flushRolledSegments}, after which {@link #advanceRecoveryPoint} moves the recovery point past it.
 * {@link #open} loads the directory with {@link LogLoader}: after a clean close it trusts the files; otherwise it
 * verifies every batch (framing, CRC32C, offset order) from the segment holding the recovery point on,
 * truncates at the first bad one, deletes any later segment, rebuilds those segments' indexes, and rebuilds
 * producer state from the newest snapshot plus the batches after it. An acknowledged but unflushed append may
 * therefore be lost by a machine crash (not by a process crash); the log is always a prefix of what was appended.
 *
 * <h2>Thread-safety</h2>
 * One writer: {@link #append}, {@link #truncateTo}, {@link #truncateFullyAndStartAt}, {@link #applyRetention},
 * {@link #deleteRecordsBefore}, {@link #flush}, {@link #updateHighWatermark} and {@link #close} must be called from
 * a single thread at a time (the broker's per-partition writer). {@link #read}, {@link #offsetForTimestamp},
 * {@link #maxTimestampOffset} and the offset getters may be called from any thread concurrently with the writer:
 * the segment list is copy-on-write and the offsets are volatile, so readers never block the writer.
 */
public final class PartitionLog implements Closeable {
    public static final String CLEAN_SHUTDOWN_FILE = LogLoader.CLEAN_SHUTDOWN_FILE;
    public static final String CHECKPOINT_FILE = PartitionCheckpoint.FILE;

    private final Path dir;
    private final LongSupplier clock;
    private final ProducerStateManager producers;
    private final LogTransactions transactions;
    private volatile LogConfig config;
    /** The segment list (copy-on-write) and its files. */
    private final LogSegments segments;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    // Writer thread only.
    /** Written by the writer; read by {@link #flushRolledSegments} on another thread. */
    private volatile long recoveryPoint;
    /** Counts truncations (writer), so a flush of rolled segments that raced one is not taken as durable. */
    private volatile int truncations;
    private boolean failed;
    private boolean closed;

    private PartitionLog(Path dir, LogConfig config, LongSupplier clock) {
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.producers = new ProducerStateManager(dir);
        this.transactions = new LogTransactions(producers);
        this.segments = new LogSegments(dir, clock);
    }

    /**
     * Opens (creating if needed) the log in {@code dir}, recovering it if it was not closed cleanly.
     *
     * @param clock wall-clock milliseconds, used for {@code LogAppendTime}, rolling and deletion delays
     * @throws StorageException KAFKA_STORAGE_ERROR if the files cannot be read or repaired
     */
    public static PartitionLog open(Path dir, LogConfig config, LongSupplier clock) {
        PartitionLog log = new PartitionLog(dir, config, clock);
        try {
            LoadedLog loaded = LogLoader.load(dir, config, clock, log.producers);
            log.segments.set(loaded.segments());
            log.logEndOffset = loaded.logEndOffset();
            log.logStartOffset = loaded.logStartOffset();
            log.highWatermark = loaded.highWatermark();
            log.recoveryPoint = loaded.recoveryPoint();
            log.transactions.onHighWatermark(log.highWatermark);
        } catch (IOException e) {
            log.closeQuietly();
            throw StorageException.io("Cannot open partition log " + dir, e);
        }
        return log;
    }

    // ---------------------------------------------------------------- append

    /**
     * Validates and appends the record batches in {@code batches} (position to limit), rewriting them in place
     * (base offsets, leader epoch, {@code LogAppendTime}) unless the origin is {@link AppendOrigin#REPLICATION}; a read-only
     * buffer is copied first, so pass a writable one to stay zero-copy. A truncated
     * trailing batch is ignored, as Kafka does. Either every batch is appended or none.
     *
     * <p>Per batch: magic must be 2 ({@code INVALID_RECORD}); the size at most {@code max.message.bytes}
     * ({@code MESSAGE_TOO_LARGE}); the CRC must match and the length fields be possible ({@code CORRUPT_MESSAGE});
     * unless replicated, the record count must be {@code lastOffsetDelta + 1} ({@code INVALID_RECORD}); clients may
     * not append control batches ({@code INVALID_RECORD}). The whole append must
     * fit in one segment ({@code RECORD_LIST_TOO_LARGE}). Then idempotence is checked (see
     * {@link ProducerStateManager}); a duplicate returns the original offsets and writes nothing.
     *
     * @param leaderEpoch stamped into non-replicated batches as their partition leader epoch
     * @return the offsets taken; for an input without any complete batch, first and last offset -1
     * @throws StorageException as listed above, or KAFKA_STORAGE_ERROR on I/O failure
     */
    public AppendResult append(ByteBuffer batches, AppendOrigin origin, int leaderEpoch) {
        ensureWritable();
        LogConfig cfg = config;
        boolean assignOffsets = origin != AppendOrigin.REPLICATION;
        ByteBuffer data = batches.isReadOnly() && assignOffsets
                ? ByteBuffer.allocate(batches.remaining()).put(batches.duplicate()).flip() // rewrites need a copy
                : batches.duplicate();
        List<RecordBatch> list = AppendValidator.validBatches(data, origin, cfg);
        if (list.isEmpty()) {
            return new AppendResult(-1, -1, RecordBatch.NO_TIMESTAMP, logStartOffset, false);
        }
        int bytes = data.remaining();

        long now = clock.getAsLong();
        long appendTime = assignOffsets && cfg.timestampType() == TimestampType.LOG_APPEND_TIME ? now : RecordBatch.NO_TIMESTAMP;
        ProducerStateManager.Append producerAppend = producers.begin();
        long next = logEndOffset;
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
                    return new AppendResult(d.firstOffset(), d.lastOffset(), dupAppendTime, logStartOffset, true);
                }
            }
            firstOffset = firstOffset < 0 ? base : firstOffset;
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            next = last + 1;
        }
        if (assignOffsets) {
            long offset = logEndOffset;
            for (RecordBatch batch : list) {
                batch.setBaseOffset(offset);
                batch.setPartitionLeaderEpoch(leaderEpoch);
                if (appendTime >= 0) {
                    batch.setLogAppendTime(appendTime);
                }
                offset = batch.nextOffset();
            }
        }

        try {
            Segment segment = maybeRoll(bytes, firstOffset, next - 1, maxTimestamp, now, cfg);
            segment.append(data, list, cfg.indexIntervalBytes());
            transactions.onAppended(segment, producerAppend.commit());
            if (cfg.flushOnAppend()) {
                segment.flush();
            }
        } catch (IOException e) {
            failed = true;
            throw StorageException.io("Append to " + dir + " failed", e);
        }
        logEndOffset = next;
        return new AppendResult(firstOffset, next - 1, appendTime, logStartOffset, false);
    }

    private Segment maybeRoll(int bytes, long firstOffset, long lastOffset, long maxTimestamp, long now, LogConfig cfg)
            throws IOException {
        Segment active = active();
        boolean offsetOverflow = lastOffset - active.baseOffset() > Integer.MAX_VALUE;
        boolean roll = offsetOverflow || active.size() > 0
                && ((long) active.size() + bytes > cfg.segmentBytes()
                || active.timeWaitedForRoll(now, maxTimestamp) >= cfg.segmentMs());
        if (!roll) {
            return active;
        }
        Segment next = segments.roll(firstOffset, now, config.fileDeleteDelayMs());
        logStartOffset = Math.max(logStartOffset, segments.list().get(0).baseOffset());
        highWatermark = Math.max(highWatermark, logStartOffset);
        producers.writeSnapshot(firstOffset);
        writeCheckpoint();
        return next;
    }

    // ---------------------------------------------------------------- reads (any thread)

    /**
     * Whole batches starting with the one that holds {@code startOffset} (so a fetch from the middle of a batch
     * returns that batch), none of whose offsets reaches {@code maxOffsetExclusive} (the high watermark for
     * consumers, the log end for followers), at most {@code maxBytes} except that the first batch is returned whole
     * however large. The slice comes from a single segment; fetch again from its end for more.
     *
     * @return {@link FetchSlice#EMPTY} if {@code startOffset} is the log end or nothing is below the bound
     * @throws StorageException OFFSET_OUT_OF_RANGE if {@code startOffset} is below the log start or above the end
     */
    public FetchSlice read(long startOffset, int maxBytes, long maxOffsetExclusive) {
        long end = logEndOffset;
        List<Segment> list = segments.list();
        long start = logStartOffset;
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

    /**
     * {@link #read} when it can be answered from memory alone, so on any thread without blocking: nothing to read at
     * the log end or bound, or the tail of the active segment from the start of a recently appended batch (see
     * {@link Segment#readRecent}). Null when the read needs the files (or is out of range: {@link #read} says so).
     */
    public FetchSlice readFromMemory(long startOffset, int maxBytes, long maxOffsetExclusive) {
        long end = logEndOffset;
        List<Segment> list = segments.list();
        if (startOffset < logStartOffset || startOffset > end) {
            return null;
        }
        if (startOffset >= Math.min(maxOffsetExclusive, end)) {
            return FetchSlice.EMPTY;
        }
        Segment last = list.get(list.size() - 1);
        return startOffset > last.baseOffset() ? last.readRecent(startOffset, maxBytes, maxOffsetExclusive) : null;
    }

    /**
     * ListOffsets by timestamp: the first record at or after the log start whose timestamp is at least
     * {@code timestamp}, with that timestamp. Exact for uncompressed batches; for a compressed {@code CreateTime}
     * batch, its base offset and max timestamp (records of compressed batches are not decoded in storage).
     *
     * @return empty if no record is that recent
     */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        long start = logStartOffset;
        try {
            return SegmentLookup.offsetForTimestamp(segments.list(), start, timestamp);
        } catch (IOException e) {
            throw StorageException.io("Timestamp lookup in " + dir + " failed", e);
        }
    }

    /** ListOffsets {@code -3} (KIP-734): the first record carrying the largest timestamp; empty if the log is empty. */
    public Optional<TimestampOffset> maxTimestampOffset() {
        long start = logStartOffset;
        long max = SegmentLookup.maxTimestamp(segments.list(), start);
        return max < 0 ? Optional.empty() : offsetForTimestamp(max);
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    /** The offset the next appended record gets. */
    public long logEndOffset() {
        return logEndOffset;
    }

    public long highWatermark() {
        return highWatermark;
    }

    /** Bytes in all live segments. */
    public long sizeInBytes() {
        return segments.sizeInBytes();
    }

    public int segmentCount() {
        return segments.list().size();
    }

    public LogConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    // ---------------------------------------------------------------- writer-thread maintenance

    /**
     * Sets the high watermark, clamped to [log start, log end]. Persisted by {@link #flush()} and {@link #close()};
     * after a crash it may come back lower (never higher than the recovered log end).
     */
    public void updateHighWatermark(long offset) {
        highWatermark = Math.min(Math.max(offset, logStartOffset), logEndOffset);
        transactions.onHighWatermark(highWatermark);
    }

    /**
     * The last stable offset: below it every transaction is decided and its marker replicated, so a
     * {@code read_committed} fetch reads below it. The first offset of the oldest open transaction (or one whose marker
     * is not yet below the high watermark), clamped to [log start, high watermark]; the high watermark if none.
     */
    public long lastStableOffset() {
        return transactions.lastStableOffset(logStartOffset, highWatermark);
    }

    /**
     * Any thread: the aborted transactions overlapping {@code [fetchOffset, upperBoundOffset)}, in marker order (a
     * {@code read_committed} Fetch's {@code AbortedTransactions}; pass the offset after the last batch returned).
     */
    public List<AbortedTransaction> abortedTransactions(long fetchOffset, long upperBoundOffset) {
        return LogTransactions.abortedTransactions(segments.list(), fetchOffset, upperBoundOffset);
    }

    /**
     * Appends a transaction marker as the partition leader writes it (WriteTxnMarkers): a control batch of
     * {@code producerId}/{@code producerEpoch} ending its transaction here, as {@link AppendOrigin#COORDINATOR}. An
     * abort adds the transaction to the aborted-transaction index; either moves the last stable offset once the marker
     * is below the high watermark. A producer without an open transaction here gets the marker all the same.
     *
     * @return the marker's offset
     * @throws StorageException INVALID_PRODUCER_EPOCH for an older producer epoch, TRANSACTION_COORDINATOR_FENCED for
     *                          an older coordinator epoch than the producer's last marker, or as {@link #append}
     */
    public long appendControlMarker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit,
                                    int leaderEpoch) {
        ByteBuffer batch = new ControlMarker(commit, coordinatorEpoch).toBatch(producerId, producerEpoch,
                clock.getAsLong());
        return append(batch, AppendOrigin.COORDINATOR, leaderEpoch).firstOffset();
    }

    public void updateConfig(LogConfig newConfig) {
        config = newConfig;
    }

    /**
     * Deletes the oldest segments (never the active one, never data at or above the high watermark) whose largest
     * timestamp is older than {@code retention.ms}, while the log exceeds {@code retention.bytes}, or that lie wholly
     * below the log start offset; then removes files of earlier deletions whose {@code file.delete.delay.ms} passed.
     * Time and size retention apply only when {@code cleanup.policy} includes {@code delete}.
     *
     * @return the number of segments deleted now
     */
    public int applyRetention(long nowMs) {
        ensureWritable();
        LogConfig cfg = config;
        List<Segment> list = segments.list();
        try {
            int deletable = RetentionPolicy.segmentsToDelete(list, cfg, logStartOffset, highWatermark, sizeInBytes(),
                    nowMs);
            deleteOldestSegments(deletable, nowMs);
            segments.purgeDeletions(nowMs);
            return deletable;
        } catch (IOException e) {
            failed = true;
            throw StorageException.io("Retention in " + dir + " failed", e);
        }
    }

    /**
     * DeleteRecords: moves the log start offset up to {@code offset} (durably, before returning) and deletes the
     * segments wholly below it. A no-op if the log start is already there.
     *
     * @return the new log start offset
     * @throws StorageException OFFSET_OUT_OF_RANGE if {@code offset} is above the high watermark
     */
    public long deleteRecordsBefore(long offset) {
        ensureWritable();
        if (offset > highWatermark) {
            throw new StorageException(Error.OFFSET_OUT_OF_RANGE, "Cannot delete records before " + offset
                    + ": above the high watermark " + highWatermark);
        }
        if (offset <= logStartOffset) {
            return logStartOffset;
        }
        try {
            logStartOffset = offset;
            writeCheckpoint();
            deleteOldestSegments(RetentionPolicy.segmentsBelow(segments.list(), offset), clock.getAsLong());
            return logStartOffset;
        } catch (IOException e) {
            failed = true;
            throw StorageException.io("DeleteRecords in " + dir + " failed", e);
        }
    }

    private void deleteOldestSegments(int count, long nowMs) throws IOException {
        if (count == 0) {
            return;
        }
        List<Segment> list = segments.list();
        List<Segment> removed = list.subList(0, count);
        // Log start first: a reader that sees the new start with the old list still finds the data; one that saw the
        // new list with the old start found no segment for offsets it thought valid ("was deleted").
        logStartOffset = Math.max(logStartOffset, list.get(count).baseOffset());
        segments.set(list.subList(count, list.size()));
        highWatermark = Math.max(highWatermark, logStartOffset);
        writeCheckpoint();
        producers.deleteSnapshotsBelow(list.get(count).baseOffset());
        segments.scheduleDeletion(removed, nowMs + config.fileDeleteDelayMs());
    }

    /**
     * Follower truncation: removes the batch holding {@code offset} and everything after it, so the log end becomes
     * at most {@code offset} (exactly, when {@code offset} is a batch boundary, as leader-epoch end offsets are).
     * Below the log start it empties the log as {@link #truncateFullyAndStartAt}.
     */
    public void truncateTo(long offset) {
        ensureWritable();
        if (offset >= logEndOffset) {
            return;
        }
        try {
            List<Segment> list = segments.list();
            if (offset < logStartOffset || offset <= list.get(0).baseOffset()) {
                truncateFullyAndStartAt(offset);
                return;
            }
            afterTruncation(segments.truncateTo(offset, config.fileDeleteDelayMs()));
        } catch (IOException e) {
            failed = true;
            throw StorageException.io("Truncation of " + dir + " failed", e);
        }
    }

    /** Deletes every segment and restarts the log, empty, at {@code offset} (a follower far behind the leader). */
    public void truncateFullyAndStartAt(long offset) {
        ensureWritable();
        try {
            segments.resetTo(offset, config.fileDeleteDelayMs());
            logStartOffset = offset;
            producers.deleteSnapshotsBetween(Long.MIN_VALUE, Long.MAX_VALUE);
            afterTruncation(offset);
        } catch (IOException e) {
            failed = true;
            throw StorageException.io("Truncation of " + dir + " failed", e);
        }
    }

    private void afterTruncation(long newEnd) throws IOException {
        truncations++;
        logEndOffset = newEnd;
        highWatermark = Math.min(Math.max(highWatermark, logStartOffset), newEnd);
        recoveryPoint = Math.min(recoveryPoint, newEnd);
        LogLoader.rebuildProducerState(producers, segments.list(), newEnd);
        transactions.onHighWatermark(highWatermark);
        writeCheckpoint();
    }

    /** The offset below which everything is fsynced and needs no verification after a crash. */
    long recoveryPoint() {
        return recoveryPoint;
    }

    /** True when a roll left segments below the active one that are not fsynced yet ({@link #flushRolledSegments}). */
    public boolean hasUnflushedRolledSegments() {
        return recoveryPoint < active().baseOffset();
    }

    /**
     * Any thread but meant for one off the writer: fsyncs the segments below the active one that lie above the
     * recovery point (what rolls left unflushed), in order. Hand the result to {@link #advanceRecoveryPoint} on the
     * writer. Stops quietly at a segment closed meanwhile (deleted by retention, or the log closed).
     */
    public RolledFlush flushRolledSegments() {
        int epoch = truncations;
        long from = recoveryPoint;
        return new RolledFlush(segments.flushRolled(from), epoch);
    }

    /** What {@link #flushRolledSegments} made durable: every segment ending at or below {@code through}. */
    public record RolledFlush(long through, int truncationEpoch) {
    }

    /**
     * Writer: moves the recovery point up to what {@link #flushRolledSegments} fsynced (unless a truncation happened
     * since it started, or it no longer ends below the active segment) and checkpoints it.
     */
    public void advanceRecoveryPoint(RolledFlush flushed) {
        if (closed || failed || flushed.truncationEpoch() != truncations || flushed.through() <= recoveryPoint
                || flushed.through() > active().baseOffset()) {
            return;
        }
        try {
            recoveryPoint = flushed.through();
            writeCheckpoint();
        } catch (IOException e) {
            failed = true;
            throw StorageException.io("Checkpoint of " + dir + " failed", e);
        }
    }

    /** Fsyncs every segment written since the recovery point, then advances it to the log end and checkpoints. */
    public void flush() {
        ensureWritable();
        try {
            segments.flushFrom(recoveryPoint);
            recoveryPoint = logEndOffset;
            writeCheckpoint();
        } catch (IOException e) {
            failed = true;
            throw StorageException.io("Flush of " + dir + " failed", e);
        }
    }

    /**
     * Flushes, snapshots producer state at the log end, closes the files and writes the clean-shutdown marker so
     * the next {@link #open} skips recovery. Pending segment deletions are completed. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (failed) {
            closeQuietly();
            return;
        }
        try {
            flush();
            long end = logEndOffset;
            producers.writeSnapshot(end);
            producers.deleteSnapshotsBetween(active().baseOffset(), end);
            segments.close();
            DurableFiles.writeAtomically(dir.resolve(CLEAN_SHUTDOWN_FILE), new byte[0]);
            closed = true;
        } catch (IOException e) {
            closeQuietly();
            throw StorageException.io("Close of " + dir + " failed", e);
        }
    }

    private void closeQuietly() {
        closed = true;
        segments.closeQuietly();
    }

    private void writeCheckpoint() throws IOException {
        PartitionCheckpoint.write(dir, recoveryPoint, logStartOffset, highWatermark);
    }

    private Segment active() {
        return segments.active();
    }

    private void ensureWritable() {
        if (closed) {
            throw new StorageException(Error.KAFKA_STORAGE_ERROR, "Partition log " + dir + " is closed");
        }
        if (failed) {
            throw new StorageException(Error.KAFKA_STORAGE_ERROR, "Partition log " + dir
                    + " failed an I/O operation; reopen it");
        }
    }

    // ---------------------------------------------------------------- compaction (writer thread; see LogCompactor)

    /** What the cleaner needs to plan a cleaning, captured on the writer thread. */
    public record CleaningView(Path dir, List<Segment> segments, long logStartOffset, long highWatermark, LogConfig config,
                        Map<Long, Long> producerLastOffsets, long lastStableOffset) {
    }

    public CleaningView cleaningView() {
        ensureWritable();
        Map<Long, Long> last = new java.util.HashMap<>();
        for (ActiveProducer p : producers.activeProducers()) {
            last.put(p.producerId(), p.lastOffset());
        }
        return new CleaningView(dir, segments.list(), logStartOffset, highWatermark, config, last, lastStableOffset());
    }

    /** Steps of {@link #replaceSegments}, reported to a {@link SwapObserver} (tests inject crashes there). */
    public enum SwapStep { RENAMED_TO_SWAP, OLD_SEGMENTS_DELETED, SWAPPED }

    public interface SwapObserver {
        void reached(SwapStep step) throws IOException;
    }

    /**
     * Replaces {@code replaced}, a contiguous run of inactive segments of this log, with {@code cleaned}: a complete,
     * fsynced segment whose files carry {@link Segment#CLEANED_SUFFIX}, with the same base offset as the first
     * replaced segment and the same next offset as the last. Crash-safe: rename the cleaned files to
     * {@code .swap}, fsync the directory, rename the old segments to {@code .deleted} (kept readable for
     * {@code file.delete.delay.ms} like retention's), rename the swap files to their final names, fsync the
     * directory, then publish the new segment list. {@link #open} completes a swap interrupted after the first
     * step and discards one interrupted before it.
     *
     * @return false, with nothing changed, if {@code replaced} is no longer a run of inactive segments of this log
     *         (retention, DeleteRecords or truncation happened meanwhile); the caller then deletes {@code cleaned}
     */
    public boolean replaceSegments(List<Segment> replaced, Segment cleaned, SwapObserver observer) {
        ensureWritable();
        List<Segment> list = segments.list();
        int first = list.indexOf(replaced.get(0));
        if (first < 0 || first + replaced.size() >= list.size()) {
            return false; // gone, or the run would reach the active segment
        }
        for (int i = 0; i < replaced.size(); i++) {
            if (list.get(first + i) != replaced.get(i)) {
                return false;
            }
        }
        Segment last = replaced.get(replaced.size() - 1);
        if (cleaned.baseOffset() != replaced.get(0).baseOffset() || cleaned.nextOffset() != last.nextOffset()) {
            throw new IllegalArgumentException("Cleaned segment " + cleaned + " does not cover " + replaced);
        }
        try {
            segments.swap(first, replaced, cleaned, observer, config.fileDeleteDelayMs());
            return true;
        } catch (IOException e) {
            failed = true;
            throw StorageException.io("Segment swap in " + dir + " failed", e);
        }
    }

    /**
     * DescribeProducers: the idempotent producers storage remembers, with their last batch. Writer thread (producer
     * state is confined to it).
     */
    public List<ActiveProducer> activeProducers() {
        return producers.activeProducers();
    }

    /** Unmodifiable view for tests and tools. */
    List<Long> segmentBaseOffsets() {
        return segments.baseOffsets();
    }
}
