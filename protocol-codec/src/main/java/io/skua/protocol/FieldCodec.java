package io.skua.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Field-level encodings shared by the generated message classes: length-prefixed strings, bytes, records
 * and array headers, in both the classic (int16/int32 length, -1 for null) and the compact (unsigned
 * varint of length + 1, 0 for null) form used by flexible versions.
 *
 * <p>Every length is checked against {@link Readable#remaining()} before anything is allocated, and a
 * negative length other than the null marker is rejected.
 */
public final class FieldCodec {
    private FieldCodec() {
    }

    // ---- strings

    public static String readString(Readable r, boolean compact, boolean nullable, String field) {
        int length;
        if (compact) {
            length = r.readUnsignedVarint() - 1;
            if (length < -1) {
                throw new ProtocolException("Field " + field + ": compact string length overflows");
            }
        } else {
            length = r.readShort();
            if (length < -1) {
                throw new ProtocolException("Field " + field + ": negative string length " + length);
            }
        }
        if (length == -1) {
            if (!nullable) {
                throw notNullable(field);
            }
            return null;
        }
        checkLength(r, length, field);
        return r.readString(length);
    }

    public static void writeString(Writable w, String s, boolean compact, boolean nullable, String field) {
        if (s == null) {
            if (!nullable) {
                throw nullNotAllowed(field);
            }
            writeNullLength(w, compact, true);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (compact) {
            w.writeUnsignedVarint(bytes.length + 1);
        } else {
            if (bytes.length > Short.MAX_VALUE) {
                throw new ProtocolException("Field " + field + ": string of " + bytes.length + " bytes is too long");
            }
            w.writeShort((short) bytes.length);
        }
        w.writeByteArray(bytes);
    }

    public static int sizeOfString(String s, boolean compact) {
        if (s == null) {
            return compact ? 1 : 2;
        }
        int len = ByteUtils.utf8Length(s);
        return len + (compact ? ByteUtils.sizeOfUnsignedVarint(len + 1) : 2);
    }

    // ---- bytes, zero-copy bytes, records: int32 length (or compact)

    /** Reads a bytes/records length: -1 for null (only when nullable), otherwise checked to fit. */
    public static int readBytesLength(Readable r, boolean compact, boolean nullable, String field) {
        int length;
        if (compact) {
            length = r.readUnsignedVarint() - 1;
            if (length < -1) {
                throw new ProtocolException("Field " + field + ": compact length overflows");
            }
        } else {
            length = r.readInt();
            if (length < -1) {
                throw new ProtocolException("Field " + field + ": negative length " + length);
            }
        }
        if (length == -1) {
            if (!nullable) {
                throw notNullable(field);
            }
            return -1;
        }
        checkLength(r, length, field);
        return length;
    }

    public static byte[] readBytes(Readable r, boolean compact, boolean nullable, String field) {
        int length = readBytesLength(r, compact, nullable, field);
        return length < 0 ? null : r.readArray(length);
    }

    public static ByteBuffer readByteBuffer(Readable r, boolean compact, boolean nullable, String field) {
        int length = readBytesLength(r, compact, nullable, field);
        return length < 0 ? null : r.readSlice(length);
    }

    public static Records readRecords(Readable r, boolean compact, boolean nullable, String field) {
        int length = readBytesLength(r, compact, nullable, field);
        return length < 0 ? null : r.readRecords(length);
    }

    public static void writeBytes(Writable w, byte[] b, boolean compact, boolean nullable, String field) {
        if (b == null) {
            if (!nullable) {
                throw nullNotAllowed(field);
            }
            writeNullLength(w, compact, false);
            return;
        }
        writeBytesLength(w, b.length, compact);
        w.writeByteArray(b);
    }

    public static void writeByteBuffer(Writable w, ByteBuffer b, boolean compact, boolean nullable, String field) {
        if (b == null) {
            if (!nullable) {
                throw nullNotAllowed(field);
            }
            writeNullLength(w, compact, false);
            return;
        }
        writeBytesLength(w, b.remaining(), compact);
        w.writeByteBuffer(b);
    }

    public static void writeRecords(Writable w, Records records, boolean compact, boolean nullable, String field) {
        if (records == null) {
            if (!nullable) {
                throw nullNotAllowed(field);
            }
            writeNullLength(w, compact, false);
            return;
        }
        writeBytesLength(w, records.sizeInBytes(), compact);
        w.writeRecords(records);
    }

    public static int sizeOfBytes(byte[] b, boolean compact) {
        return sizeOfBytesLength(b == null ? -1 : b.length, compact) + (b == null ? 0 : b.length);
    }

    public static int sizeOfByteBuffer(ByteBuffer b, boolean compact) {
        int len = b == null ? -1 : b.remaining();
        return sizeOfBytesLength(len, compact) + Math.max(len, 0);
    }

    public static int sizeOfRecords(Records records, boolean compact) {
        int len = records == null ? -1 : records.sizeInBytes();
        return sizeOfBytesLength(len, compact) + Math.max(len, 0);
    }

    private static void writeBytesLength(Writable w, int length, boolean compact) {
        if (compact) {
            w.writeUnsignedVarint(length + 1);
        } else {
            w.writeInt(length);
        }
    }

    private static int sizeOfBytesLength(int length, boolean compact) {
        return compact ? ByteUtils.sizeOfUnsignedVarint(length + 1) : 4;
    }

    // ---- arrays

    /**
     * Reads an array count: -1 for a null array (only when nullable). A count larger than the bytes left
     * is rejected before the caller allocates anything (the bound Kafka applies too).
     */
    public static int readArrayLength(Readable r, boolean compact, boolean nullable, String field) {
        return readBytesLength(r, compact, nullable, field);
    }

    /** Writes an array count, or the null marker when {@code count} is -1. */
    public static void writeArrayLength(Writable w, int count, boolean compact) {
        writeBytesLength(w, count, compact);
    }

    public static int sizeOfArrayLength(int count, boolean compact) {
        return sizeOfBytesLength(count, compact);
    }

    public static void writeNullArray(Writable w, boolean compact, boolean nullable, String field) {
        if (!nullable) {
            throw nullNotAllowed(field);
        }
        writeNullLength(w, compact, false);
    }

    // ---- tagged fields

    /** Skips an unknown (or not-in-this-version) tagged field. */
    public static void skipTaggedField(Readable r, int size) {
        if (size < 0 || size > r.remaining()) {
            throw new ProtocolException("Tagged field size " + Integer.toUnsignedString(size)
                    + " exceeds the " + r.remaining() + " bytes left");
        }
        r.skip(size);
    }

    // ---- errors

    public static ProtocolException notNullable(String field) {
        return new ProtocolException("Non-nullable field " + field + " was serialized as null");
    }

    public static ProtocolException nullNotAllowed(String field) {
        return new ProtocolException("Field " + field + " is null but not nullable in this version");
    }

    public static ProtocolException unsupported(String field, short version) {
        return new ProtocolException("Field " + field + " has a non-default value but does not exist in version "
                + version);
    }

    public static ProtocolException unsupportedVersion(String message, short version) {
        return new ProtocolException(message + " does not support version " + version);
    }

    private static void checkLength(Readable r, int length, String field) {
        if (length > r.remaining()) {
            throw new ProtocolException("Field " + field + ": length " + length + " exceeds the "
                    + r.remaining() + " bytes left");
        }
    }

    private static void writeNullLength(Writable w, boolean compact, boolean shortLength) {
        if (compact) {
            w.writeUnsignedVarint(0);
        } else if (shortLength) {
            w.writeShort((short) -1);
        } else {
            w.writeInt(-1);
        }
    }
}
