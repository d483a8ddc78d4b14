package io.skua.broker.network;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** One piece of a response payload. */
public sealed interface ResponsePart {
    long size();

    /** In-memory bytes: the remaining bytes of {@code buffer}; its position is not changed. */
    record Bytes(ByteBuffer buffer) implements ResponsePart {
        @Override
        public long size() {
            return buffer.remaining();
        }
    }

    /**
     * {@code count} bytes of {@code channel} from {@code position}, sent with sendfile on plaintext connections.
     * The channel is owned by the caller (storage): the network layer never closes it, and the caller must keep
     * it open until the response has been written (or the connection has closed).
     */
    record FileRegion(FileChannel channel, long position, long count) implements ResponsePart {
        public FileRegion {
            if (position < 0 || count < 0) {
                throw new IllegalArgumentException("position=" + position + " count=" + count);
            }
        }

        @Override
        public long size() {
            return count;
        }
    }
}
