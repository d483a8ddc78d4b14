package io.skua.broker.network;

import io.vertx.core.buffer.Buffer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Bounded length-prefix framing: {@code int32 size} followed by {@code size} bytes.
 *
 * <p>Pull-based so that the connection can stop in the middle of a socket read when it must pause:
 * {@link #offer(Buffer)} keeps a reference to the chunk (Vert.x hands out unpooled heap buffers, safe to hold),
 * {@link #decodeNext(Consumer)} produces at most one frame.
 *
 * <p>Memory: the size prefix is checked against {@code maxFrameBytes} before anything is allocated for the frame;
 * an invalid size throws {@link InvalidFrameSizeException} and the decoder drops everything it holds. A valid size
 * allocates exactly one heap buffer of that size, filled from the chunks as they arrive (one copy per frame). The
 * frame handed out is that buffer, owned by the receiver from then on.
 *
 * <p>Not thread-safe: confined to the connection's event loop.
 */
public final class FrameDecoder {
    private static final int SIZE_BYTES = 4;

    private final int maxFrameBytes;
    /** Chunks offered and not yet fully consumed; the head's read position is {@link #headOffset}. */
    private final ArrayDeque<Buffer> chunks = new ArrayDeque<>();
    private int headOffset;
    private long bufferedBytes;

    /** Size prefix bytes read so far (0..4) and their value (big-endian, accumulated). */
    private int sizeBytesRead;
    private int sizeAccumulator;
    /** The frame being filled, allocated once its size is known and valid; null between frames. */
    private ByteBuffer frame;
    private boolean failed;

    public FrameDecoder(int maxFrameBytes) {
        if (maxFrameBytes < 0) {
            throw new IllegalArgumentException("maxFrameBytes=" + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Adds bytes read from the socket. Ignored once the decoder has failed. */
    public void offer(Buffer chunk) {
        if (failed || chunk.length() == 0) {
            return;
        }
        chunks.addLast(chunk);
        bufferedBytes += chunk.length();
    }

    /**
     * Decodes at most one frame and hands it to {@code sink}.
     *
     * @return true when a frame was produced, false when more bytes are needed
     * @throws InvalidFrameSizeException when a size prefix is negative or above the limit
     */
    public boolean decodeNext(Consumer<ByteBuffer> sink) {
        if (failed) {
            return false;
        }
        if (frame == null) {
            while (sizeBytesRead < SIZE_BYTES) {
                Buffer head = chunks.peekFirst();
                if (head == null) {
                    return false;
                }
                sizeAccumulator = (sizeAccumulator << 8) | (head.getByte(headOffset) & 0xFF);
                sizeBytesRead++;
                advance(head, 1);
            }
            int size = sizeAccumulator;
            sizeBytesRead = 0;
            sizeAccumulator = 0;
            if (size < 0 || size > maxFrameBytes) {
                fail();
                throw new InvalidFrameSizeException(size, maxFrameBytes);
            }
            frame = ByteBuffer.allocate(size);
        }
        while (frame.hasRemaining()) {
            Buffer head = chunks.peekFirst();
            if (head == null) {
                return false;
            }
            int n = Math.min(frame.remaining(), head.length() - headOffset);
            head.getBytes(headOffset, headOffset + n, frame.array(), frame.arrayOffset() + frame.position());
            frame.position(frame.position() + n);
            advance(head, n);
        }
        ByteBuffer complete = frame.flip();
        frame = null;
        sink.accept(complete);
        return true;
    }

    /** Bytes received but not yet copied into a frame (excludes the partially filled frame). */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /** Whether a frame or size prefix has been started and not finished. */
    public boolean hasPartialFrame() {
        return frame != null || sizeBytesRead > 0;
    }

    /** Drops everything held; later offers are ignored. */
    public void fail() {
        failed = true;
        chunks.clear();
        headOffset = 0;
        bufferedBytes = 0;
        frame = null;
    }

    private void advance(Buffer head, int n) {
        headOffset += n;
        bufferedBytes -= n;
        if (headOffset == head.length()) {
            chunks.removeFirst();
            headOffset = 0;
        }
    }
}
