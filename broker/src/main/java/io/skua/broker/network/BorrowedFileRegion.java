package io.skua.broker.network;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.IllegalReferenceCountException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A Netty {@link FileRegion} over a {@link FileChannel} it does not own.
 *
 * <p>Netty's {@code DefaultFileRegion} closes its channel when released, which would close a storage segment under
 * every other reader. This region's release does nothing to the channel; storage keeps it open and closes it.
 * Transfers use positional {@link FileChannel#transferTo}, safe alongside concurrent readers and appends.
 */
final class BorrowedFileRegion extends AbstractReferenceCounted implements FileRegion {
    private final FileChannel channel;
    private final long position;
    private final long count;
    private long transferred;

    BorrowedFileRegion(FileChannel channel, long position, long count) {
        this.channel = channel;
        this.position = position;
        this.count = count;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long transferTo(WritableByteChannel target, long offset) throws IOException {
        long remaining = count - offset;
        if (remaining < 0 || offset < 0) {
            throw new IllegalArgumentException("offset=" + offset + " count=" + count);
        }
        if (remaining == 0) {
            return 0L;
        }
        if (refCnt() == 0) {
            throw new IllegalReferenceCountException(0);
        }
        long written = channel.transferTo(position + offset, remaining, target);
        if (written > 0) {
            transferred += written;
        } else if (channel.size() < position + count) {
            // The file shrank under us (truncation/deletion); without this check the transport would spin.
            throw new IOException("file region beyond end of file: position=" + position + " count=" + count
                    + " fileSize=" + channel.size());
        }
        return written;
    }

    @Override
    public BorrowedFileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public BorrowedFileRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public BorrowedFileRegion touch() {
        return this;
    }

    @Override
    public BorrowedFileRegion touch(Object hint) {
        return this;
    }

    @Override
    protected void deallocate() {
        // The channel belongs to storage: never closed here.
    }
}
