package io.skua.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrimitivesTest {
    private static final int[] INTS = {0, 1, -1, 63, 64, 127, 128, 16383, 16384, 2097151, 2097152, 268435455,
        268435456, Integer.MAX_VALUE, Integer.MIN_VALUE, -64, -65};

    @Test
    void shouldEncodeVarintsLikeKafka() {
        Random rnd = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            int v = i < INTS.length ? INTS[i] : rnd.nextInt() >> rnd.nextInt(32);
            long l = i < INTS.length ? INTS[i] : rnd.nextLong() >> rnd.nextInt(64);
            assertEquals(org.apache.kafka.common.utils.ByteUtils.sizeOfUnsignedVarint(v), ByteUtils.sizeOfUnsignedVarint(v));
            assertEquals(org.apache.kafka.common.utils.ByteUtils.sizeOfVarint(v), ByteUtils.sizeOfVarint(v));
            assertEquals(org.apache.kafka.common.utils.ByteUtils.sizeOfVarlong(l), ByteUtils.sizeOfVarlong(l));

            ByteBuffer ours = ByteBuffer.allocate(32);
            ByteBufferWriter w = new ByteBufferWriter(ours);
            w.writeUnsignedVarint(v);
            w.writeVarint(v);
            w.writeVarlong(l);
            ByteBuffer theirs = ByteBuffer.allocate(32);
            org.apache.kafka.common.utils.ByteUtils.writeUnsignedVarint(v, theirs);
            org.apache.kafka.common.utils.ByteUtils.writeVarint(v, theirs);
            org.apache.kafka.common.utils.ByteUtils.writeVarlong(l, theirs);
            assertArrayEquals(theirs.flip().array(), ours.flip().array());
            assertEquals(theirs.limit(), ours.limit());

            ByteBufferReader r = new ByteBufferReader(ours);
            assertEquals(v, r.readUnsignedVarint());
            assertEquals(v, r.readVarint());
            assertEquals(l, r.readVarlong());
            assertEquals(0, r.remaining());
        }
    }

    @Test
    void shouldComputeUtf8LengthLikeTheJdkEncoder() {
        String[] samples = {"", "abc", "é", "日本語", "\uD83D\uDE00", "a\uD800b", "\uDC00", "x\uD83D", "\u0000\u007f\u0080\u07ff\u0800\uffff"};
        for (String s : samples) {
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, ByteUtils.utf8Length(s), s);
        }
        Random rnd = new Random(2);
        for (int i = 0; i < 10_000; i++) {
            char[] cs = new char[rnd.nextInt(8)];
            for (int j = 0; j < cs.length; j++) {
                cs[j] = (char) rnd.nextInt(0x10000);
            }
            String s = new String(cs);
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, ByteUtils.utf8Length(s));
        }
    }

    @Test
    void shouldWrapUnderflowInProtocolException() {
        ByteBufferReader r = new ByteBufferReader(ByteBuffer.wrap(new byte[3]));

        assertThrows(ProtocolException.class, r::readInt);
        assertThrows(ProtocolException.class, r::readLong);
        assertThrows(ProtocolException.class, r::readUuid);
        assertThrows(ProtocolException.class, () -> r.readArray(4));
        assertThrows(ProtocolException.class, () -> r.readSlice(-1));
        assertThrows(ProtocolException.class, () -> r.readString(4));
        assertThrows(ProtocolException.class, () -> r.skip(4));
        assertEquals(3, r.remaining());
    }

    @Test
    void shouldReadZeroCopySlices() {
        ByteBuffer buf = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5});
        ByteBufferReader r = new ByteBufferReader(buf);
        r.readByte();

        Records records = r.readRecords(3);

        assertEquals(3, records.sizeInBytes());
        assertEquals(4, buf.position());
        ByteBuffer copy = ByteBuffer.allocate(3);
        records.copyTo(copy);
        assertArrayEquals(new byte[] {2, 3, 4}, copy.array());
    }
}
