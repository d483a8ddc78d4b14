package io.skua.storage.producer;

import static io.skua.storage.log.LogTestSupport.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.storage.ActiveProducer;
import io.skua.storage.AppendOrigin;
import io.skua.storage.AppendResult;
import io.skua.storage.Batches;
import io.skua.storage.LogConfig;
import io.skua.storage.StorageException.Error;
import io.skua.storage.log.LogTestSupport;
import io.skua.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Producer state of transactional producers: ongoing transactions, markers, the LSO they bound, snapshots. */
class TransactionalProducerTest {
    @TempDir
    Path dir;
    PartitionLog log;
    final LogConfig config = LogConfig.fromProperties(Map.of(LogConfig.SEGMENT_BYTES, "1000"));

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    AppendResult txn(long producerId, int epoch, int sequence, int count) {
        AppendResult r = log.append(Batches.transactional(producerId, (short) epoch, sequence, count),
                AppendOrigin.CLIENT, 0);
        log.updateHighWatermark(log.logEndOffset());
        return r;
    }

    long marker(long producerId, int epoch, int coordinatorEpoch, boolean commit) {
        long offset = log.appendControlMarker(producerId, (short) epoch, coordinatorEpoch, commit, 0);
        log.updateHighWatermark(log.logEndOffset());
        return offset;
    }

    ActiveProducer producer(long producerId) {
        return log.activeProducers().stream().filter(p -> p.producerId() == producerId).findFirst().orElseThrow();
    }

    @Test
    void shouldHoldTheLastStableOffsetAtAnOngoingTransactionUntilItsMarker() {
        // Given a transaction of producer 1 from offset 2, after two plain records
        log = PartitionLog.open(dir, config, () -> 1L);
        log.append(Batches.plain(2, 1L), AppendOrigin.CLIENT, 0);
        txn(1, 0, 0, 3);
        txn(1, 0, 3, 2);

        // Then the LSO stays at its first offset while the high watermark moves on
        assertEquals(7, log.highWatermark());
        assertEquals(2, log.lastStableOffset());
        assertEquals(2, producer(1).currentTxnStartOffset());

        // When the coordinator commits it
        long offset = marker(1, 0, 4, true);

        // Then the marker took the next offset and the LSO follows the high watermark again
        assertEquals(7, offset);
        assertEquals(8, log.lastStableOffset());
        assertEquals(-1, producer(1).currentTxnStartOffset());
        assertEquals(4, producer(1).coordinatorEpoch());
        assertEquals(4, producer(1).lastSequence(), "a marker touches no sequence");
    }

    @Test
    void shouldKeepTheLastStableOffsetUntilTheMarkerIsBelowTheHighWatermark() {
        log = PartitionLog.open(dir, config, () -> 1L);
        txn(1, 0, 0, 3);
        log.appendControlMarker(1, (short) 0, 0, false, 0);

        log.updateHighWatermark(3);
        assertEquals(0, log.lastStableOffset(), "the marker at 3 is not replicated yet");

        log.updateHighWatermark(4);
        assertEquals(4, log.lastStableOffset());
    }

    @Test
    void shouldBoundTheLastStableOffsetByTheOldestOfSeveralTransactions() {
        log = PartitionLog.open(dir, config, () -> 1L);
        txn(1, 0, 0, 1);
        txn(2, 0, 0, 1);
        txn(1, 0, 1, 1);

        marker(1, 0, 0, true);
        assertEquals(1, log.lastStableOffset(), "producer 2's transaction from offset 1 is still open");

        marker(2, 0, 0, false);
        assertEquals(log.highWatermark(), log.lastStableOffset());
    }

    @Test
    void shouldContinueSequencesAfterAMarkerOfTheSameEpoch() {
        log = PartitionLog.open(dir, config, () -> 1L);
        AppendResult last = txn(1, 0, 3, 2);
        marker(1, 0, 0, true);

        assertTrue(txn(1, 0, 3, 2).duplicate(), "the batches before the marker are still remembered");
        assertEquals(last.firstOffset(), txn(1, 0, 3, 2).firstOffset());
        assertError(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> txn(1, 0, 0, 1));
        assertFalse(txn(1, 0, 5, 1).duplicate());
        assertEquals(3, log.lastStableOffset(), "a new transaction started at offset 3");
    }

    @Test
    void shouldRestartSequencesAfterAMarkerThatBumpsTheEpoch() {
        // Given a transaction at epoch 0 ended by a transaction-version-2 marker, which carries epoch 1
        log = PartitionLog.open(dir, config, () -> 1L);
        txn(1, 0, 0, 3);
        marker(1, 1, 0, false);

        // Then the producer is at epoch 1, without batches, and its next batch must start at sequence 0
        assertEquals(1, producer(1).producerEpoch());
        assertEquals(-1, producer(1).lastSequence());
        assertError(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> txn(1, 1, 3, 1));
        assertError(Error.INVALID_PRODUCER_EPOCH, () -> txn(1, 0, 3, 1));
        assertEquals(4, txn(1, 1, 0, 1).firstOffset());
    }

    @Test
    void shouldRejectANonTransactionalBatchDuringATransaction() {
        log = PartitionLog.open(dir, config, () -> 1L);
        txn(1, 0, 0, 1);

        assertError(Error.INVALID_TXN_STATE,
                () -> log.append(Batches.idempotent(1, (short) 0, 1, 1), AppendOrigin.CLIENT, 0));

        marker(1, 0, 0, true);
        assertEquals(2, log.append(Batches.idempotent(1, (short) 0, 1, 1), AppendOrigin.CLIENT, 0).firstOffset());
    }

