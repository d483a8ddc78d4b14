package io.skua.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads protocol primitives from a {@link ByteBuffer} (usually the exact slice of one frame), advancing
 * its position. Running out of bytes, or a declared length that does not fit in what is left, throws
 * {@link ProtocolException}; nothing is allocated for a length before it has been checked.
 */
public final class ByteBufferReader implements Readable {
    private final ByteBuffer buf;

    public ByteBufferReader(ByteBuffer buf) {
        this.buf = buf;
    }

    public ByteBuffer buffer() {
        return buf;
    }

    @Override
    public byte readByte() {
        try {
            return buf.get();
        } catch (BufferUnderflowException e) {
            throw underflow(1, e);
        }
    }

    @Override
    public short readShort() {
        try {
            return buf.getShort();
        } catch (BufferUnderflowException e) {
            throw underflow(2, e);
        }
    }

    @Override
    public int readInt() {
        try {
            return buf.getInt();
        } catch (BufferUnderflowException e) {
            throw underflow(4, e);
        }
    }

    @Override
    public long readLong() {
        try {
            return buf.getLong();
        } catch (BufferUnderflowException e) {
            throw underflow(8, e);
        }
    }

    @Override
    public double readDouble() {
        try {
            return buf.getDouble();
        } catch (BufferUnderflowException e) {
            throw underflow(8, e);
        }
    }

    @Override
    public int readUnsignedVarint() {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = readByte();
            value |= (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new ProtocolException("Unsigned varint is longer than 5 bytes");
    }

    @Override
    public int readVarint() {
        int raw = readUnsignedVarint();
        return (raw >>> 1) ^ -(raw & 1);
    }

    @Override
    public long readVarlong() {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            byte b = readByte();
            raw |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new ProtocolException("Varlong is longer than 10 bytes");
    }

    @Override
    public Uuid readUuid() {
        return new Uuid(readLong(), readLong());
    }

    @Override
    public byte[] readArray(int length) {
        checkLength(length);
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return bytes;
    }

    @Override
    public ByteBuffer readSlice(int length) {
        checkLength(length);
        int pos = buf.position();
        ByteBuffer slice = buf.slice(pos, length);
        buf.position(pos + length);
        return slice;
    }

    @Override
    public String readString(int length) {
        checkLength(length);
        String s;
        if (buf.hasArray()) {
            s = new String(buf.array(), buf.arrayOffset() + buf.position(), length, StandardCharsets.UTF_8);
            buf.position(buf.position() + length);
        } else {
            byte[] bytes = new byte[length];
            buf.get(bytes);
            s = new String(bytes, StandardCharsets.UTF_8);
        }
        return s;
    }

    @Override
    public int remaining() {
        return buf.remaining();
    }

    @Override
    public void skip(int length) {
        checkLength(length);
        buf.position(buf.position() + length);
    }

    private void checkLength(int length) {
        if (length < 0) {
            throw new ProtocolException("Negative length " + length);
        }
        if (length > buf.remaining()) {
            throw new ProtocolException("Length " + length + " exceeds the " + buf.remaining() + " bytes left");
        }
    }

    private ProtocolException underflow(int wanted, BufferUnderflowException e) {
        return new ProtocolException("Truncated input: needed " + wanted + " bytes, " + buf.remaining() + " left", e);
    }
}
