package io.skua.storage;

import io.skua.protocol.Records;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A region of a segment file holding whole record batches, returned by {@link PartitionLog#read}. The broker sends
 * it with sendfile ({@code channel}, {@code position}, {@code sizeInBytes}) or copies it with {@link #copyTo}.
 * The region stays readable after its segment is deleted by retention for {@code file.delete.delay.ms}; it is not
 * protected against {@link PartitionLog#truncateTo} (a follower-only operation), exactly like Kafka.
 *
 * <p>Immutable; the channel is shared, so readers must use positional reads only (as sendfile and
 * {@link #copyTo} do). {@link #EMPTY} has no channel.
 */
public record FetchSlice(FileChannel channel, long position, int sizeInBytes) implements Records {
    public static final FetchSlice EMPTY = new FetchSlice(null, 0, 0);

    public boolean isEmpty() {
        return sizeInBytes == 0;
    }

    /** Copies the region into {@code dst} at its position with positional reads, advancing it. */
    @Override
    public void copyTo(ByteBuffer dst) {
        if (isEmpty()) {
            return;
        }
        ByteBuffer target = dst.slice(dst.position(), sizeInBytes);
        try {
            while (target.hasRemaining()) {
                if (channel.read(target, position + target.position()) < 0) {
                    throw new IOException("Segment file ended before the fetch region");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dst.position(dst.position() + sizeInBytes);
    }

    /** The region's bytes in a new heap buffer (tests, and writers that cannot send files). */
    public ByteBuffer readAll() {
        ByteBuffer buffer = ByteBuffer.allocate(sizeInBytes);
        copyTo(buffer);
        return buffer.flip();
    }
}
