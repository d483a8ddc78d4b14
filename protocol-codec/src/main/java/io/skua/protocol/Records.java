package io.skua.protocol;

import java.nio.ByteBuffer;

/**
 * Record data carried by Produce and Fetch (a sequence of record batches). Kept opaque by the codec:
 * either a slice of a request buffer ({@link MemoryRecords}) or, in the broker, a region of a segment file.
 */
public interface Records {
    int sizeInBytes();

    /** Copies all bytes into {@code dst} at its position, advancing it. Used by writers that cannot send files. */
    void copyTo(ByteBuffer dst);
}
