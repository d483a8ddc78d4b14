package io.skua.storage.segment;

import io.skua.storage.AbortedTransaction;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The aborted-transaction index of a {@link Segment}, {@code <base>.txnindex} (Kafka's {@code TransactionIndex}): one
 * entry per transaction whose abort marker lies in the segment, in marker order. Each entry is 34 bytes, big-endian:
 * {@code int16 version (0), int64 producerId, int64 firstOffset, int64 lastOffset (the marker), int64
 * lastStableOffset} (see {@link AbortedTransaction}). No header. The file is created by the first entry, so segments
 * without aborted transactions have none.
 *
 * <p>Crash behaviour: an entry is written (not fsynced) when its marker is appended, and fsynced with the segment. On
 * open a trailing partial entry, and anything from an entry of an unknown version on, is dropped. Segments the loader
 * recovers get their index rebuilt from the markers in the log.
 *
 * <p>Thread-safety: one writer (the partition's writer thread); readers on any thread see an immutable list of the
 * entries, replaced whole by each change (aborts are rare, so the copies are cheap).
 */
final class TransactionIndex implements Closeable {
    static final int ENTRY_SIZE = 34;
    private static final short VERSION = 0;

    private volatile Path path;
    private volatile List<AbortedTransaction> entries;
    /** Open once the file exists. Writer only. */
    private FileChannel channel;

    /** @param create true for a new segment: a leftover file of that name is deleted */
    TransactionIndex(Path path, boolean create) throws IOException {
        this.path = path;
        if (create) {
            Files.deleteIfExists(path);
            entries = List.of();
        } else {
            entries = load();
        }
    }

    private List<AbortedTransaction> load() throws IOException {
        if (!Files.exists(path)) {
            return List.of();
        }
        channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = channel.size();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, Integer.MAX_VALUE));
        while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
            // read it all
        }
        buffer.flip();
        List<AbortedTransaction> loaded = new ArrayList<>();
        while (buffer.remaining() >= ENTRY_SIZE && buffer.getShort(buffer.position()) == VERSION) {
            buffer.getShort();
            loaded.add(new AbortedTransaction(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong()));
        }
        if ((long) loaded.size() * ENTRY_SIZE != size) {
            channel.truncate((long) loaded.size() * ENTRY_SIZE);
        }
        return List.copyOf(loaded);
    }

    List<AbortedTransaction> entries() {
        return entries;
    }

    /** Writer: adds an entry (its marker must come after those of the existing entries). */
    void append(AbortedTransaction txn) throws IOException {
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }
        List<AbortedTransaction> current = entries;
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE).putShort(VERSION).putLong(txn.producerId())
                .putLong(txn.firstOffset()).putLong(txn.lastOffset()).putLong(txn.lastStableOffset()).flip();
        long at = (long) current.size() * ENTRY_SIZE;
        while (b.hasRemaining()) {
            at += channel.write(b, at);
        }
        List<AbortedTransaction> updated = new ArrayList<>(current);
        updated.add(txn);
        entries = List.copyOf(updated);
    }

    /** Writer: drops the entries whose marker is at or after {@code offset}. */
    void truncateTo(long offset) throws IOException {
        List<AbortedTransaction> current = entries;
        int keep = 0;
        while (keep < current.size() && current.get(keep).lastOffset() < offset) {
            keep++;
        }
        if (keep == current.size()) {
            return;
        }
        entries = List.copyOf(current.subList(0, keep));
        if (channel != null) {
            channel.truncate((long) keep * ENTRY_SIZE);
        }
    }

    /**
     * Adds to {@code out} the entries of transactions overlapping {@code [fetchOffset, upperBoundOffset)}, in order.
     *
     * @return true if an entry showed that no later one can overlap (its last stable offset reaches the bound)
     */
    boolean collect(long fetchOffset, long upperBoundOffset, List<AbortedTransaction> out) {
        for (AbortedTransaction txn : entries) {
            if (txn.lastOffset() >= fetchOffset && txn.firstOffset() < upperBoundOffset) {
                out.add(txn);
            }
            if (txn.lastStableOffset() >= upperBoundOffset) {
                return true;
            }
        }
        return false;
    }

    Path path() {
        return path;
    }

    void flush() throws IOException {
        if (channel != null) {
            channel.force(true);
        }
    }

    void renameTo(Path target) throws IOException {
        if (Files.exists(path)) {
            Files.move(path, target, StandardCopyOption.REPLACE_EXISTING);
        }
        path = target;
    }

    void deleteFile() throws IOException {
        Files.deleteIfExists(path);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
