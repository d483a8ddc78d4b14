package io.skua.broker.network;

import io.netty.channel.DefaultFileRegion;

import java.nio.channels.FileChannel;

/**
 * A Netty file region over a {@link FileChannel} it does not own.
 *
 * <p>Netty's {@link DefaultFileRegion} closes its channel when released, which would close a storage segment under
 * every other reader. This region's release does nothing to the channel; storage keeps it open and closes it.
 *
 * <p>It is a {@code DefaultFileRegion} because that is the type the native epoll transport sends with its own
 * {@code sendfile(2)} call; any other region type would be copied through a user-space buffer there. On NIO the
 * transfer is the positional {@link FileChannel#transferTo}. Both are safe alongside concurrent readers and
 * appends, and both fail the write (instead of spinning) when the file has shrunk below the region, as it does
 * after a truncation.
 */
final class BorrowedFileRegion extends DefaultFileRegion {

    BorrowedFileRegion(FileChannel channel, long position, long count) {
        super(channel, position, count);
    }

    @Override
    protected void deallocate() {
        // The channel belongs to storage: never closed here.
    }
}
