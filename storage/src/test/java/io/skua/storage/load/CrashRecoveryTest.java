package io.skua.storage.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.protocol.record.RecordBatch;
import io.skua.storage.AppendOrigin;
import io.skua.storage.AppendResult;
import io.skua.storage.Batches;
import io.skua.storage.LogConfig;
import io.skua.storage.log.LogTestSupport;
import io.skua.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damages the last segment of a log the way crashes do (a torn tail, a flipped byte) at many random points and
 * checks that reopening yields exactly the prefix of intact batches and a log that keeps working.
 */
class CrashRecoveryTest {
    private static final int TRIALS = 200;
    private static final LogConfig CONFIG = LogConfig.fromProperties(Map.of(LogConfig.SEGMENT_BYTES, "6000",
            LogConfig.INDEX_INTERVAL_BYTES, "300"));

    @TempDir
    Path work;
    Path pristine;
    Path dir;
    /** The batches of the last segment as written: file position, size, base and next offset. */
    final List<long[]> lastSegmentBatches = new ArrayList<>();
    ByteBuffer lastSegmentBytes;
    String lastSegmentName;
    ByteBuffer wholeLog;

    @BeforeEach
    void buildLog() throws IOException {
        pristine = work.resolve("pristine");
        dir = work.resolve("trial");
        Random random = new Random(42);
        PartitionLog log = PartitionLog.open(pristine, CONFIG, () -> 5L);
        int sequence = 0;
        for (int i = 0; i < 120; i++) {
            int count = 1 + random.nextInt(4);
            ByteBuffer batch = i % 7 == 3 ? Batches.gzip(count, i)
                    : i % 5 == 1 ? Batches.idempotent(11, (short) 0, sequence, count)
                    : Batches.withValueSize(count, i, random.nextInt(60));
            sequence += i % 7 != 3 && i % 5 == 1 ? count : 0;
            log.append(batch, AppendOrigin.CLIENT, 1);
        }
        log.updateHighWatermark(log.logEndOffset());
        assertTrue(log.segmentCount() >= 3);
        wholeLog = LogTestSupport.readAllOf(log);
        log.close();
        try (Stream<Path> files = Files.list(pristine)) {
            lastSegmentName = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log")).sorted()
                    .reduce((a, b) -> b).orElseThrow();
        }
        lastSegmentBytes = ByteBuffer.wrap(Files.readAllBytes(pristine.resolve(lastSegmentName)));
        for (RecordBatch b : RecordBatch.batches(lastSegmentBytes.duplicate())) {
            lastSegmentBatches.add(new long[] {b.position(), b.sizeInBytes(), b.baseOffset(), b.nextOffset()});
        }
        assertTrue(lastSegmentBatches.size() > 10);
    }

    @Test
    void shouldRecoverExactlyTheIntactPrefixAfterTornWrites() throws IOException {
        Random random = new Random(7);
        for (int trial = 0; trial < TRIALS; trial++) {
            int cut = random.nextInt(lastSegmentBytes.limit() + 1);
            restore();
            try (FileChannel ch = FileChannel.open(dir.resolve(lastSegmentName), StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            checkRecoveredUpTo(firstBatchEndingAfter(cut), "cut at " + cut);
        }
    }

    @Test
    void shouldRecoverExactlyTheIntactPrefixAfterFlippedBytes() throws IOException {
        Random random = new Random(8);
        for (int trial = 0; trial < TRIALS; trial++) {
            long[] victim = lastSegmentBatches.get(random.nextInt(lastSegmentBatches.size()));
            int offsetInBatch;
            do {
                offsetInBatch = random.nextInt((int) victim[1]);
            } while (offsetInBatch < 8 || (offsetInBatch >= 12 && offsetInBatch < 16)); // base offset, leader epoch: not CRC-covered
            int position = (int) victim[0] + offsetInBatch;
            restore();
            try (FileChannel ch = FileChannel.open(dir.resolve(lastSegmentName), StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                ch.read(b, position);
                b.put(0, (byte) (b.get(0) ^ (1 + random.nextInt(255))));
                ch.write(b.rewind(), position);
            }
            checkRecoveredUpTo(lastSegmentBatches.indexOf(victim), "flip at " + position);
        }
    }

    @Test
    void shouldRecoverEverythingAfterAProcessCrashWithoutFlush() throws IOException {
        Path live = work.resolve("live");
        PartitionLog log = PartitionLog.open(live, CONFIG, () -> 5L);
        for (int i = 0; i < 200; i++) {
            log.append(Batches.idempotent(3, (short) 0, i * 2, 2), AppendOrigin.CLIENT, 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        ByteBuffer written = LogTestSupport.readAllOf(log);
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(live)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName())); // what the page cache holds at a process crash
            }
        }
        log.close();

        PartitionLog recovered = PartitionLog.open(dir, CONFIG, () -> 5L);
        try {
            assertEquals(400, recovered.logEndOffset());
            assertEquals(written, LogTestSupport.readAllOf(recovered));
            assertTrue(recovered.append(Batches.idempotent(3, (short) 0, 398, 2), AppendOrigin.CLIENT, 0)
                    .duplicate());
            assertEquals(400, recovered.append(Batches.idempotent(3, (short) 0, 400, 2), AppendOrigin.CLIENT, 0)
                    .firstOffset());
        } finally {
            recovered.close();
        }
    }

    /** Index of the first batch of the last segment not wholly below {@code cut}. */
    private int firstBatchEndingAfter(int cut) {
        for (int i = 0; i < lastSegmentBatches.size(); i++) {
            long[] b = lastSegmentBatches.get(i);
            if (b[0] + b[1] > cut) {
                return i;
            }
        }
        return lastSegmentBatches.size();
    }

    private void checkRecoveredUpTo(int intactBatches, String what) {
        long expectedEnd = intactBatches < lastSegmentBatches.size()
                ? lastSegmentBatches.get(intactBatches)[2]
                : lastSegmentBatches.get(lastSegmentBatches.size() - 1)[3];
        int expectedBytes = wholeLog.limit() - lastSegmentBytes.limit()
                + (intactBatches < lastSegmentBatches.size() ? (int) lastSegmentBatches.get(intactBatches)[0]
                : lastSegmentBytes.limit());
        PartitionLog log = PartitionLog.open(dir, CONFIG, () -> 5L);
        try {
            assertEquals(expectedEnd, log.logEndOffset(), what);
            ByteBuffer recovered = LogTestSupport.readAllOf(log);
            assertEquals(wholeLog.duplicate().limit(expectedBytes), recovered, what);
            AppendResult next = log.append(Batches.idempotent(12, (short) 0, 100_000, 2), AppendOrigin.CLIENT, 1);
            assertEquals(expectedEnd, next.firstOffset(), what);
            assertEquals(expectedEnd + 2, log.read(expectedEnd, 1, Long.MAX_VALUE).readAll().getLong(0) + 2, what);
        } finally {
            log.close();
        }
        PartitionLog again = PartitionLog.open(dir, CONFIG, () -> 5L);
        try {
            assertEquals(expectedEnd + 2, again.logEndOffset(), what + ", reopened");
        } finally {
            again.close();
        }
    }

    private void restore() throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        } else {
            Files.createDirectories(dir);
        }
        try (Stream<Path> files = Files.list(pristine)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals(PartitionLog.CLEAN_SHUTDOWN_FILE)) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
    }
}
