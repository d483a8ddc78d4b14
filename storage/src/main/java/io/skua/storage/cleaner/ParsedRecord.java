package io.skua.storage.cleaner;

import java.nio.ByteBuffer;

/**
 * One record of a batch's (inflated) payload: where its bytes are and what the cleaner needs of it; filled by
 * {@link RecordDecoder}. Also the zig-zag varint codec of the v2 record format.
 *
 * <p>Thread-safety: none; a mutable view owned by one cleaning.
 */
final class ParsedRecord {
    byte[] bytes;
    int start;
    int length;
    long offset;
    long timestamp;
    ByteBuffer key;
    boolean tombstone;
    /** Position of the first byte after the timestamp delta, and of the attributes byte. */
    int afterTimestamp;
    int attributesAt;

    /** Re-encodes the record with another timestamp delta (a new base timestamp). */
    void writeWithTimestampDelta(ByteBuffer out, long delta) {
        ByteBuffer body = ByteBuffer.allocate(1 + 10 + (start + length - afterTimestamp));
        body.put(bytes[attributesAt]);
        writeVarlong(body, delta);
        body.put(bytes, afterTimestamp, start + length - afterTimestamp);
        writeVarlong(out, body.position());
        out.put(body.array(), 0, body.position());
    }

    static long readVarlong(ByteBuffer in, int maxBytes) {
        long raw = 0;
        for (int i = 0; i < maxBytes; i++) {
            byte b = in.get();
            raw |= (long) (b & 0x7f) << (7 * i);
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new IllegalStateException("varint longer than " + maxBytes + " bytes");
    }

    static void writeVarlong(ByteBuffer out, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7fL) != 0) {
            out.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }
}
