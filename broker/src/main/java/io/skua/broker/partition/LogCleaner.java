package io.skua.broker.partition;

import io.skua.broker.lifecycle.Lifecycle;
import io.skua.storage.StorageException;
import io.skua.storage.cleaner.LogCompactor;
import io.skua.storage.cleaner.Throttler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs log compaction for topics whose {@code cleanup.policy} includes {@code compact}: every
 * {@code log.cleaner.backoff.ms} a pass visits their partitions one after another. For each, the plan and the swap
 * run on the partition's writer thread (the log's single writer, so they never race appends, retention or
 * DeleteRecords), and the rewrite — the long, throttled part — runs on the cleaner's own single worker thread
 * ({@code skua-log-cleaner}), concurrently with appends and reads (see {@link LogCompactor}). One pass at a time.
 *
 * <p>A partition whose cleaning meets a corrupt batch is marked uncleanable until restart (as Kafka does), with a
 * WARN; other failures (an I/O error, segments deleted meanwhile) are retried at the next pass.
 *
 * <p>Threading: the timer and the pass chain run on an event loop; {@code running} and {@code stopping} are only
 * touched there and in {@link #stop}, so they are volatile.
 */
public final class LogCleaner implements Lifecycle {
    private static final System.Logger LOG = System.getLogger(LogCleaner.class.getName());

    private final Vertx vertx;
    private final PartitionRegistry partitions;
    private final long backoffMs;
    private final LogCompactor compactor;
    private final Set<String> uncleanable = ConcurrentHashMap.newKeySet();
    private WorkerExecutor worker;
    private long timer = -1;
    private volatile Future<Void> pass = Future.succeededFuture();
    private volatile boolean stopping;

    public LogCleaner(Vertx vertx, PartitionRegistry partitions, long backoffMs, double maxBytesPerSecond,
                      long dedupeBufferBytes, int maxMessageBytes) {
        this.vertx = vertx;
        this.partitions = partitions;
        this.backoffMs = Math.max(1, backoffMs);
        int maxKeys = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1024, dedupeBufferBytes / 24));
        // A batch inflates to at most this: generous for real batches, bounded for hostile ones.
        int maxInflated = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(64L << 20, 32L * maxMessageBytes));
        this.compactor = new LogCompactor(new Throttler(maxBytesPerSecond), maxKeys, maxInflated,
                System::currentTimeMillis);
    }

    @Override
    public Future<Void> start() {
        worker = vertx.createSharedWorkerExecutor("skua-log-cleaner", 1, 1, TimeUnit.HOURS);
        timer = vertx.setPeriodic(backoffMs, id -> runPass());
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        stopping = true;
        compactor.stop();
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        return pass.eventually(() -> worker == null ? Future.succeededFuture() : worker.close());
    }

    /** Starts a pass unless one is running; completes when it ends. Visible for tests. */
    public Future<Void> runPass() {
        if (!pass.isComplete() || stopping) {
            return pass;
        }
        List<Partition> due = new ArrayList<>();
        for (Partition partition : partitions.all()) {
            // the log runs with the topic's effective config (broker defaults refined by the topic's own)
            if (partition.log().config().compactEnabled()
                    && !uncleanable.contains(partition.topic() + "-" + partition.index())) {
                due.add(partition);
            }
        }
        Future<Void> chain = Future.succeededFuture();
        for (Partition partition : due) {
            chain = chain.transform(ignored -> stopping ? Future.<Void>succeededFuture() : clean(partition));
        }
        pass = chain;
        return chain;
    }

    private Future<Void> clean(Partition partition) {
        String name = partition.topic() + "-" + partition.index();
        return partition.planCompaction(compactor)
                .compose(plan -> plan.isEmpty() ? Future.succeededFuture(Optional.<LogCompactor.Result>empty())
                        : worker.executeBlocking(() -> compactor.build(plan.get()), false)
                        .compose(cleaned -> partition.swapCompacted(compactor, cleaned)
                                .onFailure(t -> cleaned.discard())
                                .map(Optional::of)))
                .transform(ar -> {
                    if (ar.succeeded()) {
                        ar.result().filter(r -> r.segmentsBefore() > 0).ifPresent(r -> LOG.log(Level.INFO,
                                "cleaned partition={0} segments={1}->{2} bytes={3}->{4} removed={5} firstDirty={6}",
                                name, String.valueOf(r.segmentsBefore()), String.valueOf(r.segmentsAfter()),
                                String.valueOf(r.bytesBefore()), String.valueOf(r.bytesAfter()),
                                String.valueOf(r.recordsRemoved()), String.valueOf(r.firstDirtyOffset())));
                    } else if (ar.cause() instanceof StorageException e
                            && e.error() == StorageException.Error.CORRUPT_MESSAGE) {
                        uncleanable.add(name);
                        LOG.log(Level.WARNING, "partition marked uncleanable partition={0}: {1}", name, e.getMessage());
                    } else {
                        LOG.log(Level.WARNING, "cleaning failed partition={0}: {1}", name, String.valueOf(ar.cause()));
                    }
                    return Future.<Void>succeededFuture();
                });
    }
}
