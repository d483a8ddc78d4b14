package io.skua.broker.partition;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request waiting in {@link DelayedOperations} for a condition on one or more partitions (acks=all: the high
 * watermark passed the batch; a long-poll fetch: new data) or for its deadline, whichever comes first. It completes
 * exactly once.
 *
 * <p>Every method of the subclass runs on the operation's {@code executor} (the requesting connection's context), one
 * at a time: {@link #tryComplete} when an event on a watched partition may have satisfied it, {@link #onExpiration}
 * when the deadline passed first, and {@link #onComplete} once, after either. So a subclass needs no locking of its
 * own.
 */
public abstract class DelayedOperation {
    private final Executor executor;
    private final long timeoutMs;
    private final AtomicBoolean completed = new AtomicBoolean();
    /** Coalesces events: at most one re-check queued on the executor at a time. */
    private final AtomicBoolean checkQueued = new AtomicBoolean();
    private volatile TimingWheel.TimerTask timeout;

    protected DelayedOperation(Executor executor, long timeoutMs) {
        this.executor = executor;
        this.timeoutMs = Math.max(0, timeoutMs);
    }

    /**
     * Checks the condition; when it holds, returns {@link #forceComplete()}. Runs on the executor. Cheap and
     * non-blocking: it may run once per event on a watched partition.
     */
    protected abstract boolean tryComplete();

    /** The deadline passed before the condition held; runs on the executor, before {@link #onComplete}. */
    protected abstract void onExpiration();

    /** Answers the request; runs once, on the executor. */
    protected abstract void onComplete();

    /** Completes the operation now if nobody did yet; true for the caller that completed it. Runs on the executor. */
    protected final boolean forceComplete() {
        if (!completed.compareAndSet(false, true)) {
            return false;
        }
        TimingWheel.TimerTask t = timeout;
        if (t != null) {
            t.cancel();
        }
        onComplete();
        return true;
    }

    public final boolean isCompleted() {
        return completed.get();
    }

    final long timeoutMs() {
        return timeoutMs;
    }

    final void timeout(TimingWheel.TimerTask task) {
        this.timeout = task;
        if (completed.get()) {
            task.cancel();
        }
    }

    /** From any thread: re-check on the executor (one queued check at a time however many events arrive). */
    final void checkLater() {
        if (completed.get() || !checkQueued.compareAndSet(false, true)) {
            return;
        }
        executor.execute(() -> {
            checkQueued.set(false);
            if (!completed.get()) {
                tryComplete();
            }
        });
    }

    /** From the timer thread: expire on the executor unless completed first. */
    final void expireLater() {
        executor.execute(() -> {
            if (completed.compareAndSet(false, true)) {
                onExpiration();
                onComplete();
            }
        });
    }
}
