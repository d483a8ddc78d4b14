package io.skua.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Bounded length-prefix framing: {@code int32 size} followed by {@code size} bytes.
 *
 * <p>Pull-based so that the connection can stop in the middle of a socket read when it must pause:
 * {@link #offer(ByteBuf)} takes the chunk, {@link #decodeNext(Consumer)} produces at most one frame.
 *
 * <p>Ownership: the decoder owns every chunk it was offered (usually pooled direct buffers straight from the
 * socket) and releases each once all of its bytes have been handed out, or on {@link #fail()}. The frame given to
 * the sink is owned by the sink, which must release it: a retained slice of the chunk when the frame lies within
 * one chunk (no copy), otherwise one buffer of the frame's size from the allocator (its default kind: direct for
 * the socket's pooled allocator) that the spanning bytes are copied into. Either is writable and nothing else writes to it.
 *
 * <p>Memory: the size prefix is checked against {@code maxFrameBytes} before anything is allocated for the frame;
 * an invalid size throws {@link InvalidFrameSizeException} and the decoder releases everything it holds. A valid
 * size allocates nothing until all of its bytes have arrived (a client declaring 100 MB and sending nothing costs
 * nothing), so memory held is proportional to the bytes actually received.
 *
 * <p>Not thread-safe: confined to the connection's event loop.
 */
public final class FrameDecoder {
    private static final int SIZE_BYTES = 4;

    private final int maxFrameBytes;
    private final ByteBufAllocator allocator;
    /** Chunks offered and not yet fully consumed; each is read from its reader index on. */
    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
    private long bufferedBytes;

    /** Size prefix bytes read so far (0..4) and their value (big-endian, accumulated). */
    private int sizeBytesRead;
    private int sizeAccumulator;
    /** Size of the frame whose prefix has been read and whose bytes are awaited; -1 between frames. */
    private int frameSize = -1;
    private boolean failed;

    public FrameDecoder(int maxFrameBytes, ByteBufAllocator allocator) {
        if (maxFrameBytes < 0) {
            throw new IllegalArgumentException("maxFrameBytes=" + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
        this.allocator = allocator;
    }

    /** Takes ownership of bytes read from the socket. Released at once when empty or once the decoder has failed. */
    public void offer(ByteBuf chunk) {
        if (failed || !chunk.isReadable()) {
            chunk.release();
            return;
        }
        chunks.addLast(chunk);
        bufferedBytes += chunk.readableBytes();
    }

    /**
     * Decodes at most one frame and hands it, with ownership, to {@code sink}.
     *
     * @return true when a frame was produced, false when more bytes are needed
     * @throws InvalidFrameSizeException when a size prefix is negative or above the limit
     */
    public boolean decodeNext(Consumer<ByteBuf> sink) {
        if (failed) {
            return false;
        }
        if (frameSize < 0) {
            while (sizeBytesRead < SIZE_BYTES) {
                ByteBuf head = chunks.peekFirst();
                if (head == null) {
                    return false;
                }
                sizeAccumulator = (sizeAccumulator << 8) | head.readUnsignedByte();
                sizeBytesRead++;
                consumed(head, 1);
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
        ByteBuf frame;
        ByteBuf first = chunks.peekFirst();
        if (frameSize == 0) {
            frame = allocator.buffer(0);
        } else if (first.readableBytes() >= frameSize) {
            frame = first.readRetainedSlice(frameSize);
            consumed(first, frameSize);
        } else {
            frame = allocator.buffer(frameSize, frameSize);
            while (frame.isWritable()) {
                ByteBuf head = chunks.peekFirst();
                int n = Math.min(frame.writableBytes(), head.readableBytes());
                frame.writeBytes(head, n);
                consumed(head, n);
            }
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

    /** Releases everything held; later offers are released at once. Idempotent. */
    public void fail() {
        failed = true;
        ByteBuf chunk;
        while ((chunk = chunks.pollFirst()) != null) {
            chunk.release();
        }
        bufferedBytes = 0;
        frameSize = -1;
    }

    /** Accounts for {@code n} bytes read from {@code head}, the first chunk, and releases it once it is empty. */
    private void consumed(ByteBuf head, int n) {
        bufferedBytes -= n;
        if (!head.isReadable()) {
            chunks.removeFirst();
            head.release();
        }
    }
}
