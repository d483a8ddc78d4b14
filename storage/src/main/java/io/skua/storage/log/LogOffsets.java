package io.skua.storage.log;

import io.skua.storage.load.LogLoader.LoadedLog;
import io.skua.storage.load.PartitionCheckpoint;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The offsets of one partition log, shared by {@link PartitionLog} and the classes that move them ({@link LogAppender},
 * {@link LogRemovals}): log start and end, high watermark, recovery point, and a count of truncations (so a flush of
 * rolled segments that raced one is not taken as durable). {@link #checkpoint} persists three of them in
 * {@value PartitionCheckpoint#FILE}.
 *
 * <p>Thread-safety: written by the partition's writer thread only; volatile, so readers on any thread see each value
 * (a reader that needs several takes the log end first, as appends publish it last).
 */
final class LogOffsets {
    volatile long logStartOffset;
    volatile long logEndOffset;
    volatile long highWatermark;
    /** Written by the writer; read by {@link PartitionLog#flushRolledSegments} on another thread. */
    volatile long recoveryPoint;
    volatile int truncations;

    /** Before the log is published: the offsets the loader found. */
    void set(LoadedLog loaded) {
        logEndOffset = loaded.logEndOffset();
        logStartOffset = loaded.logStartOffset();
        highWatermark = loaded.highWatermark();
        recoveryPoint = loaded.recoveryPoint();
    }

    /** Writer: clamps the high watermark to [log start, log end] after either moved. */
    void clampHighWatermark() {
        highWatermark = Math.min(Math.max(highWatermark, logStartOffset), logEndOffset);
    }

    /** Writer: writes recovery point, log start offset and high watermark to the checkpoint file, atomically. */
    void checkpoint(Path dir) throws IOException {
        PartitionCheckpoint.write(dir, recoveryPoint, logStartOffset, highWatermark);
    }
}
