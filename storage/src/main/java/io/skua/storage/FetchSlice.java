package io.skua.storage;

import io.skua.protocol.Records;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A region of a segment file holding whole record batches, returned by
 * {@link io.skua.storage.log.PartitionLog#read}. The broker sends it with sendfile ({@code channel},
 * {@code position}, {@code sizeInBytes}) or copies it with {@link #copyTo}.
 * A small region at the tail of the log may come with its {@code bytes} already copied from memory
 * ({@link io.skua.storage.log.PartitionLog#readFromMemory}); it is then sent from those, not from the file.
 * The region stays readable after its segment is deleted by retention for {@code file.delete.delay.ms}; it is not
 * protected against {@link io.skua.storage.log.PartitionLog#truncateTo} (a follower-only operation), exactly like
 * Kafka.
 *
 * <p>Immutable; the channel is shared, so readers must use positional reads only (as sendfile and
 * {@link #copyTo} do). {@link #EMPTY} has no channel.
 */
public record FetchSlice(FileChannel channel, long position, int sizeInBytes, ByteBuffer bytes) implements Records {
    public static final FetchSlice EMPTY = new FetchSlice(null, 0, 0);

    /** A region to read from the file. */
    public FetchSlice(FileChannel channel, long position, int sizeInBytes) {
        this(channel, position, sizeInBytes, null);
    }

    /** The region's bytes are in {@link #bytes} (read-only to the caller): no need to read the file. */
    public boolean inMemory() {
        return bytes != null;
    }

    public boolean isEmpty() {
        return sizeInBytes == 0;
    }

    /** Copies the region into {@code dst} at its position with positional reads, advancing it. */
    @Override
    public void copyTo(ByteBuffer dst) {
        if (isEmpty()) {
            return;
        }
        if (bytes != null) {
            dst.put(bytes.duplicate());
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
