package io.skua.storage.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.storage.AppendOrigin;
import io.skua.storage.Batches;
import io.skua.storage.FetchSlice;
import io.skua.storage.LogConfig;
import io.skua.storage.StorageException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers on other threads see only whole, valid batches while the writer appends, rolls and deletes. */
class ConcurrentReadTest {
    @TempDir
    Path dir;

    @Test
    void shouldServeConsistentReadsWhileTheWriterAppendsRollsAndDeletes() throws Exception {
        LogConfig config = LogConfig.fromProperties(Map.of(LogConfig.SEGMENT_BYTES, "3000",
                LogConfig.INDEX_INTERVAL_BYTES, "256", LogConfig.RETENTION_BYTES, "20000"));
        PartitionLog log = PartitionLog.open(dir, config, () -> 1L);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Runnable reader = () -> {
            Random random = new Random(Thread.currentThread().getId());
            while (!done.get()) {
                long start = log.logStartOffset();
                long hw = log.highWatermark();
                if (hw == start) {
                    continue;
                }
                long offset = start + (long) (random.nextDouble() * (hw - start));
                try {
                    List<MutableRecordBatch> batches = Batches.parse(log.read(offset, 1 + random.nextInt(4000), hw)
                            .readAll());
                    assertTrue(!batches.isEmpty(), "data below the high watermark at " + offset);
                    assertTrue(batches.get(0).baseOffset() <= offset && batches.get(0).lastOffset() >= offset);
                    long expected = batches.get(0).baseOffset();
                    for (MutableRecordBatch b : batches) {
                        assertEquals(expected, b.baseOffset());
                        assertTrue(b.lastOffset() < hw);
                        expected = b.nextOffset();
                    }
                    reads.incrementAndGet();
                } catch (StorageException e) {
                    if (e.error() != StorageException.Error.OFFSET_OUT_OF_RANGE || offset >= log.logStartOffset()) {
                        failures.add(e);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }
        };
        Thread[] readers = {new Thread(reader), new Thread(reader), new Thread(reader)};
        for (Thread t : readers) {
            t.start();
        }
        for (int i = 0; i < 3000; i++) {
            log.append(Batches.plain(1 + i % 5, i), AppendOrigin.CLIENT, 0);
            log.updateHighWatermark(log.logEndOffset());
            if (i % 50 == 0) {
                log.applyRetention(1L);
            }
        }
        done.set(true);
        for (Thread t : readers) {
            t.join();
        }
        log.close();

        assertTrue(failures.isEmpty(), () -> failures.peek().toString());
        assertTrue(reads.get() > 100, "reads: " + reads.get());
    }

    @Test
    void shouldCopyOnlyWholeValidBatchesFromTheTailInMemoryWhileTheWriterAppendsRollsAndTruncates() throws Exception {
        LogConfig config = LogConfig.fromProperties(Map.of(LogConfig.SEGMENT_BYTES, "60000"));
        PartitionLog log = PartitionLog.open(dir, config, () -> 1L);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong fromMemory = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Runnable reader = () -> {
            while (!done.get()) {
                long end = log.logEndOffset();
                for (long offset = Math.max(0, end - 5); offset < end; offset++) {
                    try {
                        FetchSlice slice = log.readFromMemory(offset, 1 << 20, Long.MAX_VALUE);
                        if (slice == null || !slice.inMemory()) {
                            continue;
                        }
                        List<MutableRecordBatch> batches = Batches.parse(slice.readAll());
                        assertEquals(offset, batches.get(0).baseOffset());
                        long expected = offset;
                        for (MutableRecordBatch b : batches) {
                            assertEquals(expected, b.baseOffset());
                            assertTrue(b.isValid(), "CRC of the batch at " + expected);
                            expected = b.nextOffset();
                        }
                        fromMemory.incrementAndGet();
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }
            }
        };
        Thread[] readers = {new Thread(reader), new Thread(reader)};
        for (Thread t : readers) {
            t.start();
        }
        for (int i = 0; i < 6000; i++) {
            log.append(Batches.withValueSize(1 + i % 5, i, 10 + i % 300), AppendOrigin.CLIENT, 0);
            if (i % 97 == 0 && log.logEndOffset() > 10) {
                log.truncateTo(log.logEndOffset() - 7);
            }
        }
        done.set(true);
        for (Thread t : readers) {
            t.join();
        }
        log.close();

        assertTrue(failures.isEmpty(), () -> failures.peek().toString());
        assertTrue(fromMemory.get() > 100, "reads from memory: " + fromMemory.get());
    }
}