    @Test
    void shouldFenceMarkersOfOlderProducerOrCoordinatorEpochs() {
        log = PartitionLog.open(dir, config, () -> 1L);
        txn(1, 2, 0, 1);
        marker(1, 2, 5, true);
        txn(1, 2, 1, 1);

        assertError(Error.TRANSACTION_COORDINATOR_FENCED, () -> log.appendControlMarker(1, (short) 2, 4, false, 0));
        assertError(Error.INVALID_PRODUCER_EPOCH, () -> log.appendControlMarker(1, (short) 1, 5, false, 0));
        assertEquals(2, log.lastStableOffset(), "the failed markers changed nothing");
        assertEquals(3, marker(1, 2, 5, false));
    }

    @Test
    void shouldWriteMarkersKafkaClientsRead() {
        log = PartitionLog.open(dir, config, () -> 1L);
        txn(7, 3, 0, 1);

        marker(7, 3, 9, false);

        List<MutableRecordBatch> batches = Batches.parse(LogTestSupport.readAllOf(log));
        MutableRecordBatch control = batches.get(1);
        assertTrue(control.isControlBatch());
        assertTrue(control.isTransactional());
        assertEquals(7, control.producerId());
        assertEquals(3, control.producerEpoch());
        assertEquals(1, control.baseOffset());
        Record record = control.iterator().next();
        EndTransactionMarker decoded = EndTransactionMarker.deserialize(record);
        assertEquals(ControlRecordType.ABORT, decoded.controlType());
        assertEquals(9, decoded.coordinatorEpoch());
    }

    @Test
    void shouldApplyReplicatedMarkersWrittenByKafka() {
        // Given a follower copying a leader's transaction and its commit marker, as kafka-clients writes them
        log = PartitionLog.open(dir, config, () -> 1L);
        ByteBuffer data = Batches.transactional(4, (short) 0, 0, 2);
        log.append(data, AppendOrigin.REPLICATION, 0);
        log.updateHighWatermark(2);
        assertEquals(0, log.lastStableOffset());

        // When the marker arrives
        log.append(Batches.kafkaMarker(2, 4, (short) 0, 1, true), AppendOrigin.REPLICATION, 0);
        log.updateHighWatermark(3);

        // Then the transaction is over
        assertEquals(3, log.lastStableOffset());
        assertEquals(1, producer(4).coordinatorEpoch());
    }

    @Test
    void shouldKeepAnOngoingTransactionAcrossACleanReopen() {
        log = PartitionLog.open(dir, config, () -> 1L);
        log.append(Batches.plain(3, 1L), AppendOrigin.CLIENT, 0);
        txn(1, 0, 0, 2);
        log.close();

        log = PartitionLog.open(dir, config, () -> 1L);

        assertEquals(3, log.lastStableOffset());
        assertEquals(3, producer(1).currentTxnStartOffset());
        marker(1, 0, 0, true);
        assertEquals(log.highWatermark(), log.lastStableOffset());
    }

    @Test
    void shouldRebuildAnOngoingTransactionFromTheLogAfterACrash() throws Exception {
        // Given a transaction spanning segments (snapshots at each roll), and a crash without snapshot at the end
        log = PartitionLog.open(dir, config, () -> 1L);
        txn(2, 0, 0, 1);
        for (int i = 0; i < 30; i++) {
            txn(1, 0, i, 1);
        }
        marker(2, 0, 0, false);
        assertTrue(log.segmentCount() > 2);
        long end = log.logEndOffset();
        log.close();
        Files.delete(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE));
        Files.delete(ProducerStateManager.snapshotPath(dir, end));

        // When it is reopened
        log = PartitionLog.open(dir, config, () -> 1L);

        // Then producer 1's transaction from offset 1 is open, producer 2's is over
        assertEquals(1, log.lastStableOffset());
        assertEquals(-1, producer(2).currentTxnStartOffset());
        assertTrue(txn(1, 0, 29, 1).duplicate());
    }

    @Test
    void shouldLoadVersion1Snapshots() throws Exception {
        // Given a log closed cleanly whose snapshot is rewritten in the format before transactions
        log = PartitionLog.open(dir, config, () -> 1L);
        log.append(Batches.idempotent(5, (short) 2, 0, 3), AppendOrigin.CLIENT, 0);
        log.close();
        ByteBuffer v1 = ByteBuffer.allocate(8 + 14 + 32 + 4);
        v1.putInt(1).putInt(1).putLong(5).putShort((short) 2).putInt(1)
                .putInt(0).putInt(2).putLong(0).putLong(2).putLong(4_242L);
        CRC32C crc = new CRC32C();
        crc.update(v1.array(), 0, v1.position());
        v1.putInt((int) crc.getValue());
        Files.write(ProducerStateManager.snapshotPath(dir, 3), v1.array());

        // When it is reopened
        log = PartitionLog.open(dir, config, () -> 1L);

        // Then the producer is known from the snapshot, without a transaction
        AppendResult retry = log.append(Batches.idempotent(5, (short) 2, 0, 3), AppendOrigin.CLIENT, 0);
        assertTrue(retry.duplicate());
        assertEquals(new ActiveProducer(5, (short) 2, 2, 4_242L, 2), producer(5), "read from the snapshot");
    }
}
