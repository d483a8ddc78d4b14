package io.skua.broker.cluster;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * Notices that this whole process stood still (SIGSTOP, a long garbage-collection pause, a stalled VM): a daemon thread
 * ticks every {@link #TICK_MS}; a tick that comes at least {@code thresholdMs} after the previous one counts a freeze.
 *
 * <p>{@link #count()} also counts a freeze that has ended but not been ticked yet (now is at least the threshold after
 * the last tick): right after SIGCONT the event loops process requests that waited in socket buffers before this
 * thread runs again, and those must already see the freeze. Both paths give the same number for the same freeze.
 *
 * <p>Thread-safe. A thread starved of CPU for the threshold counts as a freeze too (a false alarm costs a confirmation
 * round trip, see {@link ReplicaManager}).
 */
final class FreezeWatch {
    private static final System.Logger LOG = System.getLogger(FreezeWatch.class.getName());
    static final long TICK_MS = 100;

    private final long thresholdNanos;
    private final Thread thread;
    /** Guarded by this. */
    private long lastTickNanos = System.nanoTime();
    /** Guarded by this. */
    private long freezes;
    private volatile boolean running = true;

    FreezeWatch(long thresholdMs) {
        this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(thresholdMs);
        this.thread = new Thread(this::run, "skua-freeze-watch");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        running = false;
        thread.interrupt();
    }

    /** Freezes seen so far, including one that has just ended and is not ticked yet. */
    synchronized long count() {
        return System.nanoTime() - lastTickNanos >= thresholdNanos ? freezes + 1 : freezes;
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                return;
            }
            long stoodMs;
            synchronized (this) {
                long now = System.nanoTime();
                stoodMs = (now - lastTickNanos) / 1_000_000;
                if (now - lastTickNanos >= thresholdNanos) {
                    freezes++;
                } else {
                    stoodMs = -1;
                }
                lastTickNanos = now;
            }
            if (stoodMs >= 0) {
                LOG.log(Level.WARNING, "process stood still ms={0}: leadership from before is suspect", stoodMs);
            }
        }
    }
}
