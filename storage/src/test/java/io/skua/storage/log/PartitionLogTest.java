package io.skua.storage.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.protocol.record.RecordBatch;
import io.skua.storage.AppendOrigin;
import io.skua.storage.AppendResult;
import io.skua.storage.Batches;
import io.skua.storage.FetchSlice;
import io.skua.storage.LogConfig;
import io.skua.storage.StorageException.Error;
import io.skua.storage.StorageException;
import io.skua.storage.TimestampOffset;
import io.skua.storage.segment.TailBytes;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
    @TempDir
    Path dir;
    final AtomicLong clock = new AtomicLong(1_000_000L);
    final List<PartitionLog> opened = new ArrayList<>();

    PartitionLog open(LogConfig config) {
        PartitionLog log = PartitionLog.open(dir, config, clock::get);
        opened.add(log);
        return log;
    }

    static LogConfig config(Map<String, String> overrides) {
        return LogConfig.fromProperties(overrides);
    }

    @AfterEach
    void closeAll() {
        for (PartitionLog log : opened) {
            try {
                log.close();
            } catch (RuntimeException ignored) {
                // some tests leave logs half-broken on purpose
            }
        }
    }

    AppendResult appendAndCommit(PartitionLog log, ByteBuffer batch) {
        AppendResult result = log.append(batch, AppendOrigin.CLIENT, 3);
        log.updateHighWatermark(log.logEndOffset());
        return result;
    }

    @Test
    void shouldAssignOffsetsStampLeaderEpochAndReadBackValidBatches() {
        PartitionLog log = open(LogConfig.DEFAULT);

        AppendResult a = appendAndCommit(log, Batches.plain(3, 100));
        AppendResult b = appendAndCommit(log, Batches.gzip(5, 200));
        AppendResult c = appendAndCommit(log, Batches.plain(1, 300));

        assertEquals(List.of(0L, 2L, 3L, 7L, 8L, 8L),
                List.of(a.firstOffset(), a.lastOffset(), b.firstOffset(), b.lastOffset(), c.firstOffset(),
                        c.lastOffset()));
        assertEquals(-1, a.logAppendTime());
        assertFalse(a.duplicate());
        assertEquals(9, log.logEndOffset());
        FetchSlice slice = log.read(0, Integer.MAX_VALUE, log.highWatermark());
        List<MutableRecordBatch> batches = Batches.parse(slice.readAll());
        assertEquals(List.of(0L, 3L, 8L), batches.stream().map(MutableRecordBatch::baseOffset).toList());
        batches.forEach(batch -> assertEquals(3, batch.partitionLeaderEpoch()));
        assertEquals(LongStream.range(0, 9).boxed().toList(), Batches.offsets(slice.readAll()));
    }

    @Test
    void shouldReadFromTheStartOfEveryRecentBatchAlsoAfterATruncation() {
        // Given twenty 3-record batches, fewer bytes than one index interval: the index has no entry for them
        PartitionLog log = open(LogConfig.DEFAULT);
        for (int i = 0; i < 20; i++) {
            appendAndCommit(log, Batches.plain(3, 100));
        }
        int oneBatch = Batches.plain(3, 100).remaining();
        // Then a fetch from each batch's start gets it and everything after, or only it when that is all that fits
        for (long start = 0; start < 60; start += 3) {
            assertEquals(LongStream.range(start, 60).boxed().toList(), Batches.offsets(log.read(start, 1 << 20, 60).readAll()));
            assertEquals(List.of(start, start + 1, start + 2), Batches.offsets(log.read(start, oneBatch, 60).readAll()));
        }
        // When the log is truncated into the middle and batches of another shape are appended
        log.truncateTo(30);
        for (int i = 0; i < 5; i++) {
            appendAndCommit(log, Batches.withValueSize(2, 200, 40));
        }
        // Then reads see the new batches, whether from a batch start or from its middle
        assertEquals(LongStream.range(30, 40).boxed().toList(), Batches.offsets(log.read(30, 1 << 20, 40).readAll()));
        List<MutableRecordBatch> fromMiddle = Batches.parse(log.read(33, 1 << 20, 40).readAll());
        assertEquals(32L, fromMiddle.get(0).baseOffset());
        assertTrue(fromMiddle.get(0).iterator().next().value().remaining() > 40, "a value of the new shape");
        assertEquals(List.of(36L, 37L), Batches.offsets(log.read(36, oneBatch, 38).readAll()));
    }

    @Test
    void shouldAnswerTailReadsFromMemoryExactlyAsFromTheFile() {
        // Given ten 2-record batches
        PartitionLog log = open(LogConfig.DEFAULT);
        for (int i = 0; i < 10; i++) {
            appendAndCommit(log, Batches.plain(2, 100));
        }
        int oneBatch = Batches.plain(2, 100).remaining();
        // Then at the end there is nothing, and from a recent batch start it is the same bytes the file read gives
        assertTrue(log.readFromMemory(20, 1 << 20, 20).isEmpty());
        for (long start = 2; start < 20; start += 2) {
            FetchSlice fromMemory = log.readFromMemory(start, 1 << 20, 20);
            assertEquals(log.read(start, 1 << 20, 20).readAll(), fromMemory.readAll());
            assertEquals(LongStream.range(start, 20).boxed().toList(), Batches.offsets(fromMemory.readAll()));
        }
        // And what needs the file is left to it: the middle of a batch, too little room, a bound below the end,
        // an offset out of range
        assertNull(log.readFromMemory(3, 1 << 20, 20));
        assertNull(log.readFromMemory(2, oneBatch, 20));
        assertNull(log.readFromMemory(2, 1 << 20, 10));
        assertNull(log.readFromMemory(21, 1 << 20, 21));
    }

    @Test
    void shouldCopySmallTailReadsFromMemoryAndSeeTheNewBytesAfterATruncation() {
        // Given a log of 2-record batches
        PartitionLog log = open(LogConfig.DEFAULT);
        for (int i = 0; i < 10; i++) {
            appendAndCommit(log, Batches.plain(2, 100));
        }
        // Then a small tail read comes copied from memory, with the file's bytes
        FetchSlice small = log.readFromMemory(16, 1 << 20, 20);
        assertTrue(small.inMemory());
        assertEquals(log.read(16, 1 << 20, 20).readAll(), small.readAll());
        // When the log is truncated into the tail and batches of another shape are appended
        log.truncateTo(14);
        appendAndCommit(log, Batches.withValueSize(3, 200, 50));
        appendAndCommit(log, Batches.withValueSize(3, 200, 50));
        // Then the copy from memory holds the new batches, not the truncated ones
        FetchSlice after = log.readFromMemory(17, 1 << 20, 20);
        assertTrue(after.inMemory());
        assertEquals(log.read(17, 1 << 20, 20).readAll(), after.readAll());
        assertEquals(List.of(17L, 18L, 19L), Batches.offsets(after.readAll()));
        // And a tail larger than the ring is a file region with the same bytes
        appendAndCommit(log, Batches.withValueSize(5, 300, TailBytes.CAPACITY));
        appendAndCommit(log, Batches.plain(1, 300));
        FetchSlice large = log.readFromMemory(20, 1 << 20, 26);
        assertFalse(large.inMemory());
        assertEquals(List.of(20L, 21L, 22L, 23L, 24L, 25L), Batches.offsets(large.readAll()));
        FetchSlice last = log.readFromMemory(25, 1 << 20, 26);
        assertTrue(last.inMemory());
        assertEquals(log.read(25, 1 << 20, 26).readAll(), last.readAll());
    }

    @Test
    void shouldLeaveTheFsyncOfRolledSegmentsToTheFlusherAndMoveTheRecoveryPointOnlyAfterIt() {
        // Given a log that rolled twice: the rolled segments are not fsynced by the roll
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, "300")));
        while (log.segmentCount() < 3) {
            appendAndCommit(log, Batches.plain(3, 100));
        }
        long activeBase = log.logEndOffset() - 3;
        assertTrue(log.hasUnflushedRolledSegments());
        assertTrue(log.recoveryPoint() < activeBase);
        // When the flusher fsyncs them and the writer takes the result
        PartitionLog.RolledFlush flushed = log.flushRolledSegments();
        assertEquals(activeBase, flushed.through());
        log.advanceRecoveryPoint(flushed);
        // Then the recovery point is the active segment's base, and nothing is left to flush
        assertEquals(activeBase, log.recoveryPoint());
        assertFalse(log.hasUnflushedRolledSegments());

        // And a flush that raced a truncation is not taken as durable
        while (log.segmentCount() < 5) {
            appendAndCommit(log, Batches.plain(3, 100));
        }
        PartitionLog.RolledFlush beforeTruncation = log.flushRolledSegments();
        long before = log.recoveryPoint();
        log.truncateTo(activeBase + 3);
        log.advanceRecoveryPoint(beforeTruncation);
        assertEquals(before, log.recoveryPoint());
        assertTrue(log.recoveryPoint() <= log.logEndOffset());
    }

    @Test
    void shouldReturnTheWholeBatchWhenFetchingFromItsMiddle() {
        PartitionLog log = open(LogConfig.DEFAULT);
        appendAndCommit(log, Batches.plain(4, 100));
        appendAndCommit(log, Batches.plain(4, 100));

        List<MutableRecordBatch> batches = Batches.parse(log.read(6, Integer.MAX_VALUE, 8).readAll());

        assertEquals(1, batches.size());
        assertEquals(4, batches.get(0).baseOffset());
    }

    @Test
    void shouldReturnTheFirstBatchWholeEvenWhenLargerThanMaxBytes() {
        PartitionLog log = open(LogConfig.DEFAULT);
        int size = Batches.plain(10, 1).remaining();
        for (int i = 0; i < 5; i++) {
            appendAndCommit(log, Batches.plain(10, 1));
        }

        assertEquals(size, log.read(0, 1, 50).sizeInBytes());
        assertEquals(size * 2, log.read(0, size * 3 - 1, 50).sizeInBytes());
        assertEquals(size * 3, log.read(15, size * 3, 50).sizeInBytes());
        assertEquals(List.of(10L, 20L, 30L), Batches.parse(log.read(15, size * 3, 50).readAll()).stream()
                .map(MutableRecordBatch::baseOffset).toList());
    }

    @Test
    void shouldFillUpToMaxBytesWithWholeBatchesWhateverTheIndexSays() {
        for (String interval : List.of("0", "100", "4096")) {
            Path sub = dir.resolve("interval-" + interval);
            PartitionLog log = PartitionLog.open(sub, config(Map.of(LogConfig.INDEX_INTERVAL_BYTES, interval)),
                    clock::get);
            opened.add(log);
            List<Integer> sizes = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ByteBuffer batch = Batches.withValueSize(1 + i % 3, i, (i * 37) % 90);
                sizes.add(batch.remaining());
                appendAndCommit(log, batch);
            }
            for (int maxBytes = 1; maxBytes < 3000; maxBytes += 7) {
                for (long bound : List.of(log.logEndOffset(), 40L)) {
                    assertEquals(expectedSlice(log, sizes, maxBytes, bound), log.read(0, maxBytes, bound).sizeInBytes(),
                            "interval " + interval + ", maxBytes " + maxBytes + ", bound " + bound);
                }
            }
        }
    }

    /** Greedy whole batches from offset 0: the first always, then while within maxBytes and below the bound. */
    private static int expectedSlice(PartitionLog log, List<Integer> sizes, int maxBytes, long bound) {
        ByteBuffer all = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).readAll();
        List<MutableRecordBatch> batches = Batches.parse(all);
        int total = 0;
        for (int i = 0; i < batches.size(); i++) {
            if (batches.get(i).lastOffset() >= bound || (i > 0 && total + sizes.get(i) > maxBytes)) {
                break;
            }
            total += sizes.get(i);
        }
        return total;
    }

    @Test
    void shouldNeverReturnRecordsAtOrAboveTheBound() {
        PartitionLog log = open(LogConfig.DEFAULT);
        log.append(Batches.plain(5, 1), AppendOrigin.CLIENT, 0);
        log.append(Batches.plain(5, 1), AppendOrigin.CLIENT, 0);
        log.updateHighWatermark(5);

        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), Batches.offsets(log.read(0, Integer.MAX_VALUE, 5).readAll()));
        assertTrue(log.read(5, Integer.MAX_VALUE, 5).isEmpty());
        assertTrue(log.read(0, Integer.MAX_VALUE, 3).isEmpty(), "a batch straddling the bound is not returned");
        assertEquals(10, Batches.offsets(log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).readAll()).size());
    }

    @Test
    void shouldRejectOffsetsOutsideTheLog() {
        PartitionLog log = open(LogConfig.DEFAULT);
        appendAndCommit(log, Batches.plain(5, 1));

        assertTrue(log.read(5, 100, 5).isEmpty());
        StorageException above = assertThrows(StorageException.class, () -> log.read(6, 100, 6));
        assertEquals(Errors.OFFSET_OUT_OF_RANGE.code(), above.errorCode());
        assertThrows(StorageException.class, () -> log.read(-1, 100, 6));
    }

    @Test
    void shouldUseKafkaErrorCodes() {
        Map<Error, Errors> expected = Map.ofEntries(Map.entry(Error.OFFSET_OUT_OF_RANGE, Errors.OFFSET_OUT_OF_RANGE),
                Map.entry(Error.CORRUPT_MESSAGE, Errors.CORRUPT_MESSAGE),
                Map.entry(Error.MESSAGE_TOO_LARGE, Errors.MESSAGE_TOO_LARGE),
                Map.entry(Error.RECORD_LIST_TOO_LARGE, Errors.RECORD_LIST_TOO_LARGE),
                Map.entry(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, Errors.OUT_OF_ORDER_SEQUENCE_NUMBER),
                Map.entry(Error.INVALID_PRODUCER_EPOCH, Errors.INVALID_PRODUCER_EPOCH),
                Map.entry(Error.INVALID_TXN_STATE, Errors.INVALID_TXN_STATE),
                Map.entry(Error.TRANSACTION_COORDINATOR_FENCED, Errors.TRANSACTION_COORDINATOR_FENCED),
                Map.entry(Error.KAFKA_STORAGE_ERROR, Errors.KAFKA_STORAGE_ERROR),
                Map.entry(Error.UNKNOWN_PRODUCER_ID, Errors.UNKNOWN_PRODUCER_ID),
                Map.entry(Error.INVALID_RECORD, Errors.INVALID_RECORD));
        assertEquals(Error.values().length, expected.size());
        expected.forEach((ours, theirs) -> assertEquals(theirs.code(), ours.code(), ours.name()));
    }

    @Test
    void shouldRejectInvalidBatchesWithoutAppendingAnything() {
        PartitionLog log = open(config(Map.of(LogConfig.MAX_MESSAGE_BYTES, "500")));
        ByteBuffer good = Batches.plain(2, 1);

        ByteBuffer corrupt = copy(good);
        corrupt.put(corrupt.limit() - 1, (byte) (corrupt.get(corrupt.limit() - 1) ^ 1));
        LogTestSupport.assertError(Error.CORRUPT_MESSAGE, () -> log.append(Batches.concat(good, corrupt), AppendOrigin.CLIENT, 0));

        ByteBuffer oldMagic = copy(good);
        oldMagic.put(16, (byte) 1);
        LogTestSupport.assertError(Error.INVALID_RECORD, () -> log.append(oldMagic, AppendOrigin.CLIENT, 0));

        LogTestSupport.assertError(Error.MESSAGE_TOO_LARGE,
                () -> log.append(Batches.withValueSize(3, 1, 300), AppendOrigin.CLIENT, 0));

        ByteBuffer badCount = copy(good);
        RecordBatch view = RecordBatch.at(badCount, 0);
        badCount.putInt(23, 5); // lastOffsetDelta != count - 1, with a CRC to match (a buggy client)
        badCount.putInt(17, (int) view.computeCrc());
        LogTestSupport.assertError(Error.INVALID_RECORD, () -> log.append(badCount, AppendOrigin.CLIENT, 0));

        ByteBuffer badLength = copy(good);
        badLength.putInt(8, 3);
        LogTestSupport.assertError(Error.CORRUPT_MESSAGE, () -> log.append(badLength, AppendOrigin.CLIENT, 0));

        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.sizeInBytes());
        assertEquals(0, log.append(good, AppendOrigin.CLIENT, 0).firstOffset());
    }

    @Test
    void shouldIgnoreATruncatedTrailingBatch() {
        PartitionLog log = open(LogConfig.DEFAULT);
        ByteBuffer two = Batches.concat(Batches.plain(2, 1), Batches.plain(3, 1));
        two.limit(two.limit() - 5);

        AppendResult result = log.append(two, AppendOrigin.CLIENT, 0);

        assertEquals(1, result.lastOffset());
        assertEquals(2, log.logEndOffset());
    }

    @Test
    void shouldStampLogAppendTime() {
        clock.set(1_234_567L);
        PartitionLog log = open(config(Map.of(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime")));

        AppendResult result = appendAndCommit(log, Batches.plain(3, 5));

        assertEquals(1_234_567L, result.logAppendTime());
        MutableRecordBatch batch = Batches.parse(log.read(0, 1000, 3).readAll()).get(0);
        assertEquals(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, batch.timestampType());
        assertEquals(1_234_567L, batch.maxTimestamp());
    }

    @Test
    void shouldRollBySizeAndFindEveryOffsetThroughTheIndex() {
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, "2000", LogConfig.INDEX_INTERVAL_BYTES, "200")));
        List<Long> bases = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            bases.add(appendAndCommit(log, Batches.plain(1 + i % 4, i)).firstOffset());
        }

        assertTrue(log.segmentCount() > 3, "rolled into " + log.segmentCount());
        assertTrue(log.sizeInBytes() > 6000);
        for (long offset = 0; offset < log.logEndOffset(); offset++) {
            long expectedBase = expectedBatchBase(bases, offset);
            MutableRecordBatch first = Batches.parse(log.read(offset, 1, Long.MAX_VALUE).readAll()).get(0);
            assertEquals(expectedBase, first.baseOffset(), "fetch from " + offset);
        }
        List<Long> all = new ArrayList<>();
        long next = 0;
        while (next < log.logEndOffset()) {
            List<Long> offsets = Batches.offsets(log.read(next, 1500, Long.MAX_VALUE).readAll());
            all.addAll(offsets);
            next = offsets.get(offsets.size() - 1) + 1;
        }
        assertEquals(LongStream.range(0, log.logEndOffset()).boxed().toList(), all);
    }

    private static long expectedBatchBase(List<Long> bases, long offset) {
        long base = 0;
        for (long b : bases) {
            if (b <= offset) {
                base = b;
            }
        }
        return base;
    }

    @Test
    void shouldRollByTime() {
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_MS, "1000")));
        appendAndCommit(log, Batches.plain(1, 10_000));
        appendAndCommit(log, Batches.plain(1, 10_500));
        assertEquals(1, log.segmentCount());

        appendAndCommit(log, Batches.plain(1, 11_000));

        assertEquals(2, log.segmentCount());
        assertEquals(List.of(0L, 2L), log.segmentBaseOffsets());
    }

    @Test
    void shouldFindOffsetsByTimestamp() {
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, "1000", LogConfig.INDEX_INTERVAL_BYTES, "100")));
        for (int i = 0; i < 50; i++) {
            appendAndCommit(log, Batches.plain(2, 1_000 + i * 10L)); // records at t, t+1
        }
        appendAndCommit(log, Batches.gzip(3, 5_000));
        appendAndCommit(log, Batches.plain(1, 2_000));

        assertEquals(Optional.of(new TimestampOffset(1_000, 0)), log.offsetForTimestamp(0));
        assertEquals(Optional.of(new TimestampOffset(1_001, 1)), log.offsetForTimestamp(1_001));
        assertEquals(Optional.of(new TimestampOffset(1_250, 50)), log.offsetForTimestamp(1_242));
        assertEquals(Optional.of(new TimestampOffset(5_002, 100)), log.offsetForTimestamp(1_500),
                "compressed batch: base offset and max timestamp");
        assertEquals(Optional.empty(), log.offsetForTimestamp(6_000));
        assertEquals(Optional.of(new TimestampOffset(5_002, 100)), log.maxTimestampOffset());
    }

    @Test
    void shouldDeleteOldSegmentsByTimeButNeverTheActiveOne() {
        String oneBatch = Integer.toString(Batches.plain(2, 1).remaining());
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, oneBatch, LogConfig.RETENTION_MS, "1000",
                LogConfig.FILE_DELETE_DELAY_MS, "500")));
        for (int i = 0; i < 6; i++) {
            appendAndCommit(log, Batches.plain(2, 10_000 + i * 1000L));
        }
        int before = log.segmentCount();
        FetchSlice inFlight = log.read(0, 1000, log.highWatermark());

        int deleted = log.applyRetention(13_500);

        assertEquals(3, deleted, "segments with max timestamp 10000..12000 are older than 13500-1000");
        assertEquals(6, before);
        assertEquals(3, log.segmentCount());
        assertEquals(6, log.logStartOffset());
        assertEquals(List.of(0L, 1L), Batches.offsets(inFlight.readAll()), "deleted files stay readable");
        LogTestSupport.assertError(Error.OFFSET_OUT_OF_RANGE, () -> log.read(0, 1000, 100));
        assertTrue(listFiles().stream().anyMatch(f -> f.endsWith(".deleted")));

        log.applyRetention(13_500 + 500);
        assertFalse(listFiles().stream().anyMatch(f -> f.endsWith(".deleted")));

        log.applyRetention(Long.MAX_VALUE / 2);
        assertEquals(1, log.segmentCount());
        assertEquals(List.of(10L, 11L), Batches.offsets(log.read(10, 1000, 100).readAll()));
    }

    @Test
    void shouldDeleteOldSegmentsBySize() {
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, "300", LogConfig.RETENTION_BYTES, "400")));
        for (int i = 0; i < 8; i++) {
            appendAndCommit(log, Batches.plain(2, 1));
        }
        int batchSize = Batches.plain(2, 1).remaining();

        log.applyRetention(clock.get());

        assertTrue(log.sizeInBytes() - log.sizeInBytes() % batchSize <= 400 + batchSize);
        assertTrue(log.sizeInBytes() >= 400 - batchSize, "deletes no more than needed: " + log.sizeInBytes());
        assertEquals(log.segmentBaseOffsets().get(0), log.logStartOffset());
    }

    @Test
    void shouldMoveLogStartOffsetOnDeleteRecords() {
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, "300")));
        for (int i = 0; i < 6; i++) {
            appendAndCommit(log, Batches.plain(2, 1));
        }

        assertEquals(5, log.deleteRecordsBefore(5));

        assertEquals(5, log.logStartOffset());
        LogTestSupport.assertError(Error.OFFSET_OUT_OF_RANGE, () -> log.read(3, 1000, 100));
        assertEquals(List.of(4L, 5L), Batches.offsets(log.read(5, 1, 100).readAll()),
                "the batch holding the start offset is returned whole");
        assertTrue(log.segmentBaseOffsets().get(0) <= 5 && log.segmentBaseOffsets().size() < 6);
        LogTestSupport.assertError(Error.OFFSET_OUT_OF_RANGE, () -> log.deleteRecordsBefore(13));
        assertEquals(5, log.deleteRecordsBefore(2));

        log.close();
        assertEquals(5, open(LogConfig.DEFAULT).logStartOffset());
    }

    @Test
    void shouldReopenCleanlyWithTheSameState() {
        LogConfig config = config(Map.of(LogConfig.SEGMENT_BYTES, "1000", LogConfig.INDEX_INTERVAL_BYTES, "100"));
        PartitionLog log = open(config);
        for (int i = 0; i < 40; i++) {
            appendAndCommit(log, Batches.plain(1 + i % 3, 1_000 + i));
        }
        ByteBuffer before = readAll(log);
        long end = log.logEndOffset();
        Optional<TimestampOffset> maxTimestamp = log.maxTimestampOffset();
        log.close();
        assertTrue(Files.exists(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE)));

        PartitionLog reopened = open(config);

        assertFalse(Files.exists(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE)));
        assertEquals(end, reopened.logEndOffset());
        assertEquals(end, reopened.highWatermark());
        assertEquals(before, readAll(reopened));
        assertEquals(maxTimestamp, reopened.maxTimestampOffset());
        assertEquals(end, reopened.append(Batches.plain(1, 5), AppendOrigin.CLIENT, 0).firstOffset());
    }

    @Test
    void shouldRebuildMissingOrGarbageIndexes() throws Exception {
        LogConfig config = config(Map.of(LogConfig.SEGMENT_BYTES, "1000", LogConfig.INDEX_INTERVAL_BYTES, "100"));
        PartitionLog log = open(config);
        for (int i = 0; i < 40; i++) {
            appendAndCommit(log, Batches.plain(1 + i % 3, 1_000 + i));
        }
        ByteBuffer before = readAll(log);
        Optional<TimestampOffset> byTime = log.offsetForTimestamp(1_020);
        log.close();
        for (String f : listFiles()) {
            if (f.endsWith(".index")) {
                Files.write(dir.resolve(f), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
            } else if (f.endsWith(".timeindex")) {
                Files.delete(dir.resolve(f));
            }
        }

        PartitionLog reopened = open(config);

        assertEquals(before, readAll(reopened));
        assertEquals(byTime, reopened.offsetForTimestamp(1_020));
    }

    @Test
    void shouldTruncateToAnOffset() {
        PartitionLog log = open(config(Map.of(LogConfig.SEGMENT_BYTES, "300")));
        for (int i = 0; i < 8; i++) {
            appendAndCommit(log, Batches.plain(2, 1));
        }

        log.truncateTo(7);

        assertEquals(6, log.logEndOffset(), "the batch holding offset 7 (6..7) is removed");
        assertEquals(6, log.highWatermark());
        assertEquals(LongStream.range(0, 6).boxed().toList(), Batches.offsets(readAll(log)));
        assertEquals(6, log.append(Batches.plain(1, 1), AppendOrigin.CLIENT, 0).firstOffset());

        log.truncateFullyAndStartAt(100);
        assertEquals(100, log.logStartOffset());
        assertEquals(100, log.logEndOffset());
        assertEquals(100, log.append(Batches.plain(1, 1), AppendOrigin.CLIENT, 0).firstOffset());
    }

    @Test
    void shouldKeepOffsetsOfReplicatedBatches() {
        PartitionLog leader = PartitionLog.open(dir.resolve("leader"), LogConfig.DEFAULT, clock::get);
        opened.add(leader);
        leader.append(Batches.plain(2, 1), AppendOrigin.CLIENT, 7);
        leader.append(Batches.idempotent(9, (short) 0, 0, 3), AppendOrigin.CLIENT, 7);
        ByteBuffer fetched = leader.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).readAll();
        PartitionLog follower = PartitionLog.open(dir.resolve("follower"), LogConfig.DEFAULT, clock::get);
        opened.add(follower);

        AppendResult result = follower.append(fetched, AppendOrigin.REPLICATION, 99);

        assertEquals(0, result.firstOffset());
        assertEquals(4, result.lastOffset());
        assertEquals(fetched, follower.read(0, Integer.MAX_VALUE, Long.MAX_VALUE).readAll());
        LogTestSupport.assertError(Error.INVALID_RECORD, () -> follower.append(fetched, AppendOrigin.REPLICATION, 0));
    }

    @Test
    void shouldCopyReadOnlyBuffersBeforeRewritingThem() {
        PartitionLog log = open(LogConfig.DEFAULT);
        appendAndCommit(log, Batches.plain(2, 1));
        ByteBuffer readOnly = Batches.plain(3, 1).asReadOnlyBuffer();

        AppendResult result = appendAndCommit(log, readOnly);

        assertEquals(2, result.firstOffset());
        assertEquals(List.of(2L, 3L, 4L), Batches.offsets(log.read(2, 1000, 5).readAll()));
    }

    @Test
    void shouldStartANewSegmentWhenReplicatedOffsetsOutgrowRelativeOffsets() {
        PartitionLog log = open(LogConfig.DEFAULT);
        ByteBuffer far = copy(Batches.plain(2, 1));
        RecordBatch.at(far, 0).setBaseOffset(3L + Integer.MAX_VALUE);

        log.append(far, AppendOrigin.REPLICATION, 0);

        assertEquals(List.of(3L + Integer.MAX_VALUE), log.segmentBaseOffsets());
        assertEquals(3L + Integer.MAX_VALUE, log.logStartOffset());
        assertEquals(5L + Integer.MAX_VALUE, log.logEndOffset());
        assertEquals(List.of(3L + Integer.MAX_VALUE, 4L + Integer.MAX_VALUE),
                Batches.offsets(log.read(log.logStartOffset(), 1000, Long.MAX_VALUE).readAll()));
    }

    @Test
    void shouldAcceptControlBatchesOnlyFromCoordinators() {
        PartitionLog log = open(LogConfig.DEFAULT);
        log.append(org.apache.kafka.common.record.internal.MemoryRecords.withTransactionalRecords(
                org.apache.kafka.common.compress.Compression.NONE, 5L, (short) 1, 0,
                Batches.records(2, 1, "tx")).buffer(), AppendOrigin.CLIENT, 0);
        ByteBuffer marker = org.apache.kafka.common.record.internal.MemoryRecords.withEndTransactionMarker(0L, 1L, 0, 5L,
                (short) 1, new org.apache.kafka.common.record.internal.EndTransactionMarker(
                        org.apache.kafka.common.record.internal.ControlRecordType.COMMIT, 0)).buffer();

        LogTestSupport.assertError(Error.INVALID_RECORD, () -> log.append(marker.duplicate(), AppendOrigin.CLIENT, 0));
        AppendResult result = log.append(marker, AppendOrigin.COORDINATOR, 0);

        assertEquals(2, result.firstOffset());
        MutableRecordBatch stored = Batches.parse(log.read(2, 1000, 3).readAll()).get(0);
        assertTrue(stored.isControlBatch());
        assertEquals(2, stored.baseOffset());
    }

    // ------------------------------------------------------------------ helpers

    ByteBuffer readAll(PartitionLog log) {
        return LogTestSupport.readAllOf(log);
    }

    List<String> listFiles() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ByteBuffer copy(ByteBuffer b) {
        return ByteBuffer.allocate(b.remaining()).put(b.duplicate()).flip();
    }
}
