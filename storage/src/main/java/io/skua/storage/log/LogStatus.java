package io.skua.storage.log;

import io.skua.storage.StorageException.Error;
import io.skua.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Whether a partition log takes writes: open, closed, or failed. An I/O error during a write fails the log: its files
 * may be half changed, so every later write is refused with {@code KAFKA_STORAGE_ERROR} until the log is reopened
 * (and recovered). {@link #writing} runs a write under these rules.
 *
 * <p>Thread-safety: the partition's writer thread only.
 */
final class LogStatus {
    /** A write that may fail with an I/O error (void ones return null). */
    interface IoCall<T> {
        T call() throws IOException;
    }

    private final Path dir;
    private boolean failed;
    private boolean closed;

    LogStatus(Path dir) {
        this.dir = dir;
    }

    boolean open() {
        return !closed && !failed;
    }

    boolean closed() {
        return closed;
    }

    boolean failed() {
        return failed;
    }

    void markClosed() {
        closed = true;
    }

    /** Runs {@code call} if the log is writable; an I/O error fails the log. */
    <T> T writing(String what, IoCall<T> call) {
        ensureWritable();
        try {
            return call.call();
        } catch (IOException e) {
            failed = true;
            throw StorageException.io(what + " " + dir + " failed", e);
        }
    }

    /** @throws StorageException KAFKA_STORAGE_ERROR if the log is closed or failed */
    void ensureWritable() {
        if (closed) {
            throw new StorageException(Error.KAFKA_STORAGE_ERROR, "Partition log " + dir + " is closed");
        }
        if (failed) {
            throw new StorageException(Error.KAFKA_STORAGE_ERROR, "Partition log " + dir
                    + " failed an I/O operation; reopen it");
        }
    }
}
