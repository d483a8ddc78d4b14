package io.skua.storage.cleaner;

import io.skua.storage.StorageException;
import java.util.concurrent.TimeUnit;

/**
 * Limits the rate of the cleaner's I/O to {@code bytesPerSecond} (Kafka's
 * {@code log.cleaner.io.max.bytes.per.second}): each {@link #acquire} adds the bytes just read or written and sleeps
 * as long as needed for the average over the current window (about a second) to stay under the limit.
 *
 * <p>Thread-safety: safe; callers sleep while holding no lock but the throttler's own (the cleaner has one thread).
 */
public final class Throttler {
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final double bytesPerSecond;
    private long windowStart = System.nanoTime();
    private long windowBytes;

    /** @param bytesPerSecond the limit; {@link Double#POSITIVE_INFINITY} (or any value above 1e15) for none */
    public Throttler(double bytesPerSecond) {
        if (!(bytesPerSecond > 0)) {
            throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    public static Throttler unlimited() {
        return new Throttler(Double.POSITIVE_INFINITY);
    }

    public double bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Accounts {@code bytes} of I/O and sleeps if the rate is above the limit. */
    public synchronized void acquire(long bytes) {
        if (bytesPerSecond > 1e15) {
            return;
        }
        long now = System.nanoTime();
        if (now - windowStart > WINDOW_NANOS) {
            windowStart = now;
            windowBytes = 0;
        }
        windowBytes += bytes;
        long due = windowStart + (long) (windowBytes / bytesPerSecond * 1e9);
        long wait = due - now;
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException(StorageException.Error.KAFKA_STORAGE_ERROR, "Cleaner interrupted");
            }
        }
    }
}
