package io.skua.storage.producer;

import io.skua.protocol.record.RecordBatch;
import io.skua.storage.ActiveProducer;
import io.skua.storage.AppendOrigin;
import io.skua.storage.StorageException.Error;
import io.skua.storage.StorageException;
import io.skua.storage.file.DurableFiles;
import io.skua.storage.file.LogFileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * Idempotent-producer state of one partition: per producer id, its epoch and the metadata of its last
 * {@value #MAX_BATCHES} batches, enough to recognise a retried batch and return its original offsets.
 *
 * <p>Validation follows Kafka's rules. For {@link AppendOrigin#CLIENT} and {@link AppendOrigin#COORDINATOR}, a lower
 * epoch fails with {@code INVALID_PRODUCER_EPOCH}. For {@link AppendOrigin#CLIENT} only: a duplicate of a remembered batch (same epoch, same first and last sequence) is
 * reported, not appended; a new epoch must start at sequence 0; within an epoch the next batch must start right
 * after the last sequence (wrapping from Integer.MAX_VALUE to 0), else {@code OUT_OF_ORDER_SEQUENCE_NUMBER}. A
 * producer storage knows nothing of (first batch, or state lost to retention) may start at any sequence.
 * Replicated batches update the state without checks.
 *
 * <p>Snapshot file {@code <20-digit offset>.snapshot}: the state after every batch below that offset.
 * Big-endian: int32 version (1), int32 producer count, per producer int64 id, int16 epoch, int32 batch count,
 * per batch int32 first sequence, int32 last sequence, int64 first offset, int64 last offset, int64 timestamp;
 * then an int32 CRC32C of all preceding bytes. Written atomically (temp file, fsync, rename) on segment roll and
 * on clean close; on open the newest valid snapshot at or below the log end is loaded and the batches after it
 * are replayed. A snapshot failing its CRC is ignored.
 *
 * <p>Thread-safety: none; only the partition's writer thread uses it.
 */
public final class ProducerStateManager {
    public static final int MAX_BATCHES = 5;
    public static final String SNAPSHOT_SUFFIX = ".snapshot";
    private static final int VERSION = 1;
    private static final short NO_EPOCH = -1;

    /** What one remembered batch covered. */
    public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {
    }

    /** One producer's state; copied before an append changes it, so a failed append leaves no trace. */
    static final class ProducerEntry {
        final long producerId;
        short epoch = NO_EPOCH;
        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(MAX_BATCHES);

        ProducerEntry(long producerId) {
            this.producerId = producerId;
        }

        ProducerEntry copy() {
            ProducerEntry c = new ProducerEntry(producerId);
            c.epoch = epoch;
            c.batches.addAll(batches);
            return c;
        }

        void add(short batchEpoch, BatchMetadata metadata) {
            if (batchEpoch != epoch) {
                epoch = batchEpoch;
                batches.clear();
            }
            if (batches.size() == MAX_BATCHES) {
                batches.removeFirst();
            }
            batches.addLast(metadata);
        }

        Optional<BatchMetadata> findDuplicate(short batchEpoch, int firstSeq, int lastSeq) {
            if (batchEpoch != epoch) {
                return Optional.empty();
            }
            return batches.stream().filter(b -> b.firstSeq == firstSeq && b.lastSeq == lastSeq).findFirst();
        }
    }

    private final Path dir;
    private final Map<Long, ProducerEntry> producers = new HashMap<>();

    public ProducerStateManager(Path dir) {
        this.dir = dir;
    }

    /** Changes of one append, validated batch by batch and applied together by {@link #commit()}. */
    public final class Append {
        private final Map<Long, ProducerEntry> staged = new HashMap<>();

        /**
         * Validates {@code batch} (which will occupy {@code firstOffset..lastOffset}) and stages its metadata.
         *
         * @return the remembered batch it duplicates, if any (nothing is staged then)
         * @throws StorageException INVALID_PRODUCER_EPOCH or OUT_OF_ORDER_SEQUENCE_NUMBER
         */
        public Optional<BatchMetadata> validateAndStage(RecordBatch batch, AppendOrigin origin, long firstOffset,
                                                 long lastOffset, long timestamp) {
            long pid = batch.producerId();
            ProducerEntry entry = staged.get(pid);
            if (entry == null) {
                ProducerEntry current = producers.get(pid);
                entry = current == null ? new ProducerEntry(pid) : current.copy();
            }
            short epoch = batch.producerEpoch();
            int firstSeq = batch.baseSequence();
            int lastSeq = batch.lastSequence();
            if (origin != AppendOrigin.REPLICATION && epoch < entry.epoch) {
                throw new StorageException(Error.INVALID_PRODUCER_EPOCH, "Producer " + pid + " epoch " + epoch
                        + " is older than the current epoch " + entry.epoch);
            }
            if (origin == AppendOrigin.CLIENT && !batch.isControl()) {
                Optional<BatchMetadata> duplicate = entry.findDuplicate(epoch, firstSeq, lastSeq);
                if (duplicate.isPresent()) {
                    return duplicate;
                }
                checkSequence(entry, epoch, firstSeq);
            }
            if (!batch.isControl()) {
                entry.add(epoch, new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset, timestamp));
            }
            staged.put(pid, entry);
            return Optional.empty();
        }

        private void checkSequence(ProducerEntry entry, short epoch, int firstSeq) {
            if (entry.epoch == NO_EPOCH) {
                return; // unknown producer: any sequence starts it
            }
            if (epoch != entry.epoch) {
                if (firstSeq != 0) {
                    throw new StorageException(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, "Producer " + entry.producerId
                            + " new epoch " + epoch + " must start at sequence 0, not " + firstSeq);
                }
                return;
            }
            if (entry.batches.isEmpty()) {
                return;
            }
            int lastSeq = entry.batches.getLast().lastSeq();
            if (firstSeq != RecordBatch.incrementSequence(lastSeq, 1)) {
                throw new StorageException(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, "Producer " + entry.producerId
                        + " epoch " + epoch + ": expected sequence " + RecordBatch.incrementSequence(lastSeq, 1)
                        + ", got " + firstSeq);
            }
        }

        public void commit() {
            producers.putAll(staged);
        }
    }

    public Append begin() {
        return new Append();
    }

    /** Applies a batch read back from the log (recovery, truncation): no checks. */
    public void replay(RecordBatch batch) {
        if (batch.hasProducerId() && !batch.isControl()) {
            producers.computeIfAbsent(batch.producerId(), ProducerEntry::new).add(batch.producerEpoch(),
                    new BatchMetadata(batch.baseSequence(), batch.lastSequence(), batch.baseOffset(),
                            batch.lastOffset(), batch.maxTimestamp()));
        }
    }

    void clear() {
        producers.clear();
    }

    // ---------------------------------------------------------------- snapshots

    public static Path snapshotPath(Path dir, long offset) {
        return dir.resolve(LogFileNames.fileName(offset, SNAPSHOT_SUFFIX));
    }

    public void writeSnapshot(long offset) throws IOException {
        int size = 12;
        for (ProducerEntry e : producers.values()) {
            size += 14 + e.batches.size() * 32;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.putInt(VERSION).putInt(producers.size());
        for (ProducerEntry e : producers.values()) {
            buffer.putLong(e.producerId).putShort(e.epoch).putInt(e.batches.size());
            for (BatchMetadata b : e.batches) {
                buffer.putInt(b.firstSeq).putInt(b.lastSeq).putLong(b.firstOffset).putLong(b.lastOffset)
                        .putLong(b.timestamp);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) crc.getValue());
        DurableFiles.writeAtomically(snapshotPath(dir, offset), buffer.array());
    }

    /**
     * Replaces the state with the newest valid snapshot at or below {@code maxOffset}, after deleting snapshots
     * above it (they describe truncated data).
     *
     * @return the snapshot's offset, or -1 if there is none (the state is then empty)
     */
    public long loadLatestSnapshot(long maxOffset) throws IOException {
        producers.clear();
        TreeSet<Long> offsets = snapshotOffsets();
        for (Long offset : offsets.tailSet(maxOffset, false)) {
            Files.deleteIfExists(snapshotPath(dir, offset));
        }
        for (Long offset : offsets.headSet(maxOffset, true).descendingSet()) {
            if (readSnapshot(snapshotPath(dir, offset))) {
                return offset;
            }
        }
        return -1;
    }

    private boolean readSnapshot(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        if (bytes.length < 12) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if ((int) crc.getValue() != buffer.getInt(bytes.length - 4) || buffer.getInt() != VERSION) {
            return false;
        }
        buffer.limit(bytes.length - 4);
        Map<Long, ProducerEntry> loaded = new HashMap<>();
        try {
            int count = buffer.getInt();
            for (int i = 0; i < count; i++) {
                ProducerEntry e = new ProducerEntry(buffer.getLong());
                e.epoch = buffer.getShort();
                int batches = buffer.getInt();
                for (int j = 0; j < batches; j++) {
                    e.batches.addLast(new BatchMetadata(buffer.getInt(), buffer.getInt(), buffer.getLong(),
                            buffer.getLong(), buffer.getLong()));
                }
                loaded.put(e.producerId, e);
            }
        } catch (java.nio.BufferUnderflowException e) {
            return false;
        }
        producers.clear();
        producers.putAll(loaded);
        return true;
    }

    /** Deletes snapshots strictly between {@code fromExclusive} and {@code toExclusive}. */
    public void deleteSnapshotsBetween(long fromExclusive, long toExclusive) throws IOException {
        for (Long offset : snapshotOffsets()) {
            if (offset > fromExclusive && offset < toExclusive) {
                Files.deleteIfExists(snapshotPath(dir, offset));
            }
        }
    }

    public void deleteSnapshotsBelow(long offset) throws IOException {
        deleteSnapshotsBetween(Long.MIN_VALUE, offset);
    }

    private TreeSet<Long> snapshotOffsets() throws IOException {
        TreeSet<Long> offsets = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SNAPSHOT_SUFFIX)) {
            for (Path f : files) {
                LogFileNames.parseOffset(f, SNAPSHOT_SUFFIX).ifPresent(offsets::add);
            }
        }
        return offsets;
    }

    /** Producers with at least one remembered batch, with their last batch, ordered by producer id. */
    public List<ActiveProducer> activeProducers() {
        List<ActiveProducer> out = new ArrayList<>();
        for (ProducerEntry e : producers.values()) {
            if (!e.batches.isEmpty()) {
                BatchMetadata last = e.batches.getLast();
                out.add(new ActiveProducer(e.producerId, e.epoch, last.lastSeq(), last.timestamp(), last.lastOffset()));
            }
        }
        out.sort(java.util.Comparator.comparingLong(ActiveProducer::producerId));
        return out;
    }

    List<Long> producerIds() {
        return new ArrayList<>(producers.keySet());
    }
}
