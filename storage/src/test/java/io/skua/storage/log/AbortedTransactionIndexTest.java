package io.skua.storage.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.storage.AbortedTransaction;
import io.skua.storage.AppendOrigin;
import io.skua.storage.Batches;
import io.skua.storage.LogConfig;
import io.skua.storage.load.PartitionCheckpoint;
import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The aborted-transaction index ({@code .txnindex}) through the partition log: writes, queries, recovery, removal. */
class AbortedTransactionIndexTest {
    @TempDir
    Path dir;
    PartitionLog log;
    final LogConfig config = LogConfig.fromProperties(Map.of(LogConfig.SEGMENT_BYTES, "1000",
            LogConfig.FILE_DELETE_DELAY_MS, "0"));

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    void txn(long producerId, int sequence) {
        log.append(Batches.transactional(producerId, (short) 0, sequence, 1), AppendOrigin.CLIENT, 0);
        log.updateHighWatermark(log.logEndOffset());
    }

    long marker(long producerId, boolean commit) {
        long offset = log.appendControlMarker(producerId, (short) 0, 0, commit, 0);
        log.updateHighWatermark(log.logEndOffset());
        return offset;
    }

    /**
     * Producer 1: offsets 0, 2, abort at 4. Producer 2: offset 1, 3, commit at 5. Producer 3: 6, 7, abort at 8. Then
     * plain records 9..18, so segments roll.
     */
    void threeTransactions() {
        txn(1, 0);
        txn(2, 0);
        txn(1, 1);
        txn(2, 1);
        assertEquals(4, marker(1, false));
        assertEquals(5, marker(2, true));
        txn(3, 0);
        txn(3, 1);
        assertEquals(8, marker(3, false));
        for (int i = 0; i < 10; i++) {
            log.append(Batches.plain(1, 1L), AppendOrigin.CLIENT, 0);
        }
        log.updateHighWatermark(log.logEndOffset());
    }

    static final AbortedTransaction FIRST = new AbortedTransaction(1, 0, 4, 1);
    static final AbortedTransaction THIRD = new AbortedTransaction(3, 6, 8, 9);

    @Test
    void shouldAnswerWhichAbortedTransactionsOverlapAFetch() {
        log = PartitionLog.open(dir, config, () -> 1L);

        threeTransactions();

        assertEquals(List.of(FIRST, THIRD), log.abortedTransactions(0, 19));
        assertEquals(List.of(FIRST), log.abortedTransactions(0, 5), "stops at an entry whose LSO reaches the bound");
        assertEquals(List.of(FIRST, THIRD), log.abortedTransactions(4, 7));
        assertEquals(List.of(THIRD), log.abortedTransactions(5, 19));
        assertEquals(List.of(), log.abortedTransactions(9, 19));
        assertEquals(List.of(), log.abortedTransactions(3, 3));
        assertEquals(log.highWatermark(), log.lastStableOffset());
    }

    @Test
    void shouldKeepTheIndexInTheMarkersSegmentFileAcrossACleanReopen() throws IOException {
        log = PartitionLog.open(dir, config, () -> 1L);
        threeTransactions();
        assertTrue(log.segmentCount() > 1);
        log.close();

        assertEquals(1, txnIndexFiles().size(), "only the segment holding the abort markers has an index");
        log = PartitionLog.open(dir, config, () -> 1L);

        assertEquals(List.of(FIRST, THIRD), log.abortedTransactions(0, 19));
    }

    @Test
    void shouldRebuildTheIndexWhenRecoveringAfterACrash() throws IOException {
        // Given a crash that lost the index files, with everything after offset 0 to be verified again
        log = PartitionLog.open(dir, config, () -> 1L);
        threeTransactions();
        log.close();
        Files.delete(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE));
        for (Path f : txnIndexFiles()) {
            Files.delete(f);
        }
        PartitionCheckpoint.write(dir, 0, 0, 19);

