package io.skua.storage.log;

import io.skua.storage.AbortedTransaction;
import io.skua.storage.ActiveProducer;
import io.skua.storage.AppendOrigin;
import io.skua.storage.AppendResult;
import io.skua.storage.FetchSlice;
import io.skua.storage.LogConfig;
import io.skua.storage.StorageException;
import io.skua.storage.TimestampOffset;
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
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The log of one partition: a directory of {@link Segment}s plus small checkpoint files.
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>{@code <base>.log}, {@code .index}, {@code .timeindex}, {@code .txnindex} (aborted transactions, only where
 *       an abort marker lies): segments (see {@link Segment}); {@code <base>} is the base offset in 20 digits;</li>
 *   <li>{@code <offset>.snapshot}: producer state (see {@link ProducerStateManager});</li>
 *   <li>{@value #CHECKPOINT_FILE}: Java properties {@code recovery.point}, {@code log.start.offset},
 *       {@code high.watermark}, replaced atomically;</li>
 *   <li>{@value #CLEAN_SHUTDOWN_FILE}: present only between a clean {@link #close()} and the next {@link #open};</li>
 *   <li>{@code *.deleted}: segments removed by retention ({@link RetentionPolicy}), kept {@code file.delete.delay.ms}
 *       so fetch regions handed out before stay readable ({@link SegmentDeletions}); removed at the next
 *       {@link #applyRetention} after that, or on open.</li>
 * </ul>
 *
 * <h2>Crash behaviour</h2>
 * Appends are acknowledged without fsync unless {@link LogConfig#flushOnAppend()} (Kafka's default: durability comes
 * from replication); {@link LogFlusher} says what is fsynced when. {@link #open} loads the directory with
 * {@link LogLoader}: after a clean close it trusts the files; otherwise it verifies every batch from the recovery
 * point on, truncates at the first bad one and rebuilds indexes and producer state. An acknowledged but unflushed
 * append may be lost by a machine crash (not by a process crash); the log is always a prefix of what was appended.
 *
 * <p>The work is done by {@link LogAppender}, {@link LogReader}, {@link LogRemovals}, {@link LogFlusher},
 * {@link LogTransactions} and {@link LogSegments}, over the shared {@link LogOffsets}.
 *
 * <h2>Thread-safety</h2>
 * One writer: {@link #append}, {@link #appendControlMarker}, {@link #truncateTo}, {@link #truncateFullyAndStartAt},
 * {@link #applyRetention}, {@link #deleteRecordsBefore}, {@link #flush}, {@link #updateHighWatermark} and
 * {@link #close} must be called from a single thread at a time (the broker's per-partition writer). {@link #read},
 * {@link #offsetForTimestamp}, {@link #maxTimestampOffset}, {@link #lastStableOffset}, {@link #abortedTransactions}
 * and the offset getters may be called from any thread concurrently with the writer: the segment list is
 * copy-on-write and the offsets are volatile, so readers never block the writer.
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
    /** Log start and end, high watermark, recovery point (volatile; written by the writer). */
    private final LogOffsets offsets = new LogOffsets();
    private final LogAppender appender;
    private final LogRemovals removals;
    private final LogReader reader;
    private final LogFlusher flusher;
    /** Open, closed or failed (writer thread only). */
    private final LogStatus status;

    private PartitionLog(Path dir, LogConfig config, LongSupplier clock) {
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.producers = new ProducerStateManager(dir);
        this.transactions = new LogTransactions(producers);
        this.segments = new LogSegments(dir, clock);
        this.appender = new LogAppender(dir, clock, producers, segments, offsets, transactions);
        this.removals = new LogRemovals(dir, clock, producers, segments, offsets, transactions);
        this.reader = new LogReader(dir, segments, offsets);
        this.flusher = new LogFlusher(dir, producers, segments, offsets);
        this.status = new LogStatus(dir);
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
            log.offsets.set(loaded);
            log.transactions.onHighWatermark(loaded.highWatermark());
        } catch (IOException e) {
            log.closeQuietly();
            throw StorageException.io("Cannot open partition log " + dir, e);
        }
        return log;
    }

    // ---------------------------------------------------------------- append

    /**
     * Validates and appends the record batches in {@code batches} (position to limit), rewriting them in place
     * (base offsets, leader epoch, {@code LogAppendTime}) unless the origin is {@link AppendOrigin#REPLICATION}; a
     * read-only buffer is copied first, so pass a writable one to stay zero-copy. A truncated trailing batch is
     * ignored, as Kafka does. Either every batch is appended or none. The checks, in order, are listed on
     * {@link LogAppender}: framing and size, then producer state (see {@link ProducerStateManager}); a duplicate
     * returns the original offsets and writes nothing.
     *
     * @param leaderEpoch stamped into non-replicated batches as their partition leader epoch
     * @return the offsets taken; for an input without any complete batch, first and last offset -1
     * @throws StorageException INVALID_RECORD, CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE,
     *                          OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE,
     *                          TRANSACTION_COORDINATOR_FENCED, or KAFKA_STORAGE_ERROR on I/O failure
     */
    public AppendResult append(ByteBuffer batches, AppendOrigin origin, int leaderEpoch) {
        return status.writing("Append to", () -> appender.append(batches, origin, leaderEpoch, config));
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
        return reader.read(startOffset, maxBytes, maxOffsetExclusive);
    }

    /**
     * {@link #read} when it can be answered from memory alone, so on any thread without blocking: nothing to read at
     * the log end or bound, or the tail of the active segment from the start of a recently appended batch (see
     * {@link Segment#readRecent}). Null when the read needs the files (or is out of range: {@link #read} says so).
     */
    public FetchSlice readFromMemory(long startOffset, int maxBytes, long maxOffsetExclusive) {
        return reader.readFromMemory(startOffset, maxBytes, maxOffsetExclusive);
    }

    /**
     * ListOffsets by timestamp: the first record at or after the log start whose timestamp is at least
     * {@code timestamp}, with that timestamp. Exact for uncompressed batches; for a compressed {@code CreateTime}
     * batch, its base offset and max timestamp (records of compressed batches are not decoded in storage).
     *
     * @return empty if no record is that recent
     */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        return reader.offsetForTimestamp(timestamp);
    }

    /** ListOffsets {@code -3} (KIP-734): the first record carrying the largest timestamp; empty if the log is empty. */
    public Optional<TimestampOffset> maxTimestampOffset() {
        return reader.maxTimestampOffset();
    }

    public long logStartOffset() {
        return offsets.logStartOffset;
    }

    /** The offset the next appended record gets. */
    public long logEndOffset() {
        return offsets.logEndOffset;
    }

    public long highWatermark() {
        return offsets.highWatermark;
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
        offsets.highWatermark = Math.min(Math.max(offset, offsets.logStartOffset), offsets.logEndOffset);
        transactions.onHighWatermark(offsets.highWatermark);
    }

    /**
     * The last stable offset: below it every transaction is decided and its marker replicated, so a
     * {@code read_committed} fetch reads below it. The first offset of the oldest open transaction (or one whose marker
     * is not yet below the high watermark), clamped to [log start, high watermark]; the high watermark if none.
     */
    public long lastStableOffset() {
        return transactions.lastStableOffset(offsets.logStartOffset, offsets.highWatermark);
    }

    /**
     * Any thread: the aborted transactions overlapping {@code [fetchOffset, upperBoundOffset)}, in marker order (a
     * {@code read_committed} Fetch's {@code AbortedTransactions}; pass the offset after the last batch returned).
     */
    public List<AbortedTransaction> abortedTransactions(long fetchOffset, long upperBoundOffset) {
        return reader.abortedTransactions(fetchOffset, upperBoundOffset);
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
     * Deletes the oldest whole segments that {@link RetentionPolicy} says go (by {@code retention.ms},
     * {@code retention.bytes}, or wholly below the log start), then the files of earlier deletions whose
     * {@code file.delete.delay.ms} passed. Returns the number of segments deleted now.
     */
    public int applyRetention(long nowMs) {
        return status.writing("Retention in", () -> removals.applyRetention(config, nowMs));
    }

    /**
     * DeleteRecords: moves the log start offset up to {@code offset} (durably, before returning) and deletes the
     * segments wholly below it. A no-op if the log start is already there.
     *
     * @return the new log start offset
     * @throws StorageException OFFSET_OUT_OF_RANGE if {@code offset} is above the high watermark
     */
    public long deleteRecordsBefore(long offset) {
        return status.writing("DeleteRecords in", () -> removals.deleteRecordsBefore(offset, config));
    }

    /**
     * Follower truncation: removes the batch holding {@code offset} and everything after it, so the log end becomes
     * at most {@code offset} (exactly, when {@code offset} is a batch boundary, as leader-epoch end offsets are).
     * Below the log start it empties the log as {@link #truncateFullyAndStartAt}.
     */
    public void truncateTo(long offset) {
        status.writing("Truncation of", () -> removals.truncateTo(offset, config));
    }

    /** Deletes every segment and restarts the log, empty, at {@code offset} (a follower far behind the leader). */
    public void truncateFullyAndStartAt(long offset) {
        status.writing("Truncation of", () -> removals.truncateFullyAndStartAt(offset, config));
    }

    /** The offset below which everything is fsynced and needs no verification after a crash. */
    long recoveryPoint() {
        return offsets.recoveryPoint;
    }

    /** True when a roll left segments below the active one that are not fsynced yet ({@link #flushRolledSegments}). */
    public boolean hasUnflushedRolledSegments() {
        return flusher.hasUnflushedRolledSegments();
    }

    /**
     * Any thread but meant for one off the writer: fsyncs the segments below the active one that lie above the
     * recovery point (what rolls left unflushed), in order. Hand the result to {@link #advanceRecoveryPoint} on the
     * writer. Stops quietly at a segment closed meanwhile (deleted by retention, or the log closed).
     */
    public RolledFlush flushRolledSegments() {
        return flusher.flushRolled();
    }

    /** What {@link #flushRolledSegments} made durable: every segment ending at or below {@code through}. */
    public record RolledFlush(long through, int truncationEpoch) {
    }

    /**
     * Writer: moves the recovery point up to what {@link #flushRolledSegments} fsynced (unless a truncation happened
     * since it started, or it no longer ends below the active segment) and checkpoints it.
     */
    public void advanceRecoveryPoint(RolledFlush flushed) {
        if (status.open()) {
            status.writing("Checkpoint of", () -> flusher.advanceRecoveryPoint(flushed));
        }
    }

    /** Fsyncs every segment written since the recovery point, then advances it to the log end and checkpoints. */
    public void flush() {
        status.writing("Flush of", flusher::flush);
    }

    /**
     * Flushes, snapshots producer state at the log end, closes the files and writes the clean-shutdown marker so
     * the next {@link #open} skips recovery. Pending segment deletions are completed. Idempotent.
     */
    @Override
    public void close() {
        if (status.closed()) {
            return;
        }
        if (status.failed()) {
            closeQuietly();
            return;
        }
        try {
            flusher.closeCleanly();
            status.markClosed();
        } catch (IOException e) {
            closeQuietly();
            throw StorageException.io("Close of " + dir + " failed", e);
        }
    }

    private void closeQuietly() {
        status.markClosed();
        segments.closeQuietly();
    }

    // ---------------------------------------------------------------- compaction (writer thread; see LogCompactor)

    /** What the cleaner needs to plan a cleaning. Writer thread. */
    public CleaningView cleaningView() {
        status.ensureWritable();
        return new CleaningView(dir, segments.list(), offsets.logStartOffset, offsets.highWatermark, config,
                producers.lastBatchOffsets(), lastStableOffset());
    }

    /**
     * Replaces {@code replaced}, a contiguous run of inactive segments of this log, with {@code cleaned} (a complete,
     * fsynced {@link Segment#CLEANED_SUFFIX} segment covering the same offsets), crash-safely: see
     * {@link LogSegments#replace}; {@link #open} completes a swap interrupted after its first step.
     *
     * @return false, with nothing changed, if {@code replaced} is no longer a run of inactive segments of this log
     *         (retention, DeleteRecords or truncation happened meanwhile); the caller then deletes {@code cleaned}
     */
    public boolean replaceSegments(List<Segment> replaced, Segment cleaned, SwapObserver observer) {
        long delayMs = config.fileDeleteDelayMs();
        return status.writing("Segment swap in", () -> segments.replace(replaced, cleaned, observer, delayMs));
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
