package io.skua.broker.network;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a {@link RequestDispatcher} hands back for one request frame.
 *
 * <p>The parts are the response <em>payload</em> (response header + body) <strong>without</strong> the
 * 4-byte size prefix: the {@link Connection} computes the total size from the parts and prepends it.
 */
public sealed interface Response {

    /** No reply is sent (an {@code acks=0} produce). Return it already completed to keep later responses flowing. */
    static Response none() {
        return None.INSTANCE;
    }

    /** A reply made of a single in-memory buffer. */
    static Response of(ByteBuffer payload) {
        return new Frame(List.of(new ResponsePart.Bytes(payload)));
    }

    static Response of(List<ResponsePart> parts) {
        return new Frame(parts);
    }

    /** The request expects no response. */
    enum None implements Response {
        INSTANCE
    }

    /**
     * A reply frame, written as {@code int32 size} followed by every part in order.
     *
     * @param parts payload parts; in-memory bytes or file regions sent with zero-copy on plaintext sockets
     */
    record Frame(List<ResponsePart> parts) implements Response {
        public Frame {
            parts = List.copyOf(parts);
            long total = 0;
            for (ResponsePart part : parts) {
                total += part.size();
            }
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("response larger than a frame can carry: size=" + total);
            }
        }

        /** Payload size in bytes, the value of the size prefix. */
        public int size() {
            long total = 0;
            for (ResponsePart part : parts) {
                total += part.size();
            }
            return (int) total;
        }
    }
}
