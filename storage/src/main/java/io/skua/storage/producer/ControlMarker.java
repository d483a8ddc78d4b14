package io.skua.storage.producer;

import io.skua.protocol.record.Record;
import io.skua.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A transaction marker (Kafka's {@code EndTransactionMarker}): the single record of a control batch (attributes
 * {@code isTransactional | isControl}) that ends a producer's transaction in a partition. Record key: int16 version
 * (0), int16 type (0 = abort, 1 = commit); value: int16 version (0), int32 coordinator epoch. Big-endian.
 *
 * <p>Thread-safety: immutable values and stateless functions.
 */
public record ControlMarker(boolean commit, int coordinatorEpoch) {
    private static final short TRANSACTIONAL = 0x10;
    private static final short CONTROL = 0x20;
    private static final int CRC_OFFSET = 17;
    private static final short ABORT_TYPE = 0;
    private static final short COMMIT_TYPE = 1;

    /**
     * The marker in {@code batch}, a control batch read whole. Empty for a control batch without records (the
     * cleaner left it), a compressed one, or one of another control type (Kafka ignores unknown control records).
     */
    public static Optional<ControlMarker> parse(RecordBatch batch) {
        if (!batch.isControl() || batch.recordCount() == 0 || batch.sizeInBytes() <= RecordBatch.HEADER_SIZE) {
            return Optional.empty();
        }
        try {
            Iterator<Record> records = batch.records();
            if (!records.hasNext()) {
                return Optional.empty();
            }
            Record r = records.next();
            ByteBuffer key = r.key();
            ByteBuffer value = r.value();
            if (key == null || key.remaining() < 4) {
                return Optional.empty();
            }
            short type = key.getShort(key.position() + 2);
            if (type != ABORT_TYPE && type != COMMIT_TYPE) {
                return Optional.empty();
            }
            int coordinatorEpoch = value != null && value.remaining() >= 6 ? value.getInt(value.position() + 2) : 0;
            return Optional.of(new ControlMarker(type == COMMIT_TYPE, coordinatorEpoch));
        } catch (RuntimeException e) {
            return Optional.empty(); // a compressed or malformed control batch: not a marker storage understands
        }
    }

    /**
     * The control batch a partition leader writes for this marker: base offset 0 and leader epoch -1 (the log assigns
     * both), CreateTime {@code timestamp}, no sequence, one record; in a new heap buffer positioned at 0.
     */
    public ByteBuffer toBatch(long producerId, short producerEpoch, long timestamp) {
        byte[] body = {
            0,                                   // record attributes
            0,                                   // timestamp delta (varlong 0)
            0,                                   // offset delta (varint 0)
            8,                                   // key length 4 (zigzag varint)
            0, 0, 0, (byte) (commit ? COMMIT_TYPE : ABORT_TYPE),
            12,                                  // value length 6 (zigzag varint)
            0, 0,
            (byte) (coordinatorEpoch >>> 24), (byte) (coordinatorEpoch >>> 16), (byte) (coordinatorEpoch >>> 8),
            (byte) coordinatorEpoch,
            0                                    // header count (varint 0)
        };
        int size = RecordBatch.HEADER_SIZE + 1 + body.length;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putLong(0L)
                .putInt(size - RecordBatch.LOG_OVERHEAD)
                .putInt(-1)
                .put(RecordBatch.MAGIC)
                .putInt(0)
                .putShort((short) (TRANSACTIONAL | CONTROL))
                .putInt(0)                       // last offset delta
                .putLong(timestamp)
                .putLong(timestamp)
                .putLong(producerId)
                .putShort(producerEpoch)
                .putInt(RecordBatch.NO_SEQUENCE)
                .putInt(1)
                .put((byte) (body.length << 1))  // record length (zigzag varint; body is < 64 bytes)
                .put(body);
        b.flip();
        CRC32C crc = new CRC32C();
        crc.update(b.array(), RecordBatch.CRC_COVERED_FROM, size - RecordBatch.CRC_COVERED_FROM);
        b.putInt(CRC_OFFSET, (int) crc.getValue());
        return b;
    }
}
