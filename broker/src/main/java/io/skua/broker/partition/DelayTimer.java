package io.skua.broker.partition;

import io.skua.broker.partition.TimingWheel.Bucket;
import io.skua.broker.partition.TimingWheel.TimerTask;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Runs actions after a delay, on one thread that sleeps until the earliest non-empty bucket of a {@link TimingWheel}
 * is due (a {@link DelayQueue} of buckets, so an idle broker wakes only for its own deadlines, at most every
 * {@link #IDLE_POLL_MS}). Actions run on the timer thread: they must be short (a delayed operation's expiry only hands
 * itself to its own context).
 *
 * <p>Thread-safety: {@link #schedule} and {@link TimingWheel.TimerTask#cancel} from any thread.
 */
public final class DelayTimer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DelayTimer.class.getName());
    static final long TICK_MS = 1;
    static final int WHEEL_SIZE = 32;
    static final long IDLE_POLL_MS = 200;

    private final DelayQueue<Bucket> queue = new DelayQueue<>();
    private final TimingWheel wheel;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Thread thread;
    private volatile boolean closed;

    public DelayTimer(String name) {
        this.wheel = new TimingWheel(TICK_MS, WHEEL_SIZE, now(), queue::offer, DelayTimer::now);
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    static long now() {
        return System.nanoTime() / 1_000_000L;
    }

    /** Runs {@code action} on the timer thread after {@code delayMs} (at once if due), unless the task is cancelled. */
    public TimerTask schedule(long delayMs, Runnable action) {
        TimerTask task = new TimerTask(now() + Math.max(0, delayMs), action);
        addOrRun(task);
        return task;
    }

    private void addOrRun(TimerTask task) {
        boolean added;
        lock.readLock().lock();
        try {
            added = wheel.add(task);
        } finally {
            lock.readLock().unlock();
        }
        if (!added && !task.cancelled()) {
            try {
                task.action.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "delayed action failed", e);
            }
        }
    }

    private void run() {
        while (!closed) {
            try {
                Bucket bucket = queue.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
                while (bucket != null) {
                    lock.writeLock().lock();
                    try {
                        wheel.advanceClock(bucket.expiration());
                    } finally {
                        lock.writeLock().unlock();
                    }
                    // each task either runs now or goes to a finer bucket
                    bucket.flush(this::addOrRun);
                    bucket = queue.poll();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "delay timer round failed", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
