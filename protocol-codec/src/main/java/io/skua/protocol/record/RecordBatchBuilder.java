package io.skua.protocol.record;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes one uncompressed magic-v2 record batch for the broker's own records (the group coordinator's
 * {@code __consumer_offsets} entries): no producer id, no sequence, no headers, {@code CreateTime} with one
 * timestamp for every record. Base offset 0 and leader epoch -1; the log assigns both on append. The layout is
 * the one {@link RecordBatch} documents, records as {@link RecordDecoder} reads them.
 *
 * <p>Stateless; thread-safe.
 */
public final class RecordBatchBuilder {

    /** A record to write; {@code key} and {@code value} may be null (a null value is a tombstone). */
    public record KeyValue(byte[] key, byte[] value) {
    }

    private RecordBatchBuilder() {
    }

    /**
     * The batch holding {@code records} in order, all with {@code timestamp}, in a new heap buffer positioned at 0.
     *
     * @throws IllegalArgumentException if {@code records} is empty
     */
    public static ByteBuffer build(List<KeyValue> records, long timestamp) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("A record batch needs at least one record");
        }
        int size = RecordBatch.HEADER_SIZE;
        int[] bodySizes = new int[records.size()];
        for (int i = 0; i < records.size(); i++) {
            bodySizes[i] = bodySize(i, records.get(i));
            size += sizeOfVarint(bodySizes[i]) + bodySizes[i];
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putLong(0L);                                  // baseOffset: assigned by the log
        out.putInt(size - RecordBatch.LOG_OVERHEAD);      // batchLength
        out.putInt(-1);                                   // partitionLeaderEpoch: stamped by the log
        out.put(RecordBatch.MAGIC);
        out.putInt(0);                                    // crc, below
        out.putShort((short) 0);                          // attributes: no compression, CreateTime
        out.putInt(records.size() - 1);                   // lastOffsetDelta
        out.putLong(timestamp);                           // baseTimestamp
        out.putLong(timestamp);                           // maxTimestamp
        out.putLong(RecordBatch.NO_PRODUCER_ID);
        out.putShort((short) -1);                         // producerEpoch
        out.putInt(RecordBatch.NO_SEQUENCE);
        out.putInt(records.size());
        for (int i = 0; i < records.size(); i++) {
            KeyValue r = records.get(i);
            writeVarint(out, bodySizes[i]);
            out.put((byte) 0);                            // record attributes (unused in v2)
            writeVarint(out, 0);                          // timestampDelta (written as a varlong; same bytes for 0)
            writeVarint(out, i);                          // offsetDelta
            writeNullableBytes(out, r.key());
            writeNullableBytes(out, r.value());
            writeVarint(out, 0);                          // header count
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), RecordBatch.CRC_COVERED_FROM, size - RecordBatch.CRC_COVERED_FROM);
        out.putInt(RecordBatch.CRC_OFFSET, (int) crc.getValue());
        return out.flip();
    }

    private static int bodySize(int offsetDelta, KeyValue r) {
        return 1 + sizeOfVarint(0) + sizeOfVarint(offsetDelta)
                + nullableBytesSize(r.key()) + nullableBytesSize(r.value()) + sizeOfVarint(0);
    }

    private static int nullableBytesSize(byte[] b) {
        return b == null ? sizeOfVarint(-1) : sizeOfVarint(b.length) + b.length;
    }

    private static void writeNullableBytes(ByteBuffer out, byte[] b) {
        if (b == null) {
            writeVarint(out, -1);
        } else {
            writeVarint(out, b.length);
            out.put(b);
        }
    }

    private static int sizeOfVarint(int value) {
        return io.skua.protocol.ByteUtils.sizeOfVarint(value);
    }

    /** Zig-zag varint, as Kafka's {@code ByteUtils.writeVarint}. */
    private static void writeVarint(ByteBuffer out, int value) {
        int v = (value << 1) ^ (value >> 31);
        while ((v & 0xffffff80) != 0) {
            out.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }
}
