package io.skua.protocol.record;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One record of an uncompressed batch, decoded by {@link RecordBatch#records()}. {@code key}, {@code value}
 * and header values are zero-copy read-only slices of the batch buffer and are {@code null} when the record
 * carries a null (length -1), exactly as Kafka does.
 *
 * @param offset    base offset + offset delta
 * @param timestamp base timestamp + timestamp delta, or the batch's max timestamp under {@code LogAppendTime}
 */
public record Record(long offset, long timestamp, ByteBuffer key, ByteBuffer value, List<Header> headers) {

    /** A record header; {@code value} may be {@code null}. */
    public record Header(String key, ByteBuffer value) {
    }
}
