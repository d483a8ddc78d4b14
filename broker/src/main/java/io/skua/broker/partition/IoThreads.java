package io.skua.broker.partition;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The threads that do partition I/O, off the event loops. A partition is pinned to one thread, so every
 * append, truncation and retention pass of a partition runs on a single writer, in submission order. Also owns the
 * partitions' shared {@link DelayedOperations} (requests waiting on partition progress), closed with the threads.
 */
public final class IoThreads implements AutoCloseable {
    private final ExecutorService[] threads;
    /** Fsyncs segments that rolls left behind, so that no writer waits for their dirty pages. */
    private final ExecutorService flusher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "skua-flush");
        t.setDaemon(true);
        return t;
    });

    private final DelayedOperations delayed = new DelayedOperations("skua-delayed");

    public IoThreads(int count) {
        threads = new ExecutorService[count];
        for (int i = 0; i < count; i++) {
            int n = i;
            threads[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "skua-io-" + n);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** Where requests wait for partition progress (acks=all, long-poll fetch); shared by all partitions. */
    public DelayedOperations delayed() {
        return delayed;
    }

    /** The thread that fsyncs rolled segments, shared by all partitions. */
    public ExecutorService flusher() {
        return flusher;
    }

    /** The thread for a partition: stable for the life of the process. */
    public ExecutorService forPartition(String topic, int partition) {
        int h = (topic.hashCode() * 31 + partition) & 0x7fffffff;
        return threads[h % threads.length];
    }

    @Override
    public void close() {
        delayed.close();
        flusher.shutdown();
        try {
            flusher.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (ExecutorService t : threads) {
            t.shutdown();
        }
        for (ExecutorService t : threads) {
            try {
                t.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
