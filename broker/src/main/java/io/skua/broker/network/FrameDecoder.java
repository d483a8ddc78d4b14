package io.skua.broker.network;

import io.vertx.core.buffer.Buffer;

import io.vertx.core.internal.buffer.BufferInternal;
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
 * allocates nothing until all of its bytes have arrived (a client declaring 100 MB and sending nothing costs
 * nothing); then a frame that lies within one chunk is handed out as a view of it (no copy), and one that spans chunks
 * is copied into one heap buffer of its size.
 * Memory held is therefore proportional to the bytes actually received. The frame handed out is that buffer, owned
 * by the receiver from then on.
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
    /** Size of the frame whose prefix has been read and whose bytes are awaited; -1 between frames. */
    private int frameSize = -1;
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
        if (frameSize < 0) {
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
            frameSize = size;
        }
        if (bufferedBytes < frameSize) {
            return false;
        }
        Buffer first = chunks.peekFirst();
        if (first != null && first.length() - headOffset >= frameSize) {
            // The whole frame sits in one chunk: hand out a view of it instead of copying (the chunk is an
            // unpooled heap buffer that nothing else writes to, so the receiver may keep and modify it).
            ByteBuffer view = ((BufferInternal) first).getByteBuf().nioBuffer(headOffset, frameSize);
            advance(first, frameSize);
            frameSize = -1;
            sink.accept(view);
            return true;
        }
        ByteBuffer frame = ByteBuffer.allocate(frameSize);
        byte[] dst = frame.array();
        int filled = 0;
        while (filled < frameSize) {
            Buffer head = chunks.peekFirst();
            int n = Math.min(frameSize - filled, head.length() - headOffset);
            head.getBytes(headOffset, headOffset + n, dst, filled);
            filled += n;
            advance(head, n);
        }
        frameSize = -1;
        sink.accept(frame);
        return true;
    }

    /** Bytes received and not yet handed out in a frame (size prefixes excluded once read). */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /** Whether a frame or size prefix has been started and not finished. */
    public boolean hasPartialFrame() {
        return frameSize >= 0 || sizeBytesRead > 0;
    }

    /** Drops everything held; later offers are ignored. */
    public void fail() {
        failed = true;
        chunks.clear();
        headOffset = 0;
        bufferedBytes = 0;
        frameSize = -1;
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
