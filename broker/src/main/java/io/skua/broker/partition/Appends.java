package io.skua.broker.partition;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
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
 * instead of one of each per partition. Same effect as {@link Partition#appendAsLeader} for each entry: the leader
 * checks first, then the append, then for acks=all the wait until the ISR has it.
 *
 * <p>Use on an event loop: {@link #add} each partition, then {@link #submit} once. The futures complete on the
 * caller's context, failed with an {@code ApiException} (or storage's exception) carrying the partition's error.
 */
public final class Appends {
    private final Context context;
    private final short acks;
    private final long deadlineNanos;
    private final List<Entry> entries = new ArrayList<>(4);

    /** {@code acks} and {@code timeoutMs} as the Produce request gives them. */
    public Appends(Context context, short acks, long timeoutMs) {
        this.context = context;
        this.acks = acks;
        this.deadlineNanos = System.nanoTime() + Math.max(0, timeoutMs) * 1_000_000L;
    }

    /**
     * Queues an append; its future completes after {@link #submit} (at once when the leader checks refuse it, or with
     * INVALID_RECORD when {@code batches} is null or empty: a request with no record batches for the partition).
     */
    public Future<AppendResult> add(Partition partition, ByteBuffer batches) {
        Leadership leader;
        try {
            leader = partition.leaderForAppend(acks);
        } catch (ApiException e) {
            return Future.failedFuture(e);
        }
        if (batches == null || !batches.hasRemaining()) {
            return Future.failedFuture(new ApiException(Errors.INVALID_RECORD, "no record batches"));
        }
        Entry entry = new Entry(partition, batches, leader, Promise.promise());
        entries.add(entry);
        return entry.promise.future().compose(r -> DelayedProduce.committed(partition, leader, r, acks, deadlineNanos,
                DelayedOperations.executor(context)));
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
                        e.result = e.partition.appendOnWriter(e.batches, e.leader);
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
        final Leadership leader;
        final Promise<AppendResult> promise;
        /** Written on the I/O thread before the hop back, read on the event loop after it. */
        AppendResult result;
        Throwable failure;

        Entry(Partition partition, ByteBuffer batches, Leadership leader, Promise<AppendResult> promise) {
            this.partition = partition;
            this.batches = batches;
            this.leader = leader;
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
