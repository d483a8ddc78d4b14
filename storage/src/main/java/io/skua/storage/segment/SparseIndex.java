package io.skua.storage.segment;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An append-only file of fixed-size entries {@code key, value}, both ascending, searched by binary search with
 * positional reads (no mmap, nothing cached on the heap). Two uses:
 * <ul>
 *   <li>offset index ({@code .index}): key = offset relative to the segment base (int32), value = file position
 *       of the batch with that base offset (int32); 8 bytes per entry;</li>
 *   <li>time index ({@code .timeindex}): key = the segment's max timestamp so far (int64), value = relative base
 *       offset of the batch that carried it (int32); 12 bytes per entry.</li>
 * </ul>
 * Big-endian, no header. A trailing partial entry (torn write) is dropped on open.
 *
 * <p>New entries are written behind: they collect in memory (up to {@link #PENDING_ENTRIES}) and go to the file in
 * one write when that fills up, on {@link #flush} and on {@link #close}; {@link #truncateToEntries} drops the ones it
 * removes from memory and truncates the file only below what was written. An appended
 * batch that adds an index entry would otherwise cost two small writes to the index files (each dirtying an inode)
 * besides its own. A crash may therefore lose the newest entries; the indexes of segments past the recovery point
 * are rebuilt anyway, and the segments before it were flushed.
 *
 * <p>Thread-safety: one writer (append, truncate) and any number of concurrent readers; {@link #entries()} is
 * volatile and counts the entries readers can see, in the file or in memory. Entries below the volatile
 * {@code written} are read from the file without a lock; the ones in memory are read under the index's monitor,
 * which the writer holds while it changes them.
 */
final class SparseIndex implements Closeable {
    /** Per-thread room for one entry of either kind (at most 12 bytes). */
    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(Long.BYTES + Integer.BYTES));

    /** Entries kept in memory before they are written to the file together. */
    static final int PENDING_ENTRIES = 256;

    private final FileChannel channel;
    private final int keySize;
    private final int entrySize;
    private volatile Path path;
    private volatile int entries;
    /** Entries {@code [0, written)} are in the file; {@code [written, entries)} are in {@link #pending}. */
    private volatile int written;
    /** Entries not written yet, from entry {@code written} on; null while there are none. Guarded by this. */
    private ByteBuffer pending;

    private SparseIndex(Path path, FileChannel channel, int keySize) throws IOException {
        this.path = path;
        this.channel = channel;
        this.keySize = keySize;
        this.entrySize = keySize + Integer.BYTES;
        long size = channel.size();
        this.entries = (int) (size / entrySize);
        this.written = entries;
        if (size % entrySize != 0) {
            channel.truncate((long) entries * entrySize);
        }
    }

    static SparseIndex offsetIndex(Path path, boolean truncate) throws IOException {
        return new SparseIndex(path, open(path, truncate), Integer.BYTES);
    }

    static SparseIndex timeIndex(Path path, boolean truncate) throws IOException {
        return new SparseIndex(path, open(path, truncate), Long.BYTES);
    }

    private static FileChannel open(Path path, boolean truncate) throws IOException {
        return truncate
                ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)
                : FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    int entries() {
        return entries;
    }

    long key(int i) throws IOException {
        ByteBuffer entry = read(i);
        return keySize == Long.BYTES ? entry.getLong(0) : entry.getInt(0);
    }

    int value(int i) throws IOException {
        return read(i).getInt(keySize);
    }

    /**
     * Puts entry {@code i} into this thread's scratch buffer (direct, so the positional read needs no temporary
     * copy; a lookup's binary search reads several entries and must not allocate per probe). Valid until the
     * thread's next read. An entry not written yet is copied from memory under the monitor; one below
     * {@code written} is read from the file without it.
     */
    private ByteBuffer read(int i) throws IOException {
        ByteBuffer entry = SCRATCH.get().clear().limit(entrySize);
        if (i >= written) {
            synchronized (this) {
                if (i >= written) {
                    if (i >= entries || pending == null) {
                        throw new IOException("Index " + path + " has no entry " + i + " (it has " + entries + ")");
                    }
                    return entry.put(0, pending, (i - written) * entrySize, entrySize);
                }
            }
        }
        long at = (long) i * entrySize;
        while (entry.hasRemaining()) {
            if (channel.read(entry, at + entry.position()) < 0) {
                throw new IOException("Index " + path + " ends inside entry " + i);
            }
        }
        return entry;
    }

    /** Index of the last entry whose key is at most {@code key}, or -1. */
    int floorByKey(long key) throws IOException {
        return countAtMost(true, key, entries) - 1;
    }

    /** Index of the last entry whose value is at most {@code value}, or -1. */
    int floorByValue(long value) throws IOException {
        return countAtMost(false, value, entries) - 1;
    }

    private int countAtMost(boolean byKey, long bound, int n) throws IOException {
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            long field = byKey ? key(mid) : value(mid);
            if (field <= bound) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    synchronized void append(long key, int value) throws IOException {
        if (pending == null) {
            pending = ByteBuffer.allocate(PENDING_ENTRIES * entrySize);
        }
        int at = (entries - written) * entrySize;
        if (keySize == Long.BYTES) {
            pending.putLong(at, key);
        } else {
            pending.putInt(at, Math.toIntExact(key));
        }
        pending.putInt(at + keySize, value);
        entries++;
        if (entries - written == PENDING_ENTRIES) {
            writePending();
        }
    }

    /** Writes the entries kept in memory to the file (not fsynced). */
    synchronized void writePending() throws IOException {
        int n = entries - written;
        if (n > 0) {
            ByteBuffer src = pending.duplicate().position(0).limit(n * entrySize);
            long at = (long) written * entrySize;
            while (src.hasRemaining()) {
                channel.write(src, at + src.position());
            }
            written = entries;
        }
    }

    /** Keeps only the first {@code n} entries. */
    void truncateToEntries(int n) throws IOException {
        synchronized (this) {
            if (n >= entries) {
                return;
            }
            if (n >= written) {
                entries = n; // only entries in memory go
                return;
            }
            entries = n;
            written = n;
        }
        channel.truncate((long) n * entrySize);
    }

    /** Removes every entry whose value is {@code value} or more. */
    void truncateFromValue(long value) throws IOException {
        truncateToEntries(countAtMost(false, value - 1, entries));
    }

    /**
     * A cheap plausibility check of a file that was not rebuilt on open (as Kafka's sanity check): the last entry's
     * value is in {@code [0, valueLimit)} and the last two entries ascend.
     */
    boolean isSane(long valueLimit) throws IOException {
        int n = entries;
        if (n == 0) {
            return true;
        }
        long lastValue = value(n - 1);
        if (lastValue < 0 || lastValue >= valueLimit) {
            return false;
        }
        return n == 1 || (key(n - 2) < key(n - 1) && value(n - 2) <= lastValue);
    }

    /** Writes the entries kept in memory and fsyncs the file; the memory for them is released until the next append. */
    void flush() throws IOException {
        synchronized (this) {
            writePending();
            pending = null;
        }
        channel.force(true);
    }

    Path path() {
        return path;
    }

    void renameTo(Path target) throws IOException {
        java.nio.file.Files.move(path, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        path = target;
    }

    /** Writes the entries kept in memory (a clean shutdown keeps the whole index) and closes the file. */
    @Override
    public void close() throws IOException {
        try {
            if (channel.isOpen()) {
                writePending();
            }
        } finally {
            channel.close();
        }
    }
}
