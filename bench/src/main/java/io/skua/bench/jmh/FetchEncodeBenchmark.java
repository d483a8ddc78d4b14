package io.skua.bench.jmh;

import io.skua.broker.api.ResponseEncoder;
import io.skua.broker.network.Response;
import io.skua.broker.network.ResponsePart;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.FetchResponseData;
import io.skua.protocol.message.FetchResponseData.FetchableTopicResponse;
import io.skua.protocol.message.FetchResponseData.PartitionData;
import io.skua.storage.AppendOrigin;
import io.skua.storage.FetchSlice;
import io.skua.storage.LogConfig;
import io.skua.storage.log.PartitionLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding a Fetch response whose records are file-backed: {@link ResponseEncoder#encode} with one topic and 1 or 6
 * partitions, each answered with a {@link FetchSlice} of ~1 MiB (64 batches of ~16 KiB) read from a real
 * {@link PartitionLog} in a temporary directory.
 *
 * <p>What is measured is what the broker does on the event loop after the reads: computing the sizes, allocating
 * the heap buffer for the header and the non-record fields, writing them, and cutting it into the response part
 * list around the file regions ({@link ResponsePart.Bytes} / {@link ResponsePart.FileRegion}). No record byte is
 * read or copied (that happens later with sendfile), so the cost depends on the partition count, not on the
 * amount of data. Building the response object is not measured: the same {@link FetchResponseData} is encoded
 * every time (encoding does not change it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FetchEncodeBenchmark {
    static final int BATCHES_PER_PARTITION = 64;

    @Param({"1", "6"})
    public int partitions;

    private Path root;
    private final List<PartitionLog> logs = new ArrayList<>();
    private short version;
    private short headerVersion;
    private FetchResponseData response;

    @Setup(Level.Trial)
    public void setup() {
        version = BenchData.servedVersion(ApiKey.FETCH);
        headerVersion = ApiKey.FETCH.responseHeaderVersion(version);
        root = BenchData.tempDir("skua-jmh-fetch-");
        ByteBuffer batch = BenchData.recordBatch(3);
        FetchableTopicResponse topic = new FetchableTopicResponse().setTopic(BenchData.TOPIC)
                .setTopicId(BenchData.TOPIC_ID);
        for (int p = 0; p < partitions; p++) {
            PartitionLog log = PartitionLog.open(root.resolve(BenchData.TOPIC + "-" + p), LogConfig.DEFAULT,
                    System::currentTimeMillis);
            logs.add(log);
            for (int i = 0; i < BATCHES_PER_PARTITION; i++) {
                log.append(batch.duplicate(), AppendOrigin.CLIENT, 0);
            }
            log.updateHighWatermark(log.logEndOffset());
            FetchSlice slice = log.read(0, 1 << 20, log.highWatermark());
            if (slice.isEmpty()) {
                throw new IllegalStateException("empty read from partition " + p);
            }
            topic.partitions().add(new PartitionData()
                    .setPartitionIndex(p)
                    .setHighWatermark(log.highWatermark())
                    .setLastStableOffset(log.highWatermark())
                    .setLogStartOffset(log.logStartOffset())
                    .setPreferredReadReplica(-1)
                    .setRecords(slice));
        }
        response = new FetchResponseData().setSessionId(0);
        response.responses().add(topic);
        Response encoded = encode();
        int fileParts = 0;
        for (ResponsePart part : ((Response.Frame) encoded).parts()) {
            fileParts += part instanceof ResponsePart.FileRegion ? 1 : 0;
        }
        if (fileParts != partitions) {
            throw new IllegalStateException(fileParts + " file regions for " + partitions + " partitions");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (PartitionLog log : logs) {
            log.close();
        }
        logs.clear();
        BenchData.deleteRecursively(root);
    }

    @Benchmark
    public Response encode() {
        return ResponseEncoder.encode(42, headerVersion, response, version);
    }
}
