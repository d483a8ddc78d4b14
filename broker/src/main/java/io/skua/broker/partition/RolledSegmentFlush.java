package io.skua.broker.partition;

import io.skua.storage.log.PartitionLog;
import java.lang.System.Logger.Level;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The fsync of the segments a roll leaves behind, off the partition's writer: the flusher thread syncs them, then the
 * writer moves the recovery point past them ({@link PartitionLog#flushRolledSegments}, {@link
 * PartitionLog#advanceRecoveryPoint}). At most one flush per partition is queued or running.
 */
final class RolledSegmentFlush {
    private static final System.Logger LOG = System.getLogger(RolledSegmentFlush.class.getName());
    private final String name;
    private final PartitionLog log;
    private final ExecutorService writer;
    private final ExecutorService flusher;
    private final AtomicBoolean running = new AtomicBoolean();

    RolledSegmentFlush(String name, PartitionLog log, ExecutorService writer, ExecutorService flusher) {
        this.name = name;
        this.log = log;
        this.writer = writer;
        this.flusher = flusher;
    }

    /** Writer: after an append that rolled the log, starts a flush unless one is queued or running. */
    void maybeStart() {
        if (!log.hasUnflushedRolledSegments() || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            flusher.execute(() -> {
                try {
                    PartitionLog.RolledFlush done = log.flushRolledSegments();
                    writer.execute(() -> {
                        try {
                            log.advanceRecoveryPoint(done);
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "checkpoint after flushing rolled segments of " + name
                                    + " failed: " + e);
                        } finally {
                            running.set(false);
                        }
                    });
                } catch (RuntimeException e) {
                    running.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            running.set(false);
        }
    }
}
