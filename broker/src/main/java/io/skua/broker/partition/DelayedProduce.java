package io.skua.broker.partition;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.storage.AppendResult;
import io.vertx.core.Future;
import java.util.concurrent.Executor;

/**
 * The acknowledgement of a leader append (Kafka's delayed produce): acks 0 and 1 are answered at once; acks=all once
 * the high watermark passes the batch (every ISR member has it), parked in the partition's {@link DelayedOperations}
 * and re-checked on every change of the partition (appends, follower fetches moving the high watermark, ISR and
 * leadership changes).
 */
final class DelayedProduce {
    private DelayedProduce() {
    }

    /**
     * Completes with {@code result} once the append is acknowledged; fails with NOT_LEADER_OR_FOLLOWER if leadership
     * moved meanwhile, REQUEST_TIMED_OUT when {@code deadlineNanos} passes first, NOT_ENOUGH_REPLICAS_AFTER_APPEND if
     * the ISR is below the effective minimum by then. Completes on {@code executor}.
     */
    static Future<AppendResult> committed(Partition partition, Leadership leader, AppendResult result, short acks,
                                          long deadlineNanos, Executor executor) {
        long end = result.lastOffset() + 1;
        if (acks != -1 || result.lastOffset() < 0) {
            return Future.succeededFuture(result);
        }
        if (partition.highWatermark() >= end) {
            return verdict(partition, leader, result, true);
        }
        long remainingMs = Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000L);
        return partition.await(executor, remainingMs,
                () -> !leads(partition, leader) || partition.highWatermark() >= end)
                .compose(held -> verdict(partition, leader, result, held));
    }

    private static boolean leads(Partition partition, Leadership leader) {
        return partition.leadership() == leader && !leader.deposed();
    }

    private static Future<AppendResult> verdict(Partition partition, Leadership leader, AppendResult result,
                                                boolean held) {
        if (!leads(partition, leader)) {
            return Future.failedFuture(new ApiException(Errors.NOT_LEADER_OR_FOLLOWER,
                    "leadership moved while waiting for replicas"));
        } else if (!held) {
            return Future.failedFuture(new ApiException(Errors.REQUEST_TIMED_OUT,
                    partition.topic() + "-" + partition.index() + " not replicated to the ISR in time"));
        } else if (!leader.enoughInSync()) {
            return Future.failedFuture(new ApiException(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                    "The ISR " + leader.isr() + " shrank below min.insync.replicas " + leader.minIsr()));
        }
        return Future.succeededFuture(result);
    }
}
