package io.skua.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.broker.testing.Await;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.protocol.Uuid;
import io.skua.protocol.record.RecordBatchBuilder;
import io.skua.protocol.record.RecordBatchBuilder.KeyValue;
import io.skua.storage.AppendResult;
import io.skua.storage.LogConfig;
import io.skua.storage.log.PartitionLog;
import io.vertx.core.Future;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition's leadership over a real log on disk: the high watermark over the ISR, the effective min ISR, ISR
 * changes asked for, the freeze fence, and the acks=all wait. The cluster side is a {@link ReplicaControl} that records
 * what it is asked (no controller here).
 */
class LeadershipTest {
    private static final int ME = 1;
    @TempDir
    Path dir;
    private IoThreads io;
    private Partition partition;
    private final Control control = new Control();

    @BeforeEach
    void open() {
        io = new IoThreads(1);
        PartitionLog log = PartitionLog.open(dir.resolve("t-0"), LogConfig.fromProperties(Map.of()),
                System::currentTimeMillis);
        partition = new Partition("t", 0, log, io.forPartition("t", 0), io.flusher(), io.delayed());
    }

    @AfterEach
    void close() {
        await(partition.close());
        io.close();
    }

    private Leadership lead(List<Integer> isr, int minIsr) {
        Leadership l = new Leadership(partition, Uuid.randomUuid(), 5, List.of(1, 2, 3), isr, 0, minIsr, control);
        partition.lead(l);
        return l;
    }

    private static ByteBuffer batch(String value) {
        return RecordBatchBuilder.build(List.of(new KeyValue(null, value.getBytes(StandardCharsets.UTF_8))),
                System.currentTimeMillis());
    }

    @Test
    void soleLeadershipCommitsEveryAppendAtOnce() {
        partition.lead(Leadership.sole(partition));

        AppendResult r = await(partition.appendAsLeader(batch("a"), (short) -1, 1_000));

        assertEquals(0, r.firstOffset());
        assertEquals(1, partition.highWatermark());
    }

    @Test
    void highWatermarkIsTheSmallestLogEndOverTheIsr() {
        Leadership l = lead(List.of(1, 2), 2);
        for (int i = 0; i < 3; i++) {
            await(partition.appendAsLeader(batch("r" + i), (short) 1, 1_000));
        }
        assertEquals(0, partition.highWatermark(), "follower 2 has not fetched yet");

        await(l.followerFetched(2, -1, 2));
        assertEquals(2, partition.highWatermark());
        await(l.followerFetched(3, -1, 3)); // not in the ISR: does not hold it back, nor move it
        assertEquals(2, partition.highWatermark());
        await(l.followerFetched(2, -1, 3));
        assertEquals(3, partition.highWatermark());
    }

    @Test
    void highWatermarkStandsStillWhileTheIsrIsBelowTheEffectiveMinimum() {
        Leadership l = lead(List.of(1), 2);
        await(partition.appendAsLeader(batch("a"), (short) 1, 1_000));
        assertEquals(0, partition.highWatermark());
        ApiException refused = failure(partition.appendAsLeader(batch("b"), (short) -1, 1_000));
        assertEquals(Errors.NOT_ENOUGH_REPLICAS, refused.errorCode());

        // the configured minimum drops to 1: the only ISR member commits what it has
        l.minInsyncReplicas(1);
        Await.until("hw moves", Duration.ofSeconds(5), () -> partition.highWatermark() == 1);
    }

    @Test
    void effectiveMinimumIsCappedAtTheReplicaCount() {
        assertEquals(1, Leadership.effectiveMinIsr(2, 1));
        assertEquals(2, Leadership.effectiveMinIsr(2, 3));
        assertEquals(1, Leadership.effectiveMinIsr(0, 3));
    }

    @Test
    void acksAllWaitsForTheIsrThenAnswers() {
        Leadership l = lead(List.of(1, 2), 2);
        Future<AppendResult> pending = partition.appendAsLeader(batch("a"), (short) -1, 30_000);
        Await.until("appended", Duration.ofSeconds(5), () -> partition.logEndOffset() == 1);
        assertFalse(pending.isComplete());

        l.followerFetched(2, -1, 1);

        Await.until("acknowledged", Duration.ofSeconds(5), pending::isComplete);
        assertTrue(pending.succeeded());
    }

