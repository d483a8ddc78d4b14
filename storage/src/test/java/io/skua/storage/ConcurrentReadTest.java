package io.skua.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
