package io.skua.protocol;

import java.nio.ByteBuffer;

/**
 * Writes protocol primitives into a {@link ByteBuffer}, advancing its position. The buffer is normally
 * allocated with {@link ApiMessage#size(short)} bytes; running out of room is a bug and throws
 * {@link java.nio.BufferOverflowException}. Records are copied (see {@link Records#copyTo}).
 */
public final class ByteBufferWriter implements Writable {
    private final ByteBuffer buf;

    public ByteBufferWriter(ByteBuffer buf) {
        this.buf = buf;
    }

    /** Serializes {@code message} into a new heap buffer of exactly its size, flipped for reading. */
    public static ByteBuffer serialize(ApiMessage message, short version) {
        ByteBuffer buf = ByteBuffer.allocate(message.size(version));
        message.write(new ByteBufferWriter(buf), version);
        if (buf.hasRemaining()) {
            throw new IllegalStateException(message.getClass().getSimpleName() + " v" + version
                    + " wrote " + buf.position() + " bytes but its size is " + buf.capacity());
        }
        return buf.flip();
    }

    public ByteBuffer buffer() {
        return buf;
    }

    @Override
    public void writeByte(byte v) {
        buf.put(v);
    }

    @Override
    public void writeShort(short v) {
        buf.putShort(v);
    }

    @Override
    public void writeInt(int v) {
        buf.putInt(v);
    }

    @Override
    public void writeLong(long v) {
        buf.putLong(v);
    }

    @Override
    public void writeDouble(double v) {
        buf.putDouble(v);
    }

    @Override
    public void writeUnsignedVarint(int v) {
        while ((v & 0xffffff80) != 0) {
            buf.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        buf.put((byte) v);
    }

    @Override
    public void writeVarint(int v) {
        writeUnsignedVarint((v << 1) ^ (v >> 31));
    }

    @Override
    public void writeVarlong(long v) {
        long raw = (v << 1) ^ (v >> 63);
        while ((raw & 0xffffffffffffff80L) != 0L) {
            buf.put((byte) ((raw & 0x7f) | 0x80));
            raw >>>= 7;
        }
        buf.put((byte) raw);
    }

    @Override
    public void writeUuid(Uuid v) {
        buf.putLong(v.mostSignificantBits());
        buf.putLong(v.leastSignificantBits());
    }

    @Override
    public void writeByteArray(byte[] v) {
        buf.put(v);
    }

    @Override
    public void writeByteBuffer(ByteBuffer v) {
        buf.put(v.duplicate());
    }

    @Override
    public void writeRecords(Records records) {
        records.copyTo(buf);
    }
}
