package io.skua.broker.partition;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.protocol.record.RecordBatch;
import io.skua.storage.ActiveProducer;
import io.skua.storage.AppendOrigin;
import io.skua.storage.AppendResult;
import io.skua.storage.FetchSlice;
import io.skua.storage.LogConfig;
import io.skua.storage.TimestampOffset;
import io.skua.storage.cleaner.LogCompactor;
import io.skua.storage.log.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One partition this broker hosts: its log, the I/O thread that is the log's single writer, and the
 * fetches parked until new data arrives. Every method is safe to call from any event loop; results come
 * back on the caller's context.
 */
public final class Partition {
    private final String topic;
    private final int index;
    private final PartitionLog log;
    private final ExecutorService io;
    private final RolledSegmentFlush rolledFlush;
    /** Requests waiting on this partition's progress; {@link #wakeWaiters} tells it of every change. */
    private final DelayedOperations delayed;
    private final LeaderEpochCache epochs;
    /** This broker's leadership of the partition; null while it follows (or does not know its role yet). */
    private volatile Leadership leadership;
    /** {@code flusher} fsyncs the segments a roll leaves behind, off the writer {@code io}. */
    public Partition(String topic, int index, PartitionLog log, ExecutorService io, ExecutorService flusher,
                     DelayedOperations delayed) {
        this.topic = topic;
        this.delayed = delayed;
        this.index = index;
        this.log = log;
        this.io = io;
        this.epochs = LeaderEpochCache.load(log.dir());
        this.rolledFlush = new RolledSegmentFlush(topic + "-" + index, log, io, flusher);
    }

    public LeaderEpochCache epochs() {
        return epochs;
    }

    /** This broker's leadership of the partition, or null when it is not the leader. */
    public Leadership leadership() {
        return leadership;
    }

    /**
     * Makes {@code next} this broker's leadership (a new leader epoch, or a single node opening the partition); the
     * requests waiting under the previous one re-check.
     */
    public void lead(Leadership next) {
        leadership = next;
        wakeWaiters();
    }

    /** Leadership moved elsewhere: requests waiting for this broker's acknowledgement answer NOT_LEADER_OR_FOLLOWER. */
    public void follow() {
        if (leadership != null) {
            leadership = null;
            wakeWaiters();
        }
    }

    public String topic() {
        return topic;
    }

    public int index() {
        return index;
    }

    public PartitionLog log() {
        return log;
    }

    public long logStartOffset() {
        return log.logStartOffset();
    }

    public long logEndOffset() {
        return log.logEndOffset();
    }

    public long highWatermark() {
        return log.highWatermark();
    }

    /**
     * A client append as the leader: the checks of {@link #leaderForAppend}, the append on the partition's writer, and
     * for acks=all the wait until the ISR has it ({@link DelayedProduce}). Fails with an {@link ApiException} carrying the
     * Kafka error, or storage's exception. The future completes on the caller's context.
     */
    public Future<AppendResult> appendAsLeader(ByteBuffer batches, short acks, long timeoutMs) {
        Leadership leader;
        try {
            leader = leaderForAppend(acks);
        } catch (ApiException e) {
            return Future.failedFuture(e);
        }
        long deadline = System.nanoTime() + Math.max(0, timeoutMs) * 1_000_000L;
        Executor back = DelayedOperations.callerContext();
        return onIo(() -> appendOnWriter(batches, leader)).andThen(ar -> wakeWaiters())
                .compose(r -> DelayedProduce.committed(this, leader, r, acks, deadline, back));
    }

