package io.skua.protocol;

import java.nio.ByteBuffer;

/** Writes Kafka protocol primitives. */
public interface Writable {
    void writeByte(byte v);

    void writeShort(short v);

    void writeInt(int v);

    void writeLong(long v);

    void writeDouble(double v);

    void writeUnsignedVarint(int v);

    void writeVarint(int v);

    void writeVarlong(long v);

    void writeUuid(Uuid v);

    void writeByteArray(byte[] v);

    /** Writes the remaining bytes of {@code v} without changing its position. */
    void writeByteBuffer(ByteBuffer v);

    /**
     * Writes record data. A writer that can send file regions (the broker's network writer) may keep
     * file-backed records out of the heap; the default copies them.
     */
    void writeRecords(Records records);
}