        // When it is reopened
        log = PartitionLog.open(dir, config, () -> 1L);

        // Then the index is back, written to the segment holding the markers
        assertEquals(List.of(FIRST, THIRD), log.abortedTransactions(0, 19));
        assertEquals(1, txnIndexFiles().size());
    }

    @Test
    void shouldNotDuplicateEntriesWhenRecoveringFromASnapshotBelowTheIndexedSegments() throws IOException {
        // Given a crash after markers in a segment that is not recovered (below the recovery point)
        log = PartitionLog.open(dir, config, () -> 1L);
        threeTransactions();
        log.flush();
        long end = log.logEndOffset();
        log.append(Batches.transactional(9, (short) 0, 0, 1), AppendOrigin.CLIENT, 0);
        log.appendControlMarker(9, (short) 0, 0, false, 0);
        log.updateHighWatermark(log.logEndOffset());
        log.close();
        Files.delete(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE));
        PartitionCheckpoint.write(dir, end, 0, end);

        log = PartitionLog.open(dir, config, () -> 1L);

        assertEquals(List.of(FIRST, THIRD, new AbortedTransaction(9, end, end + 1, end + 2)),
                log.abortedTransactions(0, end + 2));
    }

    @Test
    void shouldDropEntriesTruncatedAwayAndReopenTheirTransaction() {
        log = PartitionLog.open(dir, config, () -> 1L);
        threeTransactions();

        log.truncateTo(8);

        assertEquals(List.of(FIRST), log.abortedTransactions(0, 8));
        assertEquals(6, log.lastStableOffset(), "producer 3's transaction is open again");
        assertEquals(8, log.appendControlMarker(3, (short) 0, 0, false, 0));
        log.updateHighWatermark(9);
        assertEquals(List.of(FIRST, THIRD), log.abortedTransactions(0, 9));
    }

    @Test
    void shouldDeleteTheIndexWithItsSegment() throws IOException {
        log = PartitionLog.open(dir, config, () -> 1L);
        threeTransactions();
        long secondBase = log.segmentBaseOffsets().get(1);
        assertTrue(secondBase > 8, "the markers are all in the first segment");

        log.deleteRecordsBefore(secondBase);
        log.applyRetention(2L);

        assertEquals(List.of(), txnIndexFiles());
        assertEquals(List.of(), log.abortedTransactions(secondBase, 19));
    }

    @Test
    void shouldIndexReplicatedAbortMarkersLikeTheLeader() {
        // Given a leader's log with three transactions
        log = PartitionLog.open(dir.resolve("leader"), config, () -> 1L);
        threeTransactions();
        ByteBuffer all = LogTestSupport.readAllOf(log);

        // When a follower copies it
        PartitionLog follower = PartitionLog.open(dir.resolve("follower"), LogConfig.DEFAULT, () -> 1L);
        try {
            follower.append(all, AppendOrigin.REPLICATION, 0);
            follower.updateHighWatermark(follower.logEndOffset());

            // Then it has the same index and LSO
            assertEquals(List.of(FIRST, THIRD), follower.abortedTransactions(0, 19));
            assertEquals(19, follower.lastStableOffset());
        } finally {
            follower.close();
        }
    }

    @Test
    void shouldClampTheLastStableOffsetToTheLogStart() {
        log = PartitionLog.open(dir, config, () -> 1L);
        log.append(Batches.plain(3, 1L), AppendOrigin.CLIENT, 0);
        txn(1, 0);
        log.append(Batches.plain(3, 1L), AppendOrigin.CLIENT, 0);
        log.updateHighWatermark(log.logEndOffset());
        assertEquals(3, log.lastStableOffset());

        log.deleteRecordsBefore(5);

        assertEquals(5, log.lastStableOffset());
        assertFalse(log.abortedTransactions(5, 7).iterator().hasNext());
    }

    private List<Path> txnIndexFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().contains(Segment.TXN_INDEX_SUFFIX)).toList();
        }
    }
}