    /**
     * Before a client append: this broker leads the partition under an epoch the controller has not deposed, and for
     * acks=all ({@code acks == -1}) the ISR is at least the effective {@code min.insync.replicas}. Returns the
     * leadership to append under.
     *
     * @throws ApiException NOT_LEADER_OR_FOLLOWER or NOT_ENOUGH_REPLICAS
     */
    Leadership leaderForAppend(short acks) {
        Leadership leader = leadership;
        if (leader == null) {
            throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER, null);
        }
        if (leader.deposed()) {
            // the controller refused this broker's leader epoch (it stood still meanwhile): not the leader any more
            throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER,
                    "this broker's leadership was fenced by a newer leader epoch");
        }
        if (acks == -1 && !leader.enoughInSync()) {
            throw new ApiException(Errors.NOT_ENOUGH_REPLICAS, "The size of the current ISR " + leader.isr()
                    + " is insufficient to satisfy the min.isr requirement of " + leader.minIsr());
        }
        return leader;
    }

    /**
     * The body of a leader append; runs on this partition's writer ({@link #writer()}). The high watermark moves to
     * what the ISR allows at once: the new log end when this broker is the only ISR member (always on a single node).
     */
    AppendResult appendOnWriter(ByteBuffer batches, Leadership leader) {
        AppendResult result = log.append(batches, AppendOrigin.CLIENT, leader.leaderEpoch());
        if (!result.duplicate() && result.firstOffset() >= 0) {
            epochs.assign(leader.leaderEpoch(), result.firstOffset());
        }
        long hw = leader.highWatermarkAllowed(log.logEndOffset());
        if (hw > log.highWatermark()) {
            log.updateHighWatermark(hw);
        }
        rolledFlush.maybeStart();
        return result;
    }

    /**
     * A follower fetched from {@code fetchOffset} (its log end): the leadership records its progress (high watermark,
     * ISR). Completes once the high watermark reflects it; at once when this broker does not lead the partition.
     */
    public Future<Void> followerFetched(int replicaId, long replicaEpoch, long fetchOffset) {
        Leadership leader = leadership;
        return leader == null ? Future.succeededFuture() : leader.followerFetched(replicaId, replicaEpoch, fetchOffset);
    }

    /** The I/O thread that is this partition's single writer. */
    ExecutorService writer() {
        return io;
    }

    /**
     * Follower: appends batches fetched from the leader as they are (offsets, epochs, timestamps kept), records each
     * new leader epoch's first offset, and takes the leader's high watermark (at most the own log end).
     */
    public Future<Long> appendReplicated(ByteBuffer batches, long leaderHighWatermark) {
        return onIo(() -> {
            if (batches.remaining() > 0) {
                for (RecordBatch b : RecordBatch.batches(batches.duplicate())) {
                    if (b.baseOffset() >= log.logEndOffset()) {
                        epochs.assign(b.partitionLeaderEpoch(), b.baseOffset());
                    }
                }
                log.append(batches, AppendOrigin.REPLICATION, -1);
                rolledFlush.maybeStart();
            }
            if (leaderHighWatermark >= 0) {
                log.updateHighWatermark(Math.min(leaderHighWatermark, log.logEndOffset()));
            }
            return log.logEndOffset();
        }).andThen(ar -> wakeWaiters());
    }

    /** Follower: removes everything from {@code offset} on (leader-epoch truncation); returns the new log end. */
    public Future<Long> truncateTo(long offset) {
        return onIo(() -> {
            if (offset < log.logStartOffset()) {
                log.truncateFullyAndStartAt(offset);
                epochs.clear();
            } else {
                log.truncateTo(offset);
                epochs.truncateFromEnd(log.logEndOffset());
            }
            return log.logEndOffset();
        });
    }

    /** Follower behind the leader's log start: empties the log and restarts it at {@code offset}. */
    public Future<Long> restartAt(long offset) {
        return onIo(() -> {
            log.truncateFullyAndStartAt(offset);
            epochs.clear();
            return log.logEndOffset();
        });
    }

    /** Moves the high watermark forward (never back) and wakes parked fetches and produce requests. */
    public Future<Long> advanceHighWatermark(long offset) {
        return onIo(() -> {
            if (offset > log.highWatermark()) {
                log.updateHighWatermark(offset);
            }
            return log.highWatermark();
        }).andThen(ar -> wakeWaiters());
    }

    /**
     * Whole batches below {@code maxOffsetExclusive} (a follower's fetch reads up to the log end). Reads that need the
     * files run on the I/O thread; the others (at the end, or the tail from a recent batch) complete at once.
     */
    public Future<FetchSlice> readUpTo(long offset, int maxBytes, long maxOffsetExclusive) {
        FetchSlice fromMemory = log.readFromMemory(offset, maxBytes, maxOffsetExclusive);
        return fromMemory != null ? Future.succeededFuture(fromMemory)
                : onIo(() -> log.read(offset, maxBytes, maxOffsetExclusive));
    }

    /** Whole batches from {@code offset}, at most {@code maxBytes} (the first batch always whole), below the high watermark. */
    public Future<FetchSlice> read(long offset, int maxBytes) {
        return readUpTo(offset, maxBytes, log.highWatermark());
    }

    /**
     * Like {@link #read}, but the batches are copied into a heap buffer on the I/O thread, so that a reader on an
     * event loop (the group coordinator replaying {@code __consumer_offsets}) never touches the file itself.
     */
    public Future<ByteBuffer> readCopy(long offset, int maxBytes) {
        return onIo(() -> log.read(offset, maxBytes, log.highWatermark()).readAll());
    }

    public Future<Optional<TimestampOffset>> offsetForTimestamp(long timestamp) {
        return onIo(() -> log.offsetForTimestamp(timestamp));
    }

    public Future<Optional<TimestampOffset>> maxTimestampOffset() {
        return onIo(log::maxTimestampOffset);
    }

    public Future<Long> deleteRecordsBefore(long offset) {
        return onIo(() -> log.deleteRecordsBefore(offset));
    }

    /** Idempotent producers storage remembers (DescribeProducers); read on the writer, which owns producer state. */
    public Future<List<ActiveProducer>> activeProducers() {
        return onIo(log::activeProducers);
    }

    /** Compaction step 1, on the writer: what to clean, if the log is due. */
    public Future<Optional<LogCompactor.Plan>> planCompaction(LogCompactor compactor) {
        return onIo(() -> compactor.plan(log));
    }

    /** Compaction step 3, on the writer: swaps in segments built off-thread by {@link LogCompactor#build}. */
    public Future<LogCompactor.Result> swapCompacted(LogCompactor compactor, LogCompactor.Cleaned cleaned) {
        return onIo(() -> compactor.swap(log, cleaned));
    }

    public Future<Integer> applyRetention(long nowMs) {
        return onIo(() -> log.applyRetention(nowMs));
    }

    public Future<Void> updateConfig(LogConfig config) {
        return this.<Void>onIo(() -> {
            log.updateConfig(config);
            return null;
        });
    }

    public Future<Void> flush() {
        return this.<Void>onIo(() -> {
            log.flush();
            return null;
        });
    }

    /** Completes once everything queued on the partition's writer before it has run. */
    public Future<Void> barrier() {
        return this.<Void>onIo(() -> null);
    }

    /** Closes the log on its I/O thread (clean shutdown marker included). */
    public Future<Void> close() {
        return this.<Void>onIo(() -> {
            log.close();
            return null;
        }).andThen(ar -> wakeWaiters());
    }

    /** Waits until {@code condition} holds, re-checked after every change of this partition, or {@code timeoutMs}. */
    public Future<Boolean> await(Executor executor, long timeoutMs, BooleanSupplier condition) {
        return delayed.await(executor, List.of(this), timeoutMs, condition);
    }

    /**
     * Something changed (append, high watermark, leadership, ISR, close): requests waiting on this partition re-check
     * their condition, each on its own context.
     */
    public void wakeWaiters() {
        delayed.checkAndComplete(this);
    }

    /**
     * Runs {@code work} on the partition's writer; the future completes on the caller's context (or on the writer when
     * called from outside Vert.x).
     */
    private <T> Future<T> onIo(Supplier<T> work) {
        Executor back = DelayedOperations.callerContext();
        Promise<T> promise = Promise.promise();
        try {
            io.execute(() -> {
                T result = null;
                Throwable failure = null;
                try {
                    result = work.get();
                } catch (Throwable t) {
                    failure = t;
                }
                T r = result;
                Throwable f = failure;
                back.execute(() -> complete(promise, r, f));
            });
        } catch (RejectedExecutionException e) {
            promise.fail(e);
        }
        return promise.future();
    }

    private static <T> void complete(Promise<T> promise, T result, Throwable failure) {
        if (failure != null) {
            promise.fail(failure);
        } else {
            promise.complete(result);
        }
    }
}
