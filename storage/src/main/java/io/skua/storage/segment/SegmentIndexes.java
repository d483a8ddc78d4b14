package io.skua.storage.segment;

import io.skua.protocol.record.RecordBatch;
import io.skua.storage.file.LogFileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The indexes of a {@link Segment}: the two sparse ones ({@code <base>.index}, {@code <base>.timeindex}), the
 * aborted-transaction index ({@code <base>.txnindex}, a {@link TransactionIndex}), and what the writer
 * tracks to maintain them: the largest timestamp so far and the base offset of the batch that carried it, the bytes
 * appended since the last offset-index entry, and the first batch's max timestamp (the base of time-based rolling).
 * An offset-index entry is added for the first batch after more than {@code index.interval.bytes}; a time-index entry
 * goes with it when the max timestamp grew, and a final one when the segment stops being active.
 *
 * <p>Thread-safety: one writer (the partition's writer thread). The max timestamp is volatile and the
 * {@link SparseIndex}es allow concurrent readers, so lookups may run on any thread.
 */
final class SegmentIndexes {
    final SparseIndex offsetIndex;
    final SparseIndex timeIndex;
    final TransactionIndex txnIndex;
    private final long baseOffset;
    private volatile long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    private volatile long offsetOfMaxTimestamp = -1;
    /** Writer thread only: the first batch's max timestamp, the base of time-based rolling. */
    private long rollBaseTimestamp = RecordBatch.NO_TIMESTAMP;
    /** Writer thread only. */
    private int bytesSinceIndexEntry;

    SegmentIndexes(Path dir, long baseOffset, String extraSuffix, boolean create) throws IOException {
        this.baseOffset = baseOffset;
        this.offsetIndex = SparseIndex.offsetIndex(
                dir.resolve(LogFileNames.fileName(baseOffset, Segment.INDEX_SUFFIX) + extraSuffix), create);
        this.timeIndex = SparseIndex.timeIndex(
                dir.resolve(LogFileNames.fileName(baseOffset, Segment.TIME_INDEX_SUFFIX) + extraSuffix), create);
        this.txnIndex = new TransactionIndex(
                dir.resolve(LogFileNames.fileName(baseOffset, Segment.TXN_INDEX_SUFFIX) + extraSuffix), create);
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    long rollBaseTimestamp() {
        return rollBaseTimestamp;
    }

    /** Writer: accounts for the batch appended (or recovered) at {@code position}, adding index entries as due. */
    void indexBatch(RecordBatch batch, int position, int indexIntervalBytes) throws IOException {
        if (position == 0) {
            rollBaseTimestamp = batch.maxTimestamp();
        }
        if (batch.maxTimestamp() > maxTimestamp) {
            maxTimestamp = batch.maxTimestamp();
            offsetOfMaxTimestamp = batch.baseOffset();
        }
        if (bytesSinceIndexEntry > indexIntervalBytes) {
            offsetIndex.append(batch.baseOffset() - baseOffset, position);
            appendTimeIndexIfNewMax();
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += batch.sizeInBytes();
    }

    /** Writer: adds a time-index entry if the max timestamp grew since the last one. */
    void appendTimeIndexIfNewMax() throws IOException {
        int t = timeIndex.entries();
        if (maxTimestamp >= 0 && (t == 0 || maxTimestamp > timeIndex.key(t - 1))) {
            timeIndex.append(maxTimestamp, (int) (offsetOfMaxTimestamp - baseOffset));
        }
    }

    /**
     * Writer: empties the indexes and forgets the tracked values (recovery rebuilds the sparse indexes batch by batch,
     * the loader the aborted-transaction index).
     */
    void clear() throws IOException {
        offsetIndex.truncateToEntries(0);
        timeIndex.truncateToEntries(0);
        txnIndex.truncateTo(Long.MIN_VALUE);
        maxTimestamp = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestamp = -1;
        rollBaseTimestamp = RecordBatch.NO_TIMESTAMP;
        bytesSinceIndexEntry = 0;
    }

    /** Writer: sets the tracked values found by scanning the segment (a load without rebuilding the indexes). */
    void restore(long rollBase, int bytesSinceEntry, long maxTs, long offsetOfMax) {
        rollBaseTimestamp = rollBase;
        bytesSinceIndexEntry = bytesSinceEntry;
        maxTimestamp = maxTs;
        offsetOfMaxTimestamp = offsetOfMax;
    }

    /** Writer: drops the entries of the batches from byte {@code position} (base offset {@code firstRemoved}) on. */
    void truncateFrom(int position, long firstRemoved) throws IOException {
        offsetIndex.truncateFromValue(position);
        timeIndex.truncateFromValue(firstRemoved - baseOffset);
        txnIndex.truncateTo(firstRemoved);
    }

    /** Position of the last indexed batch whose base offset is at most {@code offset}; 0 if none. */
    int positionFor(long offset) throws IOException {
        int i = offsetIndex.floorByKey(offset - baseOffset);
        return i < 0 ? 0 : offsetIndex.value(i);
    }

    void flush() throws IOException {
        offsetIndex.flush();
        timeIndex.flush();
        txnIndex.flush();
    }

    /** Renames both files to {@code <current name><suffix>}. */
    void appendSuffix(String suffix) throws IOException {
        offsetIndex.renameTo(offsetIndex.path().resolveSibling(offsetIndex.path().getFileName() + suffix));
        timeIndex.renameTo(timeIndex.path().resolveSibling(timeIndex.path().getFileName() + suffix));
        txnIndex.renameTo(txnIndex.path().resolveSibling(txnIndex.path().getFileName() + suffix));
    }

    /** Renames both files to their final names in {@code dir} plus {@code extraSuffix}. */
    void renameTo(Path dir, String extraSuffix) throws IOException {
        offsetIndex.renameTo(dir.resolve(LogFileNames.fileName(baseOffset, Segment.INDEX_SUFFIX) + extraSuffix));
        timeIndex.renameTo(dir.resolve(LogFileNames.fileName(baseOffset, Segment.TIME_INDEX_SUFFIX) + extraSuffix));
        txnIndex.renameTo(dir.resolve(LogFileNames.fileName(baseOffset, Segment.TXN_INDEX_SUFFIX) + extraSuffix));
    }

    void deleteFiles() throws IOException {
        Files.deleteIfExists(offsetIndex.path());
        Files.deleteIfExists(timeIndex.path());
        txnIndex.deleteFile();
    }

    void close() throws IOException {
        offsetIndex.close();
        timeIndex.close();
        txnIndex.close();
    }
}