    @Test
    void acksAllAnswersNotLeaderWhenLeadershipMovesAndTimesOutOtherwise() {
        lead(List.of(1, 2), 2);
        Future<AppendResult> moved = partition.appendAsLeader(batch("a"), (short) -1, 30_000);
        Await.until("appended", Duration.ofSeconds(5), () -> partition.logEndOffset() == 1);
        partition.follow();
        Await.until("answered", Duration.ofSeconds(5), moved::isComplete);
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, ((ApiException) moved.cause()).errorCode());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER,
                failure(partition.appendAsLeader(batch("b"), (short) 1, 1_000)).errorCode());

        lead(List.of(1, 2), 2);
        ApiException late = failure(partition.appendAsLeader(batch("c"), (short) -1, 50));
        assertEquals(Errors.REQUEST_TIMED_OUT, late.errorCode());
    }

    @Test
    void followerThatReachedTheHighWatermarkIsAskedIntoTheIsrAndCountsAtOnce() {
        Leadership l = lead(List.of(1, 2), 2);
        await(partition.appendAsLeader(batch("a"), (short) 1, 1_000));
        await(l.followerFetched(2, -1, 1));
        assertEquals(1, partition.highWatermark());

        await(l.followerFetched(3, 7, 1));

        ReplicaControl.IsrChange change = control.changes.poll();
        assertEquals(List.of(1, 2, 3), change.isr());
        assertEquals(3, change.added());
        assertEquals(List.of(control.brokerEpoch(ME), -1L, 7L), change.brokerEpochs());
        assertFalse(change.confirm());
        // pending: counted for the high watermark already (Kafka's maximal ISR)
        await(partition.appendAsLeader(batch("b"), (short) 1, 1_000));
        await(l.followerFetched(2, -1, 2));
        assertEquals(1, partition.highWatermark(), "follower 3 is still at 1");
    }

    @Test
    void followerBehindForTheLagTimeIsAskedOutOfTheIsr() {
        control.lagMs = 0;
        Leadership l = lead(List.of(1, 2, 3), 2);
        await(partition.appendAsLeader(batch("a"), (short) 1, 1_000));
        Await.until("time passes", Duration.ofSeconds(5), () -> System.currentTimeMillis() > control.startMs + 5);

        l.onMetadata(List.of(1, 2, 3), 0);

        ReplicaControl.IsrChange change = control.changes.poll();
        assertEquals(List.of(1), change.isr());
        assertNull(change.added());
    }

    @Test
    void afterAFreezeNothingIsAcknowledgedUntilTheControllerConfirms() {
        Leadership l = lead(List.of(1, 2), 2);
        await(partition.appendAsLeader(batch("a"), (short) 1, 1_000));
        control.freezes.incrementAndGet();

        await(l.followerFetched(2, -1, 1));
        assertEquals(0, partition.highWatermark(), "suspect: the high watermark stands still");
        ReplicaControl.IsrChange confirm = control.changes.poll();
        assertTrue(confirm.confirm());
        assertEquals(List.of(1, 2), confirm.isr());

        l.isrChangeDone(confirm, Errors.NONE);
        Await.until("hw moves", Duration.ofSeconds(5), () -> partition.highWatermark() == 1);
    }

    @Test
    void aLeaderTheControllerDeposesRefusesAppends() {
        Leadership l = lead(List.of(1, 2), 2);
        control.freezes.incrementAndGet();
        await(l.followerFetched(2, -1, 0));
        ReplicaControl.IsrChange confirm = control.changes.poll();

        l.isrChangeDone(confirm, Errors.FENCED_LEADER_EPOCH);

        assertTrue(l.deposed());
        ApiException refused = failure(partition.appendAsLeader(batch("a"), (short) 1, 1_000));
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, refused.errorCode());
    }

    private static <T> T await(Future<T> f) {
        Await.until("future", Duration.ofSeconds(10), f::isComplete);
        if (f.failed()) {
            throw new AssertionError(f.cause());
        }
        return f.result();
    }

    private static ApiException failure(Future<?> f) {
        Await.until("future", Duration.ofSeconds(10), f::isComplete);
        assertTrue(f.failed(), "expected a failure");
        return (ApiException) f.cause();
    }

    /** Records the ISR changes asked for; runs follow-ups in place. */
    private static final class Control implements ReplicaControl {
        final ConcurrentLinkedQueue<IsrChange> changes = new ConcurrentLinkedQueue<>();
        final AtomicLong freezes = new AtomicLong();
        final long startMs = System.currentTimeMillis();
        volatile long lagMs = 30_000;

        @Override
        public int nodeId() {
            return ME;
        }

        @Override
        public long brokerEpoch(int brokerId) {
            return brokerId == ME ? 42 : brokerId == 3 ? 7 : -1;
        }

        @Override
        public long replicaLagTimeMaxMs() {
            return lagMs;
        }

        @Override
        public long freezes() {
            return freezes.get();
        }

        @Override
        public void alterIsr(IsrChange change) {
            changes.add(change);
        }

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void metadataStale() {
        }
    }
}
