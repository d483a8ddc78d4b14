package io.skua.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameDecoderTest {
    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(true);
    private final List<ByteBuf> frames = new ArrayList<>();
    private final List<ByteBuf> offered = new ArrayList<>();
    private final List<FrameDecoder> decoders = new ArrayList<>();

    /** Every chunk offered is released once all frames are released and the decoder has let go of the rest. */
    @AfterEach
    void releasesEverything() {
        frames.forEach(ByteBuf::release);
        decoders.forEach(FrameDecoder::fail);
        for (ByteBuf chunk : offered) {
            assertEquals(0, chunk.refCnt(), "chunk still referenced");
        }
    }

    private FrameDecoder decoder(int max) {
        FrameDecoder decoder = new FrameDecoder(max, ALLOC);
        decoders.add(decoder);
        return decoder;
    }

    /** Bytes as the socket hands them over: a direct buffer that the decoder then owns. */
    private ByteBuf chunk(Buffer bytes) {
        ByteBuf chunk = ALLOC.directBuffer(bytes.length()).writeBytes(bytes.getBytes());
        offered.add(chunk);
        return chunk;
    }

    private static Buffer frame(String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return Buffer.buffer().appendInt(bytes.length).appendBytes(bytes);
    }

    private static String text(ByteBuf b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    private void drain(FrameDecoder decoder) {
        while (decoder.decodeNext(frames::add)) {
            // keep going
        }
    }

    @Test
    void shouldDecodeFrameSplitIntoSingleBytes() {
        // Given a frame delivered one byte per read
        FrameDecoder decoder = decoder(1024);
        Buffer wire = frame("hello, split world");

        // When
        for (int i = 0; i < wire.length(); i++) {
            decoder.offer(chunk(wire.slice(i, i + 1).copy()));
            drain(decoder);
            if (i < wire.length() - 1) {
                assertTrue(frames.isEmpty(), "no frame before the last byte");
            }
        }

        // Then
        assertEquals(List.of("hello, split world"), frames.stream().map(FrameDecoderTest::text).toList());
        assertFalse(decoder.hasPartialFrame());
        assertEquals(0, decoder.bufferedBytes());
    }

    @Test
    void shouldDecodeManyFramesFromOneRead() {
        // Given 100 frames in one chunk plus half of the next
        FrameDecoder decoder = decoder(1024);
        Buffer wire = Buffer.buffer();
        for (int i = 0; i < 100; i++) {
            wire.appendBuffer(frame("frame-" + i));
        }
        Buffer last = frame("the-last-one");
        wire.appendBuffer(last.slice(0, 7).copy());

        // When
        decoder.offer(chunk(wire));
        drain(decoder);

        // Then
        assertEquals(100, frames.size());
        for (int i = 0; i < 100; i++) {
            assertEquals("frame-" + i, text(frames.get(i)));
        }
        assertTrue(decoder.hasPartialFrame());

        // When the rest arrives
        decoder.offer(chunk(last.slice(7, last.length()).copy()));
        drain(decoder);

        // Then
        assertEquals("the-last-one", text(frames.get(100)));
    }

    @Test
    void shouldProduceOneFrameAtATimeSoTheCallerCanPause() {
        FrameDecoder decoder = decoder(1024);
        decoder.offer(chunk(frame("a").appendBuffer(frame("b")).appendBuffer(frame("c"))));

        assertTrue(decoder.decodeNext(frames::add));
        assertEquals(1, frames.size());
        assertEquals(2 * 5, decoder.bufferedBytes());

        drain(decoder);
        assertEquals(List.of("a", "b", "c"), frames.stream().map(FrameDecoderTest::text).toList());
    }

    @Test
    void shouldHandOutExactFramesWithoutCopyingWhenAFrameLiesInOneChunk() {
        // Given a chunk holding two whole frames, then a frame split over two chunks
        FrameDecoder decoder = decoder(1024);
        ByteBuf wire = chunk(frame("first").appendBuffer(frame("second")));
        decoder.offer(wire);
        Buffer split = frame("third");
        decoder.offer(chunk(split.slice(0, 6).copy()));
        decoder.offer(chunk(split.slice(6, split.length()).copy()));

        // When decoded
        drain(decoder);

        // Then every frame is exactly its payload, and the in-chunk ones are views of the socket buffer
        assertEquals(List.of("first", "second", "third"), frames.stream().map(FrameDecoderTest::text).toList());
        for (ByteBuf f : frames) {
            assertEquals(text(f).length(), f.readableBytes());
        }
        wire.setByte(4, (byte) 'F');
        assertEquals("First", text(frames.get(0)), "a frame within one chunk shares its bytes (no copy)");
    }

    @Test
    void shouldReleaseEachChunkOnceItsBytesAreHandedOutAndTheFramesViewingItAreReleased() {
        // Given a chunk with one whole frame and the start of a second, and a chunk with the second's rest
        FrameDecoder decoder = decoder(1024);
        Buffer second = frame("second");
        ByteBuf a = chunk(frame("first").appendBuffer(second.slice(0, 5).copy()));
        ByteBuf b = chunk(second.slice(5, second.length()).copy());
        decoder.offer(a);
        decoder.offer(b);

        // When both frames are decoded
        drain(decoder);

        // Then the copied second frame freed both chunks as far as the decoder goes; the first frame still views a
        assertEquals(List.of("first", "second"), frames.stream().map(FrameDecoderTest::text).toList());
        assertEquals(1, a.refCnt(), "held only by the first frame's slice");
        assertEquals(0, b.refCnt());
        frames.remove(0).release();
        assertEquals(0, a.refCnt());

        // And a partial frame's chunk is released when the connection fails the decoder
        ByteBuf partial = chunk(Buffer.buffer().appendInt(10).appendBytes(new byte[3]));
        decoder.offer(partial);
        assertFalse(decoder.decodeNext(frames::add));
        decoder.fail();
        assertEquals(0, partial.refCnt());
    }

    @Test
    void shouldAcceptEmptyFramesAndFramesOfExactlyTheLimit() {
        FrameDecoder decoder = decoder(8);
        decoder.offer(chunk(Buffer.buffer().appendInt(0).appendInt(8).appendBytes(new byte[8])));
        drain(decoder);
        assertEquals(2, frames.size());
        assertEquals(0, frames.get(0).readableBytes());
        assertEquals(8, frames.get(1).readableBytes());
        assertEquals(ByteBuffer.wrap(new byte[8]), frames.get(1).nioBuffer());
    }

    @Test
    void shouldRejectOversizedFrameBeforeBufferingIt() {
        // Given a prefix one byte above the limit followed by some payload
        FrameDecoder decoder = decoder(100);
        decoder.offer(chunk(Buffer.buffer().appendInt(101).appendBytes(new byte[50])));

        // When / Then
        InvalidFrameSizeException e = assertThrows(InvalidFrameSizeException.class, () -> decoder.decodeNext(frames::add));
        assertEquals(101, e.size());
        assertEquals(100, e.maxBytes());
        assertEquals(0, decoder.bufferedBytes(), "everything held is dropped");
        assertFalse(decoder.hasPartialFrame());

        // And the decoder stays failed
        decoder.offer(chunk(frame("late")));
        assertFalse(decoder.decodeNext(frames::add));
        assertTrue(frames.isEmpty());
    }

    @Test
    void shouldRejectHugePrefixWithoutAllocating() {
        // A 2 GiB prefix with a small limit would be an OutOfMemoryError if allocated first.
        FrameDecoder decoder = decoder(ServerSettingsDefaults.MAX);
        decoder.offer(chunk(Buffer.buffer().appendInt(Integer.MAX_VALUE)));
        InvalidFrameSizeException e = assertThrows(InvalidFrameSizeException.class, () -> decoder.decodeNext(frames::add));
        assertEquals(Integer.MAX_VALUE, e.size());
    }

    @Test
    void shouldHoldOnlyTheBytesReceivedForALargeDeclaredFrame() {
        // Given a 100 MB frame declared (within the limit) with only 10 bytes sent
        FrameDecoder decoder = decoder(ServerSettingsDefaults.MAX);
        decoder.offer(chunk(Buffer.buffer().appendInt(100_000_000).appendBytes(new byte[10])));

        // When / Then nothing is produced and only what arrived is held
        assertFalse(decoder.decodeNext(frames::add));
        assertTrue(decoder.hasPartialFrame());
        assertEquals(10, decoder.bufferedBytes());
    }

    @Test
    void shouldRejectNegativeSize() {
        FrameDecoder decoder = decoder(100);
        decoder.offer(chunk(Buffer.buffer().appendInt(-1)));
        InvalidFrameSizeException e = assertThrows(InvalidFrameSizeException.class, () -> decoder.decodeNext(frames::add));
        assertEquals(-1, e.size());
    }

    @Test
    void shouldRejectOversizedPrefixSplitAcrossReads() {
        FrameDecoder decoder = decoder(100);
        decoder.offer(chunk(Buffer.buffer(new byte[] {0, 0})));
        assertFalse(decoder.decodeNext(frames::add));
        assertTrue(decoder.hasPartialFrame());
        decoder.offer(chunk(Buffer.buffer(new byte[] {1, 0})));
        assertThrows(InvalidFrameSizeException.class, () -> decoder.decodeNext(frames::add));
    }

    /** Kafka's default socket.request.max.bytes. */
    private static final class ServerSettingsDefaults {
        static final int MAX = ServerSettings.DEFAULT_MAX_REQUEST_BYTES;
    }
}
