package io.skua.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Builds real record batches with kafka-clients and parses what storage returns with it. */
public final class Batches {
    private Batches() {
    }

    public static SimpleRecord[] records(int count, long timestamp, String prefix) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(timestamp + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    /** An uncompressed CreateTime batch of {@code count} records with timestamps {@code timestamp + i}. */
    public static ByteBuffer plain(int count, long timestamp) {
        return MemoryRecords.withRecords(0L, Compression.NONE, records(count, timestamp, "v")).buffer();
    }

    public static ByteBuffer withValueSize(int count, long timestamp, int valueSize) {
        return MemoryRecords.withRecords(0L, Compression.NONE, records(count, timestamp, "x".repeat(valueSize)))
                .buffer();
    }

    public static ByteBuffer gzip(int count, long timestamp) {
        return MemoryRecords.withRecords(0L, Compression.gzip().build(), records(count, timestamp, "z")).buffer();
    }

    public static ByteBuffer idempotent(long producerId, short epoch, int baseSequence, int count) {
        return MemoryRecords.withIdempotentRecords(0L, Compression.NONE, producerId, epoch, baseSequence, -1,
                records(count, 1_000L, "p" + baseSequence)).buffer();
    }

    /** A transactional batch of {@code count} uncompressed records. */
    public static ByteBuffer transactional(long producerId, short epoch, int baseSequence, int count) {
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, baseSequence,
                records(count, 1_000L, "t" + baseSequence)).buffer();
    }

    /** A transaction marker as kafka-clients writes it, at {@code offset} (for replicated appends). */
    public static ByteBuffer kafkaMarker(long offset, long producerId, short epoch, int coordinatorEpoch,
                                         boolean commit) {
        return MemoryRecords.withEndTransactionMarker(offset, 1_000L, 0, producerId, epoch,
                new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
                        coordinatorEpoch)).buffer();
    }

    public static ByteBuffer concat(ByteBuffer... buffers) {
        int size = 0;
        for (ByteBuffer b : buffers) {
            size += b.remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (ByteBuffer b : buffers) {
            out.put(b.duplicate());
        }
        return out.flip();
    }

    /** Every batch in {@code bytes}, validated by kafka-clients. */
    public static List<MutableRecordBatch> parse(ByteBuffer bytes) {
        List<MutableRecordBatch> out = new ArrayList<>();
        for (MutableRecordBatch b : MemoryRecords.readableRecords(bytes.duplicate()).batches()) {
            b.ensureValid();
            out.add(b);
        }
        return out;
    }

    public static List<Long> offsets(ByteBuffer bytes) {
        List<Long> out = new ArrayList<>();
        for (MutableRecordBatch b : parse(bytes)) {
            for (Record r : b) {
                out.add(r.offset());
            }
        }
        return out;
    }
}
