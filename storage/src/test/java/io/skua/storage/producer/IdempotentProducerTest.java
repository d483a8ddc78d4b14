package io.skua.storage.producer;

import static io.skua.storage.log.LogTestSupport.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.storage.AppendOrigin;
import io.skua.storage.AppendResult;
import io.skua.storage.Batches;
import io.skua.storage.LogConfig;
import io.skua.storage.StorageException.Error;
import io.skua.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdempotentProducerTest {
    @TempDir
    Path dir;
    PartitionLog log;
    final LogConfig config = LogConfig.fromProperties(Map.of(LogConfig.SEGMENT_BYTES, "400"));

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    AppendResult produce(long producerId, int epoch, int sequence, int count) {
        return log.append(Batches.idempotent(producerId, (short) epoch, sequence, count), AppendOrigin.CLIENT, 0);
    }

    @Test
    void shouldReturnOriginalOffsetsForADuplicateAndAppendNothing() {
        log = PartitionLog.open(dir, config, () -> 1L);
        AppendResult first = produce(1, 0, 0, 3);
        produce(1, 0, 3, 2);
        long end = log.logEndOffset();
        long size = log.sizeInBytes();

        AppendResult retry = produce(1, 0, 0, 3);

        assertTrue(retry.duplicate());
        assertEquals(first.firstOffset(), retry.firstOffset());
        assertEquals(first.lastOffset(), retry.lastOffset());
        assertEquals(end, log.logEndOffset());
        assertEquals(size, log.sizeInBytes());
    }

    @Test
    void shouldRememberOnlyTheLastFiveBatches() {
        log = PartitionLog.open(dir, config, () -> 1L);
        for (int i = 0; i < 6; i++) {
            produce(1, 0, i, 1);
        }

        assertTrue(produce(1, 0, 1, 1).duplicate());
        assertError(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> produce(1, 0, 0, 1));
    }

    @Test
    void shouldRejectSequenceGapsStaleEpochsAndNewEpochsNotStartingAtZero() {
        log = PartitionLog.open(dir, config, () -> 1L);
        produce(1, 0, 0, 2);

        assertError(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> produce(1, 0, 5, 1));
        assertError(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> produce(1, 1, 3, 1));
        assertFalse(produce(1, 1, 0, 1).duplicate());
        assertError(Error.INVALID_PRODUCER_EPOCH, () -> produce(1, 0, 2, 1));
        assertEquals(3, log.logEndOffset());
    }

    @Test
    void shouldAcceptAnySequenceFromAnUnknownProducer() {
        log = PartitionLog.open(dir, config, () -> 1L);

        assertEquals(0, produce(7, 4, 42, 1).firstOffset());
        assertEquals(1, produce(7, 4, 43, 1).firstOffset());
    }

    @Test
    void shouldWrapSequencesAtIntegerMaxValue() {
        log = PartitionLog.open(dir, config, () -> 1L);
        produce(1, 0, Integer.MAX_VALUE - 1, 2);

        assertFalse(produce(1, 0, 0, 1).duplicate());
        assertError(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> produce(1, 0, 5, 1));
    }

    @Test
    void shouldRejectAWholeAppendWhenOneBatchIsOutOfSequence() {
        log = PartitionLog.open(dir, config, () -> 1L);
        produce(1, 0, 0, 1);
        ByteBuffer both = Batches.concat(Batches.idempotent(1, (short) 0, 1, 1),
                Batches.idempotent(1, (short) 0, 9, 1));

        assertError(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> log.append(both, AppendOrigin.CLIENT, 0));

        assertEquals(1, log.logEndOffset());
        assertEquals(1, produce(1, 0, 1, 1).firstOffset(), "state unchanged by the failed append");
        ByteBuffer twoGood = Batches.concat(Batches.idempotent(1, (short) 0, 2, 2),
                Batches.idempotent(1, (short) 0, 4, 1));
        assertEquals(4, log.append(twoGood, AppendOrigin.CLIENT, 0).lastOffset());
    }

    @Test
    void shouldSurviveACleanReopen() {
        log = PartitionLog.open(dir, config, () -> 1L);
        AppendResult first = produceMany();
        log.close();

        log = PartitionLog.open(dir, config, () -> 1L);

        assertDuplicateDetected(first);
    }

    @Test
    void shouldRebuildStateAfterACrashFromSnapshotsAndTheLog() throws Exception {
        log = PartitionLog.open(dir, config, () -> 1L);
        AppendResult first = produceMany();
        log.close();
        Files.delete(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE));
        Files.delete(ProducerStateManager.snapshotPath(dir, log.logEndOffset()));

        log = PartitionLog.open(dir, config, () -> 1L);

        assertDuplicateDetected(first);
    }

    @Test
    void shouldRebuildStateFromTheLogAloneWhenNoSnapshotSurvives() throws Exception {
        log = PartitionLog.open(dir, config, () -> 1L);
        AppendResult first = produceMany();
        log.close();
        Files.delete(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".snapshot")).toList()) {
                Files.delete(f);
            }
        }

        log = PartitionLog.open(dir, config, () -> 1L);

        assertDuplicateDetected(first);
    }

    /** Producer 1 appends batches across several segments; returns producer 2's single batch in the first one. */
    private AppendResult produceMany() {
        AppendResult other = produce(2, 5, 100, 2);
        for (int i = 0; i < 12; i++) {
            produce(1, 3, i * 2, 2);
        }
        assertTrue(log.segmentCount() > 2);
        return other;
    }

    private void assertDuplicateDetected(AppendResult other) {
        AppendResult retry = produce(1, 3, 22, 2);
        assertTrue(retry.duplicate());
        assertEquals(log.logEndOffset() - 2, retry.firstOffset());
        assertError(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, () -> produce(1, 3, 30, 1));
        assertError(Error.INVALID_PRODUCER_EPOCH, () -> produce(1, 2, 0, 1));
        AppendResult otherRetry = produce(2, 5, 100, 2);
        assertTrue(otherRetry.duplicate());
        assertEquals(other.firstOffset(), otherRetry.firstOffset());
        assertEquals(log.logEndOffset(), produce(1, 3, 24, 1).firstOffset());
    }
}
