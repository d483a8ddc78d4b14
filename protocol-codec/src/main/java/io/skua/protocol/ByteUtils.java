package io.skua.protocol;

import java.nio.ByteBuffer;

/** Sizes of protocol primitives. Pure functions, no allocation. */
public final class ByteUtils {
    public static final byte[] EMPTY_BYTES = new byte[0];
    /** A shared, read-only, empty buffer (its position cannot move). */
    public static final ByteBuffer EMPTY_BUFFER = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private ByteUtils() {
    }

    public static int sizeOfUnsignedVarint(int value) {
        // 1 byte per started group of 7 bits; value is treated as unsigned.
        int bits = 32 - Integer.numberOfLeadingZeros(value);
        return bits == 0 ? 1 : (bits + 6) / 7;
    }

    public static int sizeOfVarint(int value) {
        return sizeOfUnsignedVarint((value << 1) ^ (value >> 31));
    }

    public static int sizeOfUnsignedVarlong(long value) {
        int bits = 64 - Long.numberOfLeadingZeros(value);
        return bits == 0 ? 1 : (bits + 6) / 7;
    }

    public static int sizeOfVarlong(long value) {
        return sizeOfUnsignedVarlong((value << 1) ^ (value >> 63));
    }

    /** The number of bytes {@code s.getBytes(UTF_8)} would return, without encoding. */
    public static int utf8Length(CharSequence s) {
        int len = s.length();
        int bytes = len;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 2; // 4 bytes for the pair, counted as 2 chars already
                i++;
            } else {
                bytes += 2; // 3-byte sequence; a lone surrogate is encoded as '?' (1 byte) by the JDK
                if (Character.isSurrogate(c)) {
                    bytes -= 2;
                }
            }
        }
        return bytes;
    }
}
