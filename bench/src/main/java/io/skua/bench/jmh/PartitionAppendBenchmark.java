package io.skua.bench.jmh;

import io.skua.protocol.record.RecordBatch;
import io.skua.storage.AppendOrigin;
import io.skua.storage.AppendResult;
import io.skua.storage.LogConfig;
import io.skua.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appending one ~16 KiB batch of 100-byte records (uncompressed, non-idempotent, as kafka-clients writes it) to a
 * {@link PartitionLog} in a temporary directory, with {@code flushOnAppend=false} (Kafka's default: page-cache
 * writes, no fsync per append).
 *
 * <ul>
 *   <li>{@code append}: {@link PartitionLog#append} with {@link AppendOrigin#CLIENT}: framing and size checks,
 *       CRC32C over the batch, record-count check, offset and leader-epoch rewrite in place, sparse-index update
 *       and the {@code FileChannel} write to the active segment.</li>
 *   <li>{@code crc32c}: only {@link RecordBatch#ensureValid()} on the same batch, to show how much of
 *       {@code append} is the checksum.</li>
 * </ul>
 *
 * <p>The same buffer is appended every time: the rewrite touches only the base offset and leader epoch, which the
 * CRC does not cover, so it stays valid. To keep the disk from filling, the log is deleted and re-created before
 * each iteration and, inside an iteration, whenever it reaches {@link #RESET_BYTES} (512 MiB, below the 1 GiB
 * {@code segment.bytes}, so no segment roll happens in between). That inline reset (close with fsyncs, delete,
 * re-open) is measured, amortised over ~32k appends; at ~10 µs per append it adds well under 1 %.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PartitionAppendBenchmark {
    static final long RESET_BYTES = 512L << 20;

    private final LogConfig config = LogConfig.DEFAULT.withOverrides(Map.of(
            LogConfig.FILE_DELETE_DELAY_MS, "0"));
    private Path root;
    private Path dir;
    private PartitionLog log;
    private ByteBuffer batch;
    private RecordBatch view;
    /** Bytes appended since the log was last re-created. */
    private long written;

    @Setup(Level.Trial)
    public void setupTrial() {
        if (config.flushOnAppend()) {
            throw new IllegalStateException("flushOnAppend must be off");
        }
        root = BenchData.tempDir("skua-jmh-append-");
        dir = root.resolve("bench-0");
        batch = BenchData.recordBatch(2);
        view = RecordBatch.at(batch, 0);
        view.ensureValid();
    }

    @Setup(Level.Iteration)
    public void setupIteration() {
        resetLog();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (log != null) {
            log.close();
            log = null;
        }
        BenchData.deleteRecursively(root);
    }

    @Benchmark
    public AppendResult append() {
        if (written >= RESET_BYTES) {
            resetLog();
        }
        written += batch.remaining();
        return log.append(batch, AppendOrigin.CLIENT, 7);
    }

    @Benchmark
    public long crc32c() {
        view.ensureValid();
        return view.crc();
    }

    private void resetLog() {
        if (log != null) {
            log.close();
        }
        BenchData.deleteRecursively(dir);
        log = PartitionLog.open(dir, config, System::currentTimeMillis);
        written = 0;
    }
}
