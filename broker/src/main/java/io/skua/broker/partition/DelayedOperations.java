package io.skua.broker.partition;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The broker's purgatory: requests that wait (acks=all produce, long-poll fetch, the group coordinator's own replicated
 * writes) park here, keyed by the partitions whose progress can complete them, until an event on one of those partitions
 * satisfies them or their deadline passes. Events come from the partition layer: appends, high-watermark advances,
 * leadership and ISR changes, deletion; each one wakes the operations watching that partition, which re-check their
 * condition on their own context. Deadlines are kept in a hierarchical timing wheel ({@link DelayTimer}); nothing polls.
 *
 * <p>Watch lists drop completed operations when their partition has an event and, to bound memory on a partition that
 * never has one, every {@link #PURGE_EVERY} completions.
 *
 * <p>Thread-safety: every method from any thread.
 */
public final class DelayedOperations implements AutoCloseable {
    static final int PURGE_EVERY = 1_000;

    private final Map<Object, List<DelayedOperation>> watchers = new ConcurrentHashMap<>();
    private final DelayTimer timer;
    private final java.util.concurrent.atomic.AtomicInteger sincePurge = new AtomicInteger();

    public DelayedOperations(String name) {
        this.timer = new DelayTimer(name);
    }

    /**
     * Waits until {@code condition} holds, re-checked on {@code executor} after every event on one of {@code keys}, or
     * until {@code timeoutMs} passed. The future completes on the executor: true if the condition held, false on timeout.
     * Call on the executor.
     */
    public Future<Boolean> await(Executor executor, Iterable<?> keys, long timeoutMs, BooleanSupplier condition) {
        Condition op = new Condition(executor, timeoutMs, condition);
        tryCompleteElseWatch(op, keys);
        return op.promise.future();
    }

    /** Runs tasks on {@code context} (a connection's event loop, a component's own context). */
    public static Executor executor(Context context) {
        return task -> context.runOnContext(v -> task.run());
    }

    /**
     * Runs tasks on the caller's Vert.x context, or in place when the caller is outside Vert.x: where a future that
     * work on another thread completes must call its callbacks back.
     */
    public static Executor callerContext() {
        Context ctx = Vertx.currentContext();
        return ctx == null ? Runnable::run : executor(ctx);
    }

    /**
     * Completes {@code op} now if it can, else parks it on {@code keys} and its deadline. Call on the operation's
     * executor. Checks once more after watching, so an event between the first check and the watch is not missed.
     * Returns whether the operation completed during this call.
     */
    public boolean tryCompleteElseWatch(DelayedOperation op, Iterable<?> keys) {
        if (op.tryComplete()) {
            return true;
        }
        for (Object key : keys) {
            if (op.isCompleted()) {
                return false;
            }
            List<DelayedOperation> list = watchers.computeIfAbsent(key, k -> new ArrayList<>());
            synchronized (list) {
                list.add(op);
            }
        }
        if (op.tryComplete()) {
            return true;
        }
        if (!op.isCompleted()) {
            op.timeout(timer.schedule(op.timeoutMs(), op::expireLater));
        }
        if (sincePurge.incrementAndGet() >= PURGE_EVERY) {
            sincePurge.set(0);
            purgeCompleted();
        }
        return false;
    }

    /**
     * Something happened on {@code key}'s partition (append, high watermark, leadership, deletion): every operation
     * watching it re-checks on its own executor. Completed ones leave the list here.
     */
    public void checkAndComplete(Object key) {
        List<DelayedOperation> list = watchers.get(key);
        if (list == null) {
            return;
        }
        List<DelayedOperation> woken;
        synchronized (list) {
            if (list.isEmpty()) {
                return;
            }
            woken = new ArrayList<>(list.size());
            for (Iterator<DelayedOperation> it = list.iterator(); it.hasNext(); ) {
                DelayedOperation op = it.next();
                if (op.isCompleted()) {
                    it.remove();
                } else {
                    woken.add(op);
                }
            }
        }
        woken.forEach(DelayedOperation::checkLater);
    }

    /** Operations still watched under some key (completed ones not yet dropped are not counted). */
    public int waiting() {
        Set<DelayedOperation> all = Collections.newSetFromMap(new IdentityHashMap<>());
        for (List<DelayedOperation> list : watchers.values()) {
            synchronized (list) {
                for (DelayedOperation op : list) {
                    if (!op.isCompleted()) {
                        all.add(op);
                    }
                }
            }
        }
        return all.size();
    }

    /** Entries in the watch lists, completed ones included (for tests of the purge). */
    int watchEntries() {
        int n = 0;
        for (List<DelayedOperation> list : watchers.values()) {
            synchronized (list) {
                n += list.size();
            }
        }
        return n;
    }

    void purgeCompleted() {
        watchers.forEach((key, list) -> {
            synchronized (list) {
                list.removeIf(DelayedOperation::isCompleted);
            }
        });
        // empty lists stay: a racing watcher may hold one; they are one small object per partition
    }

    @Override
    public void close() {
        timer.close();
    }

    /** Waits for a condition; the request's own logic runs when the future completes. */
    private static final class Condition extends DelayedOperation {
        private final BooleanSupplier condition;
        private final Promise<Boolean> promise = Promise.promise();
        private boolean held;

        Condition(Executor executor, long timeoutMs, BooleanSupplier condition) {
            super(executor, timeoutMs);
            this.condition = condition;
        }

        @Override
        protected boolean tryComplete() {
            if (condition.getAsBoolean()) {
                held = true;
                return forceComplete();
            }
            return false;
        }

        @Override
        protected void onExpiration() {
            held = false;
        }

        @Override
        protected void onComplete() {
            promise.complete(held);
        }
    }
}
