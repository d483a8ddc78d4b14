package io.skua.bench.jmh;

import io.skua.protocol.ApiKey;
import io.skua.protocol.ByteBufferWriter;
import io.skua.protocol.MemoryRecords;
import io.skua.protocol.Uuid;
import io.skua.protocol.message.ProduceRequestData;
import io.skua.protocol.message.ProduceRequestData.PartitionProduceData;
import io.skua.protocol.message.ProduceRequestData.TopicProduceData;
import io.skua.protocol.message.RequestHeaderData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.TimestampType;

/** Test data for the JMH benchmarks, built once in {@code @Setup}; nothing here is measured. */
final class BenchData {
    /** Target size of one record batch, as a producer with {@code batch.size=16384} fills it. */
    static final int BATCH_BYTES = 16 * 1024;
    static final int RECORD_BYTES = 100;
    static final String TOPIC = "bench";
    static final Uuid TOPIC_ID = new Uuid(0x5c0a_1234_5678_9abcL, 0x0fed_cba9_8765_4321L);

    private BenchData() {}

    /**
     * One uncompressed magic-2 record batch of {@value #RECORD_BYTES}-byte random values (no keys), filled up to
     * about {@value #BATCH_BYTES} bytes, written by kafka-clients' {@link MemoryRecordsBuilder} (org.apache.kafka.common.record.internal in 4.x) exactly as a producer
     * would (non-idempotent, CreateTime, base offset 0). Returns a writable heap buffer holding just the batch.
     */
    static ByteBuffer recordBatch(long seed) {
        Random random = new Random(seed);
        ByteBuffer out = ByteBuffer.allocate(BATCH_BYTES + 1024);
        MemoryRecordsBuilder builder = org.apache.kafka.common.record.internal.MemoryRecords.builder(
                out, Compression.NONE, TimestampType.CREATE_TIME, 0L);
        long timestamp = 1_750_000_000_000L;
        byte[] value = new byte[RECORD_BYTES];
        // Stop before the next ~110-byte record (100-byte value, null key, varint framing) would pass BATCH_BYTES: 148 records.
        while (builder.estimatedSizeInBytes() + RECORD_BYTES + 16 <= BATCH_BYTES) {
            random.nextBytes(value);
            builder.append(timestamp++, null, value);
        }
        ByteBuffer built = builder.build().buffer();
        ByteBuffer copy = ByteBuffer.allocate(built.remaining());
        copy.put(built.duplicate()).flip();
        return copy;
    }

    /** Records in a batch made by {@link #recordBatch} (from its header). */
    static int recordCount(ByteBuffer batch) {
        return batch.getInt(batch.position() + 57);
    }

    /** The highest version Skua advertises for {@code key} (the newest stable one), as ApiHandler does. */
    static short servedVersion(ApiKey key) {
        return key.latestVersionUnstable() ? (short) (key.highestVersion() - 1) : key.highestVersion();
    }

    /**
     * A complete Produce request frame without its size prefix (header + body), as the FrameDecoder hands it to the
     * dispatcher: one topic with {@code partitions} partitions, each carrying its own copy of {@code batch}.
     */
    static ByteBuffer produceRequestFrame(short version, int partitions, ByteBuffer batch) {
        List<PartitionProduceData> parts = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            parts.add(new PartitionProduceData().setIndex(p).setRecords(new MemoryRecords(batch.duplicate())));
        }
        TopicProduceData topic = new TopicProduceData().setPartitionData(parts);
        if (version >= 13) {
            topic.setTopicId(TOPIC_ID);
        } else {
            topic.setName(TOPIC);
        }
        ProduceRequestData body = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30_000)
                .setTopicData(new ArrayList<>(List.of(topic)));
        short headerVersion = ApiKey.PRODUCE.requestHeaderVersion(version);
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(ApiKey.PRODUCE.id())
                .setRequestApiVersion(version)
                .setCorrelationId(42)
                .setClientId("producer-1");
        ByteBuffer frame = ByteBuffer.allocate(header.size(headerVersion) + body.size(version));
        ByteBufferWriter writer = new ByteBufferWriter(frame);
        header.write(writer, headerVersion);
        body.write(writer, version);
        if (frame.hasRemaining()) {
            throw new IllegalStateException("produce frame: " + frame.remaining() + " bytes not written");
        }
        return frame.flip();
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
