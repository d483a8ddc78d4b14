package io.skua.storage.cleaner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.storage.ActiveProducer;
import io.skua.storage.AppendOrigin;
import io.skua.storage.Batches;
import io.skua.storage.LogConfig;
import io.skua.storage.StorageException;
import io.skua.storage.log.LogTestSupport;
import io.skua.storage.log.SwapStep;
import io.skua.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compaction on real files: 10,000 updates over 100 keys (about 5% tombstones) in batches of 10, built and read
 * back with kafka-clients, so every rewritten batch must be one Kafka's consumer accepts.
 */
class LogCompactorTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final int UPDATES = 10_000;
    private static final int KEYS = 100;
    private static final int PER_BATCH = 10;

    @TempDir
    Path dir;

    final AtomicLong clock = new AtomicLong(T0 + 10_000);
    /** key -> [offset, value] of its newest update; value null for a deleted key. */
    final Map<String, Object[]> expected = new HashMap<>();

    LogConfig config(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(Map.of(LogConfig.SEGMENT_BYTES, "8192",
                LogConfig.CLEANUP_POLICY, "compact", LogConfig.DELETE_RETENTION_MS, "0",
                LogConfig.SEGMENT_MS, "86400000", LogConfig.INDEX_INTERVAL_BYTES, "512"));
        m.putAll(extra);
        return LogConfig.fromProperties(m);
    }

    /** Appends the updates and one later batch that rolls the segment, so every update is in an inactive segment. */
    PartitionLog fill(Compression compression, LogConfig config) {
        PartitionLog log = PartitionLog.open(dir, config, clock::get);
        Random random = new Random(7);
        long offset = 0;
        for (int b = 0; b < UPDATES / PER_BATCH; b++) {
            SimpleRecord[] records = new SimpleRecord[PER_BATCH];
            for (int i = 0; i < PER_BATCH; i++) {
                String key = "key-" + random.nextInt(KEYS);
                String value = random.nextInt(20) == 0 ? null : "value-" + offset;
                records[i] = new SimpleRecord(T0 + offset, key.getBytes(StandardCharsets.UTF_8),
                        value == null ? null : value.getBytes(StandardCharsets.UTF_8));
                expected.put(key, new Object[]{offset, value, T0 + offset});
                offset++;
            }
            log.append(MemoryRecords.withRecords(0L, compression, records).buffer(), AppendOrigin.CLIENT, 0);
        }
        SimpleRecord marker = new SimpleRecord(T0 + 3 * 86_400_000L, "marker".getBytes(), "m".getBytes());
        log.append(MemoryRecords.withRecords(0L, Compression.NONE, marker).buffer(), AppendOrigin.CLIENT, 0);
        expected.put("marker", new Object[]{offset, "m", T0 + 3 * 86_400_000L});
        log.updateHighWatermark(log.logEndOffset());
        return log;
    }

    static LogCompactor compactor(AtomicLong clock) {
        return new LogCompactor(Throttler.unlimited(), 10_000, 1 << 20, clock::get);
    }

    /** Every record of the log from its start, read with kafka-clients (CRC checked, payload inflated). */
    static List<Record> readAll(PartitionLog log) {
        ByteBuffer all = LogTestSupport.readAllOf(log);
        List<Record> out = new ArrayList<>();
        for (MutableRecordBatch batch : Batches.parse(all)) {
            for (Record r : batch) {
                out.add(r);
            }
        }
        return out;
    }

    static String str(ByteBuffer b) {
        return b == null ? null : StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    /** Asserts that the log holds exactly the newest value of each live key, at its original offset. */
    void assertCompacted(List<Record> records) {
        Map<String, Object[]> live = new LinkedHashMap<>();
        expected.forEach((k, v) -> {
            if (v[1] != null) {
                live.put(k, v);
            }
        });
        Map<String, Record> seen = new HashMap<>();
        long previous = -1;
        for (Record r : records) {
            assertTrue(r.offset() > previous, "offsets ascend");
            previous = r.offset();
            String key = str(r.key());
            assertNotNull(r.value(), "no tombstone left for " + key);
            assertFalse(seen.containsKey(key), "one record for " + key);
            seen.put(key, r);
        }
        assertEquals(live.keySet(), seen.keySet());
        live.forEach((k, v) -> {
            assertEquals(v[1], str(seen.get(k).value()), k);
            assertEquals((long) v[0], seen.get(k).offset(), k);
            assertEquals((long) v[2], seen.get(k).timestamp(), "timestamp of " + k);
        });
    }

    /** Newest state per key of whatever the log holds (tombstones delete), for logs compacted or not. */
    static Map<String, String> state(List<Record> records) {
        Map<String, String> state = new HashMap<>();
        for (Record r : records) {
            if (r.value() == null) {
                state.remove(str(r.key()));
            } else {
                state.put(str(r.key()), str(r.value()));
            }
        }
        return state;
    }

    Map<String, String> expectedState() {
        Map<String, String> state = new HashMap<>();
        expected.forEach((k, v) -> {
            if (v[1] != null) {
                state.put(k, (String) v[1]);
            }
        });
        return state;
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void shouldKeepOnlyTheNewestValueOfEachLiveKeyWithEveryCodec(String codec) {
        // Given a compacted topic's log of 10,000 updates, all in inactive segments
        PartitionLog log = fill(Compression.of(codec).build(), config(Map.of()));
        int segmentsBefore = log.segmentCount();
        long sizeBefore = log.sizeInBytes();
        long endBefore = log.logEndOffset();

        // When it is cleaned
        LogCompactor.Result result = compactor(clock).clean(log);

        // Then a full read gives exactly the newest value per live key, at its original offset
        assertCompacted(readAll(log));
        assertTrue(result.segmentsAfter() < result.segmentsBefore(), result.toString());
        assertTrue(log.segmentCount() < segmentsBefore);
        assertTrue(log.sizeInBytes() < sizeBefore / 10, log.sizeInBytes() + " of " + sizeBefore);
        assertEquals(endBefore, log.logEndOffset());
        assertEquals(0, log.logStartOffset());

        // and the result survives a restart, after which the log takes appends as before
        log.close();
        PartitionLog reopened = PartitionLog.open(dir, log.config(), clock::get);
        assertCompacted(readAll(reopened));
        reopened.append(Batches.plain(1, T0), AppendOrigin.CLIENT, 0);
        assertEquals(endBefore + 1, reopened.logEndOffset());
        reopened.close();
    }

    @Test
    void shouldNotCleanAgainUntilTheDirtyRatioIsReached() {
        PartitionLog log = fill(Compression.NONE, config(Map.of(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.9")));
        LogCompactor compactor = compactor(clock);
        assertTrue(compactor.clean(log).segmentsBefore() > 0);
        // Nothing new is dirty: a second pass has nothing to do
        assertEquals(LogCompactor.Result.NOTHING, compactor.clean(log));
        log.close();
    }

    @Test
    void shouldHonourMinCompactionLag() {
        // Given records a day old at most and a lag of ten days
        PartitionLog log = fill(Compression.NONE, config(Map.of(LogConfig.MIN_COMPACTION_LAG_MS, "864000000")));
        long size = log.sizeInBytes();
        assertEquals(LogCompactor.Result.NOTHING, compactor(clock).clean(log));
        assertEquals(size, log.sizeInBytes());
        // When the clock passes the lag, the cleaner cleans
        clock.set(T0 + 20L * 86_400_000L);
        assertTrue(compactor(clock).clean(log).segmentsBefore() > 0);
        assertCompacted(readAll(log));
        log.close();
    }

    @Test
    void shouldKeepTombstonesForDeleteRetentionThenDropThem() {
        PartitionLog log = fill(Compression.NONE, config(Map.of(LogConfig.DELETE_RETENTION_MS, "60000")));
        LogCompactor compactor = compactor(clock);
        compactor.clean(log);
        List<Record> first = readAll(log);
        assertTrue(first.stream().anyMatch(r -> r.value() == null), "tombstones kept within delete.retention.ms");
        assertEquals(expectedState(), state(first));
        // and their records keep their timestamps although the batches now carry a delete horizon
        for (Record r : first) {
            String key = str(r.key());
            assertEquals((long) expected.get(key)[2], r.timestamp(), key);
        }
        clock.addAndGet(60_001);
        assertTrue(compactor.clean(log).segmentsBefore() > 0, "the passed horizon makes the log cleanable");
        assertCompacted(readAll(log));
        log.close();
    }

    @Test
    void shouldKeepTheLastBatchOfEachProducer() throws IOException {
        // Given an idempotent producer whose only batch is wholly superseded by later (plain) updates
        PartitionLog log = PartitionLog.open(dir, config(Map.of()), clock::get);
        log.append(MemoryRecords.withIdempotentRecords(0L, Compression.NONE, 42L, (short) 3, 0, -1,
                new SimpleRecord(T0, "a".getBytes(), "1".getBytes())).buffer(), AppendOrigin.CLIENT, 0);
        log.append(MemoryRecords.withRecords(0L, Compression.NONE,
                new SimpleRecord(T0, "a".getBytes(), "2".getBytes())).buffer(), AppendOrigin.CLIENT, 0);
        log.append(MemoryRecords.withRecords(0L, Compression.NONE,
                new SimpleRecord(T0 + 3 * 86_400_000L, "b".getBytes(), "3".getBytes())).buffer(), AppendOrigin.CLIENT, 0);
        log.updateHighWatermark(log.logEndOffset());
        assertEquals(2, log.segmentCount());

        compactor(clock).clean(log);

        // Then the producer's batch survives empty, so its sequence survives recovery
        List<MutableRecordBatch> batches = Batches.parse(LogTestSupport.readAllOf(log));
        assertEquals(42L, batches.get(0).producerId());
        assertEquals(0, batches.get(0).countOrNull());
        assertEquals(0, batches.get(0).lastSequence());
        log.close();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path snapshot : files.filter(p -> p.toString().endsWith(".snapshot")).toList()) {
                Files.delete(snapshot); // producer state must come from the log itself
            }
        }
        PartitionLog reopened = PartitionLog.open(dir, log.config(), clock::get);
        assertEquals(List.of(new ActiveProducer(42L, (short) 3, 0, T0, 0)), reopened.activeProducers());
        reopened.close();
    }

    @ParameterizedTest
    @EnumSource(SwapStep.class)
    void shouldRecoverToAConsistentLogAfterACrashDuringTheSwap(SwapStep crashAt) throws IOException {
        // Given a log whose cleaning crashes at a step of the swap
        PartitionLog log = fill(Compression.lz4().build(), config(Map.of()));
        long end = log.logEndOffset();
        LogCompactor crashing = new LogCompactor(Throttler.unlimited(), 10_000, 1 << 20, clock::get, step -> {
            if (step == crashAt) {
                throw new IOException("crash at " + step);
            }
        });
        assertThrows(StorageException.class, () -> crashing.clean(log));

        // When the log is opened again (the crashed instance is abandoned, not closed)
        PartitionLog reopened = PartitionLog.open(dir, log.config(), clock::get);
        reopened.updateHighWatermark(reopened.logEndOffset()); // as the broker does for a single node

        // Then it is consistent: the same newest state, offsets ascending, the same end, no leftover files
        List<Record> records = readAll(reopened);
        assertEquals(expectedState(), state(records));
        assertEquals(end, reopened.logEndOffset());
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.map(p -> p.getFileName().toString())
                    .noneMatch(n -> n.endsWith(".swap") || n.endsWith(".cleaned")), "no swap or cleaned files");
        }
        // and cleaning it again gives the fully compacted log
        compactor(clock).clean(reopened);
        assertCompacted(readAll(reopened));
        reopened.close();
    }

    @Test
    void shouldDiscardCleanedFilesOfACleaningThatNeverSwapped() throws IOException {
        PartitionLog log = fill(Compression.NONE, config(Map.of()));
        LogCompactor compactor = compactor(clock);
        LogCompactor.Cleaned cleaned = compactor.build(compactor.plan(log).orElseThrow());
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.anyMatch(p -> p.toString().endsWith(".log.cleaned")));
        }
        // a crash here leaves .cleaned files: reopening removes them and keeps the log as it was
        PartitionLog reopened = PartitionLog.open(dir, log.config(), clock::get);
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".cleaned")));
        }
        assertEquals(expectedState(), state(readAll(reopened)));
        assertEquals(UPDATES + 1, readAll(reopened).size());
        reopened.close();
        cleaned.discard();
    }

    @Test
    void shouldRefuseToSwapSegmentsThatRetentionRemovedMeanwhile() throws IOException {
        PartitionLog log = fill(Compression.NONE, config(Map.of()));
        LogCompactor compactor = compactor(clock);
        LogCompactor.Cleaned cleaned = compactor.build(compactor.plan(log).orElseThrow());
        log.deleteRecordsBefore(5000); // removes the first segments while the cleaned ones wait
        assertEquals(LogCompactor.Result.NOTHING, compactor.swap(log, cleaned));
        cleaned.discard();
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".cleaned")));
        }
        assertEquals(UPDATES + 1 - 5000, readAll(log).stream().filter(r -> r.offset() >= 5000).count());
        log.close();
    }
}
