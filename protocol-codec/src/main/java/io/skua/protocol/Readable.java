package io.skua.protocol;

import java.nio.ByteBuffer;

/**
 * Reads Kafka protocol primitives. Every length-prefixed read checks the declared length against
 * {@link #remaining()} before allocating, and throws {@link ProtocolException} when it does not fit.
 */
public interface Readable {
    byte readByte();

    short readShort();

    int readInt();

    long readLong();

    double readDouble();

    int readUnsignedVarint();

    int readVarint();

    long readVarlong();

    Uuid readUuid();

    /** Reads {@code length} bytes as a new array (length checked against remaining first). */
    byte[] readArray(int length);

    /** Returns a zero-copy slice of the next {@code length} bytes and advances past them. */
    ByteBuffer readSlice(int length);

    /** Reads {@code length} bytes of UTF-8. */
    String readString(int length);

    /** Zero-copy records view of the next {@code length} bytes. */
    default Records readRecords(int length) {
        return new MemoryRecords(readSlice(length));
    }

    int remaining();

    /** Skips unknown tagged field bytes. */
    default void skip(int length) {
        readSlice(length);
    }
}
