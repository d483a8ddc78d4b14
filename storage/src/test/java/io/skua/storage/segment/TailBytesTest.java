package io.skua.storage.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TailBytesTest {
    private static ByteBuffer bytesFrom(int position, int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) {
            b[i] = (byte) ((position + i) * 31);
        }
        return ByteBuffer.wrap(b);
    }

    private static byte[] copy(TailBytes tail, int from, int to) {
        ByteBuffer b = tail.copy(tail.stamp(), from, to);
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void shouldHoldTheLastCapacityBytesAcrossTheWrap() {
        // Given a ring starting at position 1000 that was written well past one wrap, in odd-sized pieces
        TailBytes tail = new TailBytes(1000);
        int end = 1000;
        while (end < 1000 + 3 * TailBytes.CAPACITY + 123) {
            int n = 1 + (end * 7) % 3000;
            tail.append(bytesFrom(end, n));
            end += n;
        }
        assertEquals(end, tail.end());
        // Then any range of the last CAPACITY bytes comes back exactly, and older bytes do not
        assertArrayEquals(bytesFrom(end - TailBytes.CAPACITY, TailBytes.CAPACITY).array(),
                copy(tail, end - TailBytes.CAPACITY, end));
        assertArrayEquals(bytesFrom(end - 5000, 4000).array(), copy(tail, end - 5000, end - 1000));
        assertNull(copy(tail, end - TailBytes.CAPACITY - 1, end));
        assertNull(copy(tail, end - 10, end + 1));
    }

    @Test
    void shouldNotHoldBytesBeforeItsStartOrKeepThemOverAReset() {
        // Given a ring that started at 500
        TailBytes tail = new TailBytes(500);
        tail.append(bytesFrom(500, 100));
        // Then nothing before 500 is there
        assertNull(copy(tail, 499, 600));
        assertArrayEquals(bytesFrom(550, 50).array(), copy(tail, 550, 600));
        // When it is reset to 550 (a truncation) and new bytes follow
        tail.reset(550);
        tail.append(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        // Then only the new bytes are there
        assertNull(copy(tail, 540, 553));
        assertArrayEquals(new byte[] {1, 2, 3}, copy(tail, 550, 553));
    }

    @Test
    void shouldRefuseACopyWhenTheWriterChangedTheRingSinceTheStamp() {
        TailBytes tail = new TailBytes(0);
        tail.append(bytesFrom(0, 100));
        long stamp = tail.stamp();
        tail.append(bytesFrom(100, 10));
        assertNull(tail.copy(stamp, 0, 100));
        assertArrayEquals(bytesFrom(0, 110).array(), copy(tail, 0, 110));
    }

    @Test
    void shouldKeepTheEndOfAnAppendLargerThanTheRing() {
        TailBytes tail = new TailBytes(0);
        tail.append(bytesFrom(0, 2 * TailBytes.CAPACITY + 7));
        int end = 2 * TailBytes.CAPACITY + 7;
        assertEquals(end, tail.end());
        assertArrayEquals(bytesFrom(end - TailBytes.CAPACITY, TailBytes.CAPACITY).array(),
                copy(tail, end - TailBytes.CAPACITY, end));
    }
}
