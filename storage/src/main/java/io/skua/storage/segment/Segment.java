package io.skua.storage.segment;

import io.skua.protocol.record.RecordBatch;
import io.skua.storage.AbortedTransaction;
import io.skua.storage.FetchSlice;
import io.skua.storage.TimestampOffset;
import io.skua.storage.file.LogFileNames;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One segment of a partition log: {@code <base>.log} holds record batches exactly as produced (after offset
 * assignment), back to back; {@code <base>.index} and {@code <base>.timeindex} are {@link SparseIndex}es over it,
 * with an entry for the first batch appended after each {@code index.interval.bytes}. {@code <base>} is the
 * base offset, zero-padded to 20 digits.
 *
 * <p>Crash behaviour: appends write the log first, then the indexes, so after a crash the log may hold a torn
 * batch and the indexes may point past its end or lack entries. {@link #recover} scans every batch, verifies
 * framing, CRC32C and offset order, truncates at the first bad one and rebuilds both indexes
 * ({@link SegmentRecovery} holds both checks).
 *
 * <p>Parts: {@link SegmentIndexes} keeps both indexes and the values that maintain them, {@link SegmentReader} is the
 * read path, {@link RecentBatches} and {@link TailBytes} let a consumer following the tail skip the index and the file.
 *
 * <p>Thread-safety: mutators run on the partition's single writer thread. {@link #read} and the other lookups may
 * run concurrently on any thread: they only see bytes below the volatile {@link #size()}, which is published after
 * the bytes and index entries are written.
 */
public final class Segment implements Closeable {
    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";
    /** The aborted-transaction index, see {@link TransactionIndex}; only segments with an abort marker have one. */
    public static final String TXN_INDEX_SUFFIX = ".txnindex";
    public static final String DELETED_SUFFIX = ".deleted";
    /** Appended to the file names of a segment the cleaner is writing (see the cleaner's {@code LogCompactor}). */
    public static final String CLEANED_SUFFIX = ".cleaned";
    /** Appended to the file names of a cleaned segment being swapped in (see {@code LogCompactor}). */
    public static final String SWAP_SUFFIX = ".swap";

    private final Path dir;
    private final long baseOffset;
    private final FileChannel log;
    private final SegmentIndexes indexes;
    private final long createdMs;
    private volatile Path logPath;
    private volatile int size;
    private volatile long nextOffset;
    /**
     * The last bytes appended while this is the active segment (created by the first append, dropped when a newer
     * segment takes over): tail reads copy them instead of reading the file. Written by the writer before it
     * publishes {@link #size}.
     */
    private volatile TailBytes tail;
    /** Where the last appended batches start: lets tail reads skip the index search (see {@link RecentBatches}). */
    private final RecentBatches recent;
    /** The read path (any thread). */
    private final SegmentReader reader;

    private Segment(Path dir, long baseOffset, boolean create, long nowMs) throws IOException {
        this(dir, baseOffset, "", create, nowMs);
    }

    private Segment(Path dir, long baseOffset, String extraSuffix, boolean create, long nowMs) throws IOException {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.logPath = dir.resolve(LogFileNames.fileName(baseOffset, LOG_SUFFIX) + extraSuffix);
        this.log = create
                ? FileChannel.open(logPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
                : FileChannel.open(logPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.indexes = new SegmentIndexes(dir, baseOffset, extraSuffix, create);
        this.size = (int) Math.min(log.size(), Integer.MAX_VALUE);
        this.nextOffset = baseOffset;
        this.createdMs = nowMs;
        this.recent = new RecentBatches(baseOffset);
        this.reader = new SegmentReader(this, indexes.offsetIndex, indexes.timeIndex);
    }

    /** A new empty segment; leftover files with the same base are truncated. */
    public static Segment create(Path dir, long baseOffset, long nowMs) throws IOException {
        return new Segment(dir, baseOffset, true, nowMs);
    }

    /** Opens existing files; call {@link #loadClean} or {@link #recover} before use. */
    public static Segment open(Path dir, long baseOffset, long nowMs) throws IOException {
        return new Segment(dir, baseOffset, false, nowMs);
    }

    /** A new empty segment whose files carry {@link #CLEANED_SUFFIX}: the cleaner's output, not yet part of a log. */
    public static Segment createCleaned(Path dir, long baseOffset, long nowMs) throws IOException {
        return new Segment(dir, baseOffset, CLEANED_SUFFIX, true, nowMs);
    }

    /** Opens the {@link #SWAP_SUFFIX} files of an interrupted swap (recovery only). */
    public static Segment openSwap(Path dir, long baseOffset, long nowMs) throws IOException {
        return new Segment(dir, baseOffset, SWAP_SUFFIX, false, nowMs);
    }

    public long baseOffset() {
        return baseOffset;
    }

    public int size() {
        return size;
    }

    /** The offset after the last batch; the base offset when empty. */
    public long nextOffset() {
        return nextOffset;
    }

    public long maxTimestamp() {
        return indexes.maxTimestamp();
    }

    /** The largest timestamp for retention: the max batch timestamp, or the file's mtime if there is none. */
    public long largestTimestamp() throws IOException {
        long ts = indexes.maxTimestamp();
        return ts >= 0 ? ts : Files.getLastModifiedTime(logPath).toMillis();
    }

    /** How long the segment has been "open" for {@code segment.ms}, Kafka's rule. */
    public long timeWaitedForRoll(long nowMs, long appendMaxTimestamp) {
        long rollBaseTimestamp = indexes.rollBaseTimestamp();
        return rollBaseTimestamp >= 0 && appendMaxTimestamp >= 0
                ? appendMaxTimestamp - rollBaseTimestamp
                : nowMs - createdMs;
    }

    // ---------------------------------------------------------------- loading and recovery (writer thread)

    /**
     * Loads a segment that was flushed before the last shutdown or recovery point without verifying CRCs: checks
     * the indexes' plausibility and scans only the batches after the last offset index entry.
     *
     * @return false if something does not add up; the caller then runs {@link #recover}
     */
    public boolean loadClean() throws IOException {
        if (size != log.size() || !indexes.offsetIndex.isSane(size)) {
            return false;
        }
        return loadTail();
    }

    /** Recomputes nextOffset, max timestamp and the roll base from the time index and the unindexed tail. */
    private boolean loadTail() throws IOException {
        long next = SegmentRecovery.scanTail(baseOffset, size, reader, indexes);
        if (next < 0) {
            return false;
        }
        nextOffset = next;
        return true;
    }

    /**
     * Verifies every batch (complete v2 header, CRC32C, ascending offsets that fit the segment's int32 relative
     * offsets), truncates the file at the first that fails and rebuilds both indexes.
     *
     * @return the number of bytes truncated
     */
    public long recover(int indexIntervalBytes) throws IOException {
        recent.forget();
        tail = null;
        indexes.clear();
        long fileSize = log.size();
        SegmentRecovery.Verified verified = SegmentRecovery.verify(baseOffset,
                (int) Math.min(fileSize, Integer.MAX_VALUE), reader, indexes, indexIntervalBytes);
        int pos = verified.validBytes();
        if (pos < fileSize) {
            log.truncate(pos);
        }
        size = pos;
        nextOffset = verified.nextOffset();
        return fileSize - pos;
    }

    // ---------------------------------------------------------------- writes (writer thread)

    /**
     * Appends {@code data} (exactly the bytes of {@code batches}, in order, already validated and rewritten) and
     * indexes them. {@code batches} are views into {@code data}'s buffer.
     */
    public void append(ByteBuffer data, List<RecordBatch> batches, int indexIntervalBytes) throws IOException {
        int start = size;
        ByteBuffer src = data.duplicate();
        long at = start;
        while (src.hasRemaining()) {
            at += log.write(src, at);
        }
        for (RecordBatch batch : batches) {
            int position = start + batch.position() - data.position();
            indexes.indexBatch(batch, position, indexIntervalBytes);
            recent.remember(batch.baseOffset(), position);
        }
        TailBytes t = tail;
        if (t == null) {
            tail = t = new TailBytes(start);
        } else if (t.end() != start) {
            t.reset(start);
        }
        t.append(data);
        nextOffset = batches.get(batches.size() - 1).nextOffset();
        size = start + data.remaining();
    }

    /**
     * Removes the batch holding {@code offset} (or the first batch after it) and everything after.
     *
     * @return true if anything was removed
     */
    public boolean truncateTo(long offset) throws IOException {
        int limit = size;
        ByteBuffer scratch = SegmentReader.headerBuffer();
        int pos = positionFor(offset);
        while (true) {
            RecordBatch h = reader.header(pos, limit, scratch);
            if (h == null) {
                return false;
            }
            if (h.lastOffset() >= offset) {
                long firstRemoved = h.baseOffset();
                recent.forget();
                TailBytes t = tail;
                if (t != null) {
                    t.reset(pos);
                }
                size = pos;
                indexes.truncateFrom(pos, firstRemoved);
                log.truncate(pos);
                if (!loadTail()) {
                    throw new IOException("Segment " + logPath + " is inconsistent after truncation to " + offset);
                }
                return true;
            }
            pos += h.sizeInBytes();
        }
    }

    /** Writer: records a transaction whose abort marker was appended to (or recovered in) this segment. */
    public void appendAbortedTransaction(AbortedTransaction txn) throws IOException {
        indexes.txnIndex.append(txn);
    }

    /**
     * Any thread: adds the aborted transactions of this segment's index overlapping
     * {@code [fetchOffset, upperBoundOffset)} to {@code out}; true if no later segment can hold one that overlaps (see
     * {@link TransactionIndex}).
     */
    public boolean collectAbortedTransactions(long fetchOffset, long upperBoundOffset, List<AbortedTransaction> out) {
        return indexes.txnIndex.collect(fetchOffset, upperBoundOffset, out);
    }

    /** Called when a newer segment takes over: records the final max timestamp and fsyncs everything. */
    public void onBecomeInactive() throws IOException {
        finishActive();
        flush();
    }

    /** Records the final max timestamp when a newer segment takes over; the fsync is left to the caller. */
    public void finishActive() throws IOException {
        tail = null;
        indexes.appendTimeIndexIfNewMax();
    }

    public void flush() throws IOException {
        log.force(true);
        indexes.flush();
    }

    /** Renames the files to {@code *.deleted}; open channels (and fetch regions) stay readable. */
    public void renameForDeletion() throws IOException {
        Path target = logPath.resolveSibling(logPath.getFileName() + DELETED_SUFFIX);
        Files.move(logPath, target, StandardCopyOption.REPLACE_EXISTING);
        logPath = target;
        indexes.appendSuffix(DELETED_SUFFIX);
    }

    /**
     * Renames the three files to their final names plus {@code extraSuffix} ("" for the final names), the indexes
     * first and the log last, so the presence of the log file under a name tells how far a rename got. Open
     * channels stay valid.
     */
    public void renameFiles(String extraSuffix) throws IOException {
        indexes.renameTo(dir, extraSuffix);
        Path target = dir.resolve(LogFileNames.fileName(baseOffset, LOG_SUFFIX) + extraSuffix);
        Files.move(logPath, target, StandardCopyOption.REPLACE_EXISTING);
        logPath = target;
    }

    /** Closes the channels and removes the files. */
    public void delete() throws IOException {
        close();
        Files.deleteIfExists(logPath);
        indexes.deleteFiles();
    }

    @Override
    public void close() throws IOException {
        log.close();
        indexes.close();
    }

    // ---------------------------------------------------------------- reads (any thread; see SegmentReader)

    /**
     * Whole batches from the one holding {@code startOffset} (or the first after it), ending before any batch whose
     * last offset is {@code maxOffsetExclusive} or more, at most {@code maxBytes} unless the first batch alone is
     * bigger. Empty if this segment has no such first batch.
     */
    public FetchSlice read(long startOffset, int maxBytes, long maxOffsetExclusive) throws IOException {
        return reader.read(startOffset, maxBytes, maxOffsetExclusive);
    }

    /**
     * {@link #read} answered without searching the file, when {@code startOffset} starts one of the recently appended
     * batches and everything from there to the end fits (a consumer following the tail); null when the read needs the
     * file. See {@link SegmentReader#readRecent}.
     */
    public FetchSlice readRecent(long startOffset, int maxBytes, long maxOffsetExclusive) {
        return reader.readRecent(startOffset, maxBytes, maxOffsetExclusive);
    }

    /** The first record at or after {@code minOffset} whose timestamp is at least {@code timestamp}; see the reader. */
    public Optional<TimestampOffset> findByTimestamp(long timestamp, long minOffset) throws IOException {
        return reader.findByTimestamp(timestamp, minOffset);
    }

    /**
     * Calls {@code action} with the header of every batch whose base offset is {@code fromOffset} or more; a control
     * batch (a transaction marker, small) is passed whole so its record can be read.
     */
    public void forEachBatchHeader(long fromOffset, Consumer<RecordBatch> action) throws IOException {
        reader.forEachBatchHeader(fromOffset, action);
    }

    /** Receives whole batches read back from a segment. */
    public interface BatchVisitor {
        void visit(RecordBatch batch) throws IOException;
    }

    /**
     * Reads every whole batch, in order, into a fresh heap buffer each and passes it to {@code visitor} (which may
     * keep it). Safe on any thread.
     *
     * @throws IOException if a batch is larger than {@code maxBatchBytes}, or on I/O failure (the segment may have
     *                     been deleted and closed meanwhile)
     */
    public void forEachBatch(int maxBatchBytes, BatchVisitor visitor) throws IOException {
        reader.forEachBatch(maxBatchBytes, visitor);
    }

    /** The position of a recently appended batch that starts exactly at {@code offset} below {@code limit}, or -1. */
    int recentStart(long offset, int limit) {
        return recent.start(offset, limit);
    }

    /** The tail ring while this segment is active, else null. */
    TailBytes tail() {
        return tail;
    }

    FileChannel channel() {
        return log;
    }

    Path logPath() {
        return logPath;
    }

    /** Position of the last indexed batch whose base offset is at most {@code offset}; 0 if none. */
    int positionFor(long offset) throws IOException {
        return indexes.positionFor(offset);
    }

    @Override
    public String toString() {
        return "Segment(" + logPath + ", size=" + size + ", nextOffset=" + nextOffset + ")";
    }
}
