package io.skua.storage.cleaner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.storage.AbortedTransaction;
import io.skua.storage.AppendOrigin;
import io.skua.storage.Batches;
import io.skua.storage.LogConfig;
import io.skua.storage.load.PartitionCheckpoint;
import io.skua.storage.log.LogTestSupport;
import io.skua.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction of transactional data: aborted records go, markers stay while needed, then go after their horizon. */
class TransactionalCompactionTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;
    final AtomicLong clock = new AtomicLong(T0);
    final LogConfig config = LogConfig.fromProperties(Map.of(LogConfig.SEGMENT_BYTES, "400",
            LogConfig.CLEANUP_POLICY, "compact", LogConfig.DELETE_RETENTION_MS, "1000",
            LogConfig.FILE_DELETE_DELAY_MS, "0", LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.01"));
    PartitionLog log;

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    static SimpleRecord kv(String key, String value) {
        return new SimpleRecord(T0, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    void plain(String key, String value) {
        log.append(MemoryRecords.withRecords(0L, Compression.NONE, kv(key, value)).buffer(), AppendOrigin.CLIENT, 0);
        log.updateHighWatermark(log.logEndOffset());
    }

    void txn(long producerId, int sequence, String key, String value) {
        log.append(MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, sequence,
                kv(key, value)).buffer(), AppendOrigin.CLIENT, 0);
        log.updateHighWatermark(log.logEndOffset());
    }

    void marker(long producerId, boolean commit) {
        log.appendControlMarker(producerId, (short) 0, 0, commit, 0);
        log.updateHighWatermark(log.logEndOffset());
    }

    /** Enough new updates of "filler" to roll the segment, so what came before is inactive and dirty. */
    void roll() {
        int segments = log.segmentCount();
        while (log.segmentCount() == segments) {
            plain("filler", "f" + log.logEndOffset());
        }
    }

    /** key=value of every record, and "marker@offset" of every control batch with a record. */
    List<String> contents() {
        List<String> out = new ArrayList<>();
        for (MutableRecordBatch batch : Batches.parse(LogTestSupport.readAllOf(log))) {
            for (Record r : batch) {
                out.add(batch.isControlBatch() ? "marker@" + r.offset()
                        : StandardCharsets.UTF_8.decode(r.key()) + "=" + StandardCharsets.UTF_8.decode(r.value()));
            }
        }
        out.removeIf(s -> s.startsWith("filler="));
        return out;
    }

    @Test
    void shouldRemoveAbortedRecordsWithoutLosingTheCommittedValuesTheyWouldShadow() throws IOException {
        // Given a committed a=1, an aborted transaction updating a and b, and a committed one writing c
        log = PartitionLog.open(dir, config, clock::get);
        plain("a", "1");
        txn(1, 0, "a", "aborted");
        txn(1, 1, "b", "aborted");
        marker(1, false);                       // offset 3
        txn(2, 0, "c", "committed");
        marker(2, true);                        // offset 5
        txn(1, 2, "e", "later");                // producer 1's last batch is now elsewhere
        marker(1, true);                        // offset 7
        roll();
        LogCompactor compactor = new LogCompactor(Throttler.unlimited(), 1000, 1 << 20, clock::get);

        // When it is cleaned
        compactor.clean(log);

        // Then the aborted records are gone, a keeps its committed value, and every marker is still needed
        assertEquals(List.of("a=1", "marker@3", "c=committed", "marker@5", "e=later", "marker@7"), contents());
        assertEquals(List.of(new AbortedTransaction(1, 1, 3, 4)), log.abortedTransactions(0, log.logEndOffset()),
                "the abort marker stays indexed in the cleaned segment while its batch was in this pass");
        assertEquals(log.highWatermark(), log.lastStableOffset());

        // When cleaned again: the abort marker has no batch left, so it gets a delete horizon but stays
        roll();
        compactor.clean(log);
        assertEquals(List.of("a=1", "marker@3", "c=committed", "marker@5", "e=later", "marker@7"), contents());
        assertEquals(List.of(), log.abortedTransactions(0, log.logEndOffset()));

        // When cleaned after delete.retention.ms
        clock.addAndGet(2_000);
        roll();
        compactor.clean(log);

        // Then the abort marker is gone; the commit markers of transactions with records stay
        assertEquals(List.of("a=1", "c=committed", "marker@5", "e=later", "marker@7"), contents());

        // And a recovery from the cleaned files finds no transaction open
        long hw = log.highWatermark();
        log.close();
        Files.delete(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".snapshot")).toList()) {
                Files.delete(f);
            }
        }
        PartitionCheckpoint.write(dir, 0, 0, hw);
        log = PartitionLog.open(dir, config, clock::get);
        assertEquals(hw, log.lastStableOffset());
    }

    @Test
    void shouldNotCleanPastAnOpenTransaction() {
        // Given a committed a=1 and an open transaction writing a=2, in segments since rolled
        log = PartitionLog.open(dir, config, clock::get);
        plain("a", "1");
        roll();
        long txnStart = log.logEndOffset();
        txn(1, 0, "a", "2");
        roll();
        roll();
        assertEquals(txnStart, log.lastStableOffset());
        LogCompactor compactor = new LogCompactor(Throttler.unlimited(), 1000, 1 << 20, clock::get);

        // When it is cleaned
        compactor.clean(log);

        // Then the open transaction's record neither went nor removed a=1 (it may still be aborted)
        assertTrue(contents().containsAll(List.of("a=1", "a=2")), contents().toString());

        // And once aborted, a later cleaning removes it and keeps a=1
        marker(1, false);
        roll();
        compactor.clean(log);
        assertTrue(contents().contains("a=1"), contents().toString());
        assertTrue(!contents().contains("a=2"), contents().toString());
    }
}
