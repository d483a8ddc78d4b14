package io.skua.storage.producer;

import io.skua.storage.file.DurableFiles;
import io.skua.storage.file.LogFileNames;
import io.skua.storage.producer.ProducerStateManager.BatchMetadata;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * The producer-state snapshot files of a partition, {@code <20-digit offset>.snapshot}: the state after every batch
 * below that offset. Big-endian:
 * <pre>
 * int32 version (2), int32 producer count,
 *   per producer: int64 id, int16 epoch, int32 coordinator epoch, int64 first offset of the ongoing transaction (-1),
 *                 int32 batch count,
 *     per batch:  int32 first sequence, int32 last sequence, int64 first offset, int64 last offset, int64 timestamp
 * int32 CRC32C of all preceding bytes
 * </pre>
 * Version 1 (written before transactions) lacks the coordinator epoch and the transaction offset; it still loads, as
 * producers without a transaction. Written atomically (temp file, fsync, rename).
 *
 * <p>Thread-safety: stateless.
 */
final class ProducerSnapshots {
    static final String SUFFIX = ".snapshot";
    private static final int VERSION_1 = 1;
    private static final int VERSION = 2;

    private ProducerSnapshots() {
    }

    static Path path(Path dir, long offset) {
        return dir.resolve(LogFileNames.fileName(offset, SUFFIX));
    }

    static void write(Path file, Collection<ProducerEntry> producers) throws IOException {
        int size = 12;
        for (ProducerEntry e : producers) {
            size += 26 + e.batches.size() * 32;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putInt(VERSION).putInt(producers.size());
        for (ProducerEntry e : producers) {
            buffer.putLong(e.producerId).putShort(e.epoch).putInt(e.coordinatorEpoch).putLong(e.txnFirstOffset)
                    .putInt(e.batches.size());
            for (BatchMetadata b : e.batches) {
                buffer.putInt(b.firstSeq()).putInt(b.lastSeq()).putLong(b.firstOffset()).putLong(b.lastOffset())
                        .putLong(b.timestamp());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) crc.getValue());
        DurableFiles.writeAtomically(file, buffer.array());
    }

    /** The producers of a snapshot file; empty if it is damaged or of an unknown version. */
    static Optional<Map<Long, ProducerEntry>> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 12) {
            return Optional.empty();
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int version = buffer.getInt();
        if ((int) crc.getValue() != buffer.getInt(bytes.length - 4) || (version != VERSION && version != VERSION_1)) {
            return Optional.empty();
        }
        buffer.limit(bytes.length - 4);
        Map<Long, ProducerEntry> loaded = new HashMap<>();
        try {
            int count = buffer.getInt();
            for (int i = 0; i < count; i++) {
                ProducerEntry e = new ProducerEntry(buffer.getLong());
                e.epoch = buffer.getShort();
                if (version >= VERSION) {
                    e.coordinatorEpoch = buffer.getInt();
                    e.txnFirstOffset = buffer.getLong();
                }
                int batches = buffer.getInt();
                for (int j = 0; j < batches; j++) {
                    e.batches.addLast(new BatchMetadata(buffer.getInt(), buffer.getInt(), buffer.getLong(),
                            buffer.getLong(), buffer.getLong()));
                }
                loaded.put(e.producerId, e);
            }
        } catch (BufferUnderflowException e) {
            return Optional.empty();
        }
        return Optional.of(loaded);
    }

    static TreeSet<Long> offsets(Path dir) throws IOException {
        TreeSet<Long> offsets = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                LogFileNames.parseOffset(f, SUFFIX).ifPresent(offsets::add);
            }
        }
        return offsets;
    }
}
