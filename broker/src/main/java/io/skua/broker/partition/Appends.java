package io.skua.broker.partition;

import io.skua.storage.AppendResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Context;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The client appends of one Produce request, handed to the I/O threads together: one task per I/O thread
 * (which appends that thread's partitions in request order) and one hop back to the event loop per task,
 * instead of one of each per partition. Same effect as {@link Partition#append} for each entry.
 *
 * <p>Use on an event loop: {@link #add} each partition, then {@link #submit} once. The futures complete on the
 * caller's context.
 */
public final class Appends {
    private final Context context;
    private final List<Entry> entries = new ArrayList<>(4);

    public Appends(Context context) {
        this.context = context;
    }

    /** Queues an append; its future completes after {@link #submit}. */
    public Future<AppendResult> add(Partition partition, ByteBuffer batches, int leaderEpoch) {
        Entry entry = new Entry(partition, batches, leaderEpoch, Promise.promise());
        entries.add(entry);
        return entry.promise.future();
    }

    /** Runs the queued appends: one task per I/O thread involved. */
    public void submit() {
        if (entries.size() == 1) {
            // one partition, the common case: no grouping
            submit(entries);
            return;
        }
        List<Entry> rest = entries;
        while (!rest.isEmpty()) {
            ExecutorService writer = rest.get(0).partition.writer();
            List<Entry> same = new ArrayList<>(rest.size());
            List<Entry> other = new ArrayList<>(rest.size());
            for (Entry e : rest) {
                (e.partition.writer() == writer ? same : other).add(e);
            }
            submit(same);
            rest = other;
        }
    }

    private void submit(List<Entry> group) {
        try {
            group.get(0).partition.writer().execute(() -> {
                for (Entry e : group) {
                    try {
                        e.result = e.partition.appendOnWriter(e.batches, e.leaderEpoch);
                    } catch (Throwable t) {
                        e.failure = t;
                    }
                }
                // completed on the caller's context: the futures' callbacks run there
                context.runOnContext(v -> group.forEach(Entry::complete));
            });
        } catch (RejectedExecutionException e) {
            for (Entry entry : group) {
                entry.failure = e;
                entry.complete();
            }
        }
    }

    private static final class Entry {
        final Partition partition;
        final ByteBuffer batches;
        final int leaderEpoch;
        final Promise<AppendResult> promise;
        /** Written on the I/O thread before the hop back, read on the event loop after it. */
        AppendResult result;
        Throwable failure;

        Entry(Partition partition, ByteBuffer batches, int leaderEpoch, Promise<AppendResult> promise) {
            this.partition = partition;
            this.batches = batches;
            this.leaderEpoch = leaderEpoch;
            this.promise = promise;
        }

        void complete() {
            partition.wakeWaiters();
            if (failure != null) {
                promise.fail(failure);
            } else {
                promise.complete(result);
            }
        }
    }
}
