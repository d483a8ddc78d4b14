package io.skua.broker.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A hierarchical timing wheel: {@code wheelSize} buckets of {@code tickMs} each; a deadline beyond this wheel's span goes
 * to an overflow wheel whose tick is this wheel's whole span, created when first needed. Adding and cancelling a task
 * is O(1) whatever the number of tasks; a bucket's tasks are handed back together when its time comes, and those of an
 * overflow wheel are re-added, landing in a finer wheel (or expiring) as the clock moves on.
 *
 * <p>The wheel does not watch the clock itself: whoever drives it ({@link DelayTimer}) is told of every bucket that
 * gets a new expiration (to queue it by time), calls {@link #advanceClock} when a bucket is due, and {@link Bucket#flush
 * flushes} that bucket through {@link #add}. Time is in milliseconds of any monotonic clock.
 *
 * <p>Thread-safety: {@link #add} may run concurrently with other adds; {@link #advanceClock} must not run concurrently
 * with anything (DelayTimer holds a read-write lock: adds share it, the advance takes it alone). A bucket's list is
 * guarded by the bucket, so {@link TimerTask#cancel} may run anywhere at any time.
 */
final class TimingWheel {
    private final long tickMs;
    private final int wheelSize;
    private final long interval;
    private final Bucket[] buckets;
    private final Consumer<Bucket> onScheduled;
    private final LongSupplier clock;
    /** The start of the current tick (a multiple of tickMs); only {@link #advanceClock} moves it. */
    private volatile long currentTime;
    private volatile TimingWheel overflow;

    /**
     * @param onScheduled told of a bucket whenever it gets a new expiration: the driver queues it to be flushed then
     * @param clock the same clock as the tasks' deadlines, for {@link Bucket#getDelay}
     */
    TimingWheel(long tickMs, int wheelSize, long startMs, Consumer<Bucket> onScheduled, LongSupplier clock) {
        if (tickMs < 1 || wheelSize < 2) {
            throw new IllegalArgumentException("tickMs >= 1 and wheelSize >= 2 required");
        }
        this.tickMs = tickMs;
        this.wheelSize = wheelSize;
        this.interval = tickMs * wheelSize;
        this.onScheduled = onScheduled;
        this.clock = clock;
        this.currentTime = startMs - startMs % tickMs;
        this.buckets = new Bucket[wheelSize];
        for (int i = 0; i < wheelSize; i++) {
            buckets[i] = new Bucket(clock);
        }
    }

    /** False if the task is cancelled or already due (its deadline is within the current tick): the caller runs it. */
    boolean add(TimerTask task) {
        long deadline = task.deadlineMs;
        if (task.cancelled()) {
            return false;
        }
        if (deadline < currentTime + tickMs) {
            return false;
        }
        if (deadline < currentTime + interval) {
            long virtualId = deadline / tickMs;
            Bucket bucket = buckets[(int) (virtualId % wheelSize)];
            bucket.add(task);
            if (bucket.setExpiration(virtualId * tickMs)) {
                onScheduled.accept(bucket);
            }
            return true;
        }
        return overflow().add(task);
    }

    /** Moves the clock to the tick holding {@code timeMs}, if that is later; the overflow wheels follow. */
    void advanceClock(long timeMs) {
        if (timeMs >= currentTime + tickMs) {
            currentTime = timeMs - timeMs % tickMs;
            TimingWheel o = overflow;
            if (o != null) {
                o.advanceClock(currentTime);
            }
        }
    }

    long currentTime() {
        return currentTime;
    }

    private TimingWheel overflow() {
        TimingWheel o = overflow;
        if (o == null) {
            synchronized (this) {
                o = overflow;
                if (o == null) {
                    o = new TimingWheel(interval, wheelSize, currentTime, onScheduled, clock);
                    overflow = o;
                }
            }
        }
        return o;
    }

    /** A task that fires once at {@code deadlineMs} unless cancelled first. */
    static final class TimerTask {
        final long deadlineMs;
        final Runnable action;
        // guarded by the bucket that holds it
        private Bucket bucket;
        private TimerTask prev;
        private TimerTask next;
        private volatile boolean cancelled;

        TimerTask(long deadlineMs, Runnable action) {
            this.deadlineMs = deadlineMs;
            this.action = action;
        }

        /** Takes the task out of its bucket at once (no cancelled entries pile up) and makes sure it never runs. */
        void cancel() {
            cancelled = true;
            Bucket b = bucket;
            while (b != null) {
                b.remove(this);
                // it may have moved to another bucket meanwhile (a flush re-adding it): look again
                Bucket now = bucket;
                b = now == b ? null : now;
            }
        }

        boolean cancelled() {
            return cancelled;
        }
    }

    /** One slot of a wheel: a doubly linked list of tasks sharing an expiration tick. */
    static final class Bucket implements Delayed {
        private final LongSupplier clock;
        private final TimerTask head = new TimerTask(-1, null);
        private long expiration = -1;
        private int size;

        Bucket(LongSupplier clock) {
            this.clock = clock;
            head.next = head;
            head.prev = head;
        }

        synchronized void add(TimerTask task) {
            // a task sits in one bucket at a time
            if (task.bucket != null) {
                task.bucket.remove(task);
            }
            task.bucket = this;
            task.prev = head.prev;
            task.next = head;
            head.prev.next = task;
            head.prev = task;
            size++;
        }

        synchronized void remove(TimerTask task) {
            if (task.bucket != this) {
                return;
            }
            task.prev.next = task.next;
            task.next.prev = task.prev;
            task.prev = null;
            task.next = null;
            task.bucket = null;
            size--;
        }

        /** True when the expiration changed, i.e. the bucket must be (re)queued by the driver. */
        synchronized boolean setExpiration(long ms) {
            long old = expiration;
            expiration = ms;
            return old != ms;
        }

        synchronized long expiration() {
            return expiration;
        }

        synchronized int size() {
            return size;
        }

        /** Empties the bucket, resets its expiration and hands each task to {@code sink} (outside the bucket's lock). */
        void flush(Consumer<TimerTask> sink) {
            List<TimerTask> tasks;
            synchronized (this) {
                tasks = new ArrayList<>(size);
                for (TimerTask t = head.next; t != head; ) {
                    TimerTask next = t.next;
                    remove(t);
                    tasks.add(t);
                    t = next;
                }
                expiration = -1;
            }
            tasks.forEach(sink);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Math.max(0, expiration() - clock.getAsLong()), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(expiration(), ((Bucket) other).expiration());
        }
    }
}
