package io.skua.storage.log;

import io.skua.storage.file.DurableFiles;
import io.skua.storage.load.LogLoader;
import io.skua.storage.producer.ProducerStateManager;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The durability of a partition log: fsyncs and the recovery point below which nothing needs verifying after a
 * crash. Appends are not fsynced (unless {@code flush.messages=1}); a roll leaves the old segment's fsync to
 * {@link #flushRolled} (any thread, so the writer does not stall on it) and {@link #advanceRecoveryPoint} moves the
 * recovery point past what that made durable, unless a truncation happened meanwhile. {@link #flush} fsyncs everything;
 * {@link #closeCleanly} also snapshots producer state at the log end and writes the clean-shutdown marker, so the next
 * open trusts the files.
 *
 * <p>Thread-safety: {@link #flushRolled} on any thread; everything else on the partition's writer thread.
 */
final class LogFlusher {
    private final Path dir;
    private final ProducerStateManager producers;
    private final LogSegments segments;
    private final LogOffsets offsets;

    LogFlusher(Path dir, ProducerStateManager producers, LogSegments segments, LogOffsets offsets) {
        this.dir = dir;
        this.producers = producers;
        this.segments = segments;
        this.offsets = offsets;
    }

    boolean hasUnflushedRolledSegments() {
        return offsets.recoveryPoint < segments.active().baseOffset();
    }

    /** Any thread: see {@link PartitionLog#flushRolledSegments}. */
    PartitionLog.RolledFlush flushRolled() {
        int epoch = offsets.truncations;
        long from = offsets.recoveryPoint;
        return new PartitionLog.RolledFlush(segments.flushRolled(from), epoch);
    }

    /** Writer: see {@link PartitionLog#advanceRecoveryPoint}. */
    Void advanceRecoveryPoint(PartitionLog.RolledFlush flushed) throws IOException {
        if (flushed.truncationEpoch() == offsets.truncations && flushed.through() > offsets.recoveryPoint
                && flushed.through() <= segments.active().baseOffset()) {
            offsets.recoveryPoint = flushed.through();
            offsets.checkpoint(dir);
        }
        return null;
    }

    /** Writer: fsyncs every segment written since the recovery point, moves it to the log end, checkpoints. */
    Void flush() throws IOException {
        segments.flushFrom(offsets.recoveryPoint);
        offsets.recoveryPoint = offsets.logEndOffset;
        offsets.checkpoint(dir);
        return null;
    }

    /** Writer: flushes, snapshots producer state at the log end, closes the files, writes the clean-shutdown marker. */
    void closeCleanly() throws IOException {
        flush();
        long end = offsets.logEndOffset;
        producers.writeSnapshot(end);
        producers.deleteSnapshotsBetween(segments.active().baseOffset(), end);
        segments.close();
        DurableFiles.writeAtomically(dir.resolve(LogLoader.CLEAN_SHUTDOWN_FILE), new byte[0]);
    }
}
