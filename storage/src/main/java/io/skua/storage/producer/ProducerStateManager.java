package io.skua.storage.producer;

import io.skua.protocol.record.RecordBatch;
import io.skua.storage.ActiveProducer;
import io.skua.storage.AppendOrigin;
import io.skua.storage.StorageException.Error;
import io.skua.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Idempotent and transactional producer state of one partition: per producer id, its epoch, the metadata of its last
 * {@value #MAX_BATCHES} batches (enough to recognise a retried batch and return its original offsets), the
 * coordinator epoch of its last transaction marker and the first offset of its ongoing transaction; plus the
 * partition's open transactions ({@link TransactionState}), which bound the last stable offset.
 *
 * <p>Validation follows Kafka's rules. For {@link AppendOrigin#CLIENT} and {@link AppendOrigin#COORDINATOR}, a lower
 * epoch fails with {@code INVALID_PRODUCER_EPOCH}. For {@link AppendOrigin#CLIENT} only: a duplicate of a remembered
 * batch (same epoch, same first and last sequence) is reported, not appended; a new epoch must start at sequence 0;
 * within an epoch the next batch must start right after the last sequence (wrapping from Integer.MAX_VALUE to 0), or at
 * 0 when a marker that bumped the epoch left no batch, else {@code OUT_OF_ORDER_SEQUENCE_NUMBER}. A producer storage
 * knows nothing of (first batch, or state lost to retention) may start at any sequence.
 *
 * <p>Transactions: a transactional batch of a producer without an ongoing transaction starts one at its first offset;
 * a non-transactional batch while one is ongoing fails with {@code INVALID_TXN_STATE}. A marker (control batch, see
 * {@link ControlMarker}) ends the ongoing transaction, if any, takes the marker's producer epoch (a higher one, as
 * transaction version 2 writes, forgets the batches so the next starts at sequence 0) and coordinator epoch, and
 * touches no sequence; a marker with a lower coordinator epoch than the last one fails with
 * {@code TRANSACTION_COORDINATOR_FENCED}. Replicated batches update the state without any check.
 *
 * <p>Snapshots: see {@link ProducerSnapshots} for the file format. Written on segment roll and on clean close; on open
 * the newest valid snapshot at or below the log end is loaded and the batches after it are replayed. A snapshot
 * failing its CRC is ignored.
 *
 * <p>Thread-safety: none; only the partition's writer thread uses it.
 */
public final class ProducerStateManager {
    public static final int MAX_BATCHES = 5;
    public static final String SNAPSHOT_SUFFIX = ProducerSnapshots.SUFFIX;

    /** What one remembered batch covered. */
    public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {
    }

    /**
     * A transaction a marker ended.
     *
     * @param lastOffset       the marker's offset
     * @param lastStableOffset the last stable offset right after it (see {@link TransactionState#completed})
     */
    public record CompletedTxn(long producerId, long firstOffset, long lastOffset, boolean aborted,
                               long lastStableOffset) {
    }

    /** A transaction an append started ({@code markerOffset < 0}) or ended, in append order. */
    private record TxnEvent(long producerId, long firstOffset, long markerOffset, boolean aborted) {
    }

    private final Path dir;
    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    private final TransactionState transactions = new TransactionState();

    public ProducerStateManager(Path dir) {
        this.dir = dir;
    }

    /** Changes of one append, validated batch by batch and applied together by {@link #commit()}. */
    public final class Append {
        private final Map<Long, ProducerEntry> staged = new HashMap<>();
        private final List<TxnEvent> events = new ArrayList<>();

        /**
         * Validates {@code batch} (which will occupy {@code firstOffset..lastOffset}; a control batch must be whole,
         * as appends have it) and stages its effect.
         *
         * @return the remembered batch it duplicates, if any (nothing is staged then)
         * @throws StorageException INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_TXN_STATE or
         *                          TRANSACTION_COORDINATOR_FENCED
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
            boolean checked = origin != AppendOrigin.REPLICATION;
            if (checked && epoch < entry.epoch) {
                throw new StorageException(Error.INVALID_PRODUCER_EPOCH, "Producer " + pid + " epoch " + epoch
                        + " is older than the current epoch " + entry.epoch);
            }
            if (batch.isControl()) {
                Optional<ControlMarker> marker = ControlMarker.parse(batch);
                if (marker.isPresent()) {
                    if (checked && marker.get().coordinatorEpoch() < entry.coordinatorEpoch) {
                        throw new StorageException(Error.TRANSACTION_COORDINATOR_FENCED, "Marker for producer " + pid
                                + " has coordinator epoch " + marker.get().coordinatorEpoch() + ", older than "
                                + entry.coordinatorEpoch);
                    }
                    endTransaction(entry, epoch, marker.get(), firstOffset);
                }
                staged.put(pid, entry);
                return Optional.empty();
            }
            int firstSeq = batch.baseSequence();
            int lastSeq = batch.lastSequence();
            if (origin == AppendOrigin.CLIENT) {
                Optional<BatchMetadata> duplicate = entry.findDuplicate(epoch, firstSeq, lastSeq);
                if (duplicate.isPresent()) {
                    return duplicate;
                }
                checkSequence(entry, epoch, firstSeq);
            }
            if (checked && entry.txnFirstOffset >= 0 && !batch.isTransactional()) {
                throw new StorageException(Error.INVALID_TXN_STATE, "Producer " + pid
                        + " sent a non-transactional batch during its transaction from offset " + entry.txnFirstOffset);
            }
            entry.add(epoch, new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset, timestamp));
            if (batch.isTransactional() && entry.txnFirstOffset < 0) {
                entry.txnFirstOffset = firstOffset;
                events.add(new TxnEvent(pid, firstOffset, -1, false));
            }
            staged.put(pid, entry);
            return Optional.empty();
        }

        private void endTransaction(ProducerEntry entry, short epoch, ControlMarker marker, long markerOffset) {
            if (entry.txnFirstOffset >= 0) {
                events.add(new TxnEvent(entry.producerId, entry.txnFirstOffset, markerOffset, !marker.commit()));
            }
            entry.endTransaction(epoch, marker.coordinatorEpoch());
        }

        private void checkSequence(ProducerEntry entry, short epoch, int firstSeq) {
            if (entry.epoch == ProducerEntry.NO_EPOCH) {
                return; // unknown producer: any sequence starts it
            }
            if (epoch != entry.epoch) {
                if (firstSeq != 0) {
                    throw new StorageException(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, "Producer " + entry.producerId
                            + " new epoch " + epoch + " must start at sequence 0, not " + firstSeq);
                }
                return;
            }
            int lastSeq = entry.batches.isEmpty() ? -1 : entry.batches.getLast().lastSeq();
            if (firstSeq != RecordBatch.incrementSequence(lastSeq, 1)) {
                throw new StorageException(Error.OUT_OF_ORDER_SEQUENCE_NUMBER, "Producer " + entry.producerId
                        + " epoch " + epoch + ": expected sequence " + RecordBatch.incrementSequence(lastSeq, 1)
                        + ", got " + firstSeq);
            }
        }

        /**
         * Applies the staged changes.
         *
         * @return the transactions the append's markers ended, in order
         */
        public List<CompletedTxn> commit() {
            producers.putAll(staged);
            return apply(events);
        }
    }

    public Append begin() {
        return new Append();
    }

    private List<CompletedTxn> apply(List<TxnEvent> events) {
        if (events.isEmpty()) {
            return List.of();
        }
        List<CompletedTxn> completed = new ArrayList<>();
        for (TxnEvent e : events) {
            if (e.markerOffset() < 0) {
                transactions.started(e.producerId(), e.firstOffset());
            } else {
                long lso = transactions.completed(e.producerId(), e.firstOffset(), e.markerOffset());
                completed.add(new CompletedTxn(e.producerId(), e.firstOffset(), e.markerOffset(), e.aborted(), lso));
            }
        }
        return completed;
    }

    /**
     * Applies a batch read back from the log (recovery, truncation), without checks. Control batches must be whole
     * (segment scans pass them so).
     *
     * @return the transaction a marker ended, if any
     */
    public Optional<CompletedTxn> replay(RecordBatch batch) {
        if (!batch.hasProducerId()) {
            return Optional.empty();
        }
        if (!batch.isControl() && !batch.isTransactional()) { // the common case, without an Append's copies
            producers.computeIfAbsent(batch.producerId(), ProducerEntry::new).add(batch.producerEpoch(),
                    new BatchMetadata(batch.baseSequence(), batch.lastSequence(), batch.baseOffset(),
                            batch.lastOffset(), batch.maxTimestamp()));
            return Optional.empty();
        }
        Append append = new Append();
        append.validateAndStage(batch, AppendOrigin.REPLICATION, batch.baseOffset(), batch.lastOffset(),
                batch.maxTimestamp());
        List<CompletedTxn> completed = append.commit();
        return completed.isEmpty() ? Optional.empty() : Optional.of(completed.get(0));
    }

    /** The partition's open transactions (for the last stable offset). */
    public TransactionState transactions() {
        return transactions;
    }

    void clear() {
        producers.clear();
        transactions.clear();
    }

    // ---------------------------------------------------------------- snapshots (format: ProducerSnapshots)

    public static Path snapshotPath(Path dir, long offset) {
        return ProducerSnapshots.path(dir, offset);
    }

    public void writeSnapshot(long offset) throws IOException {
        ProducerSnapshots.write(snapshotPath(dir, offset), producers.values());
    }

    /**
     * Replaces the state with the newest valid snapshot at or below {@code maxOffset}, after deleting snapshots
     * above it (they describe truncated data).
     *
     * @return the snapshot's offset, or -1 if there is none (the state is then empty)
     */
    public long loadLatestSnapshot(long maxOffset) throws IOException {
        return loadLatestSnapshot(maxOffset, maxOffset);
    }

    /**
     * Replaces the state with the newest valid snapshot at or below {@code maxOffset}, after deleting snapshots above
     * {@code deleteAbove} (at least {@code maxOffset}).
     *
     * @return the snapshot's offset, or -1 if there is none (the state is then empty)
     */
    public long loadLatestSnapshot(long maxOffset, long deleteAbove) throws IOException {
        clear();
        TreeSet<Long> offsets = ProducerSnapshots.offsets(dir);
        for (Long offset : offsets.tailSet(deleteAbove, false)) {
            Files.deleteIfExists(snapshotPath(dir, offset));
        }
        for (Long offset : offsets.headSet(maxOffset, true).descendingSet()) {
            Optional<Map<Long, ProducerEntry>> loaded = ProducerSnapshots.read(snapshotPath(dir, offset));
            if (loaded.isPresent()) {
                producers.putAll(loaded.get());
                for (ProducerEntry e : producers.values()) {
                    if (e.txnFirstOffset >= 0) {
                        transactions.started(e.producerId, e.txnFirstOffset);
                    }
                }
                return offset;
            }
        }
        return -1;
    }

    /** Deletes snapshots strictly between {@code fromExclusive} and {@code toExclusive}. */
    public void deleteSnapshotsBetween(long fromExclusive, long toExclusive) throws IOException {
        for (Long offset : ProducerSnapshots.offsets(dir)) {
            if (offset > fromExclusive && offset < toExclusive) {
                Files.deleteIfExists(snapshotPath(dir, offset));
            }
        }
    }

    public void deleteSnapshotsBelow(long offset) throws IOException {
        deleteSnapshotsBetween(Long.MIN_VALUE, offset);
    }

    /**
     * Producers with a remembered batch or an ongoing transaction, ordered by producer id; those only known from a
     * marker that forgot their batches are listed with sequence, timestamp and offset -1.
     */
    public List<ActiveProducer> activeProducers() {
        List<ActiveProducer> out = new ArrayList<>();
        for (ProducerEntry e : producers.values()) {
            BatchMetadata last = e.batches.peekLast();
            if (last != null || e.txnFirstOffset >= 0 || e.coordinatorEpoch >= 0) {
                out.add(new ActiveProducer(e.producerId, e.epoch, last == null ? -1 : last.lastSeq(),
                        last == null ? -1 : last.timestamp(), last == null ? -1 : last.lastOffset(),
                        e.coordinatorEpoch, e.txnFirstOffset));
            }
        }
        out.sort(Comparator.comparingLong(ActiveProducer::producerId));
        return out;
    }

    /** Producer id -> last offset of its last remembered batch (the cleaner keeps that batch). */
    public Map<Long, Long> lastBatchOffsets() {
        Map<Long, Long> last = new HashMap<>();
        for (ProducerEntry e : producers.values()) {
            if (!e.batches.isEmpty()) {
                last.put(e.producerId, e.batches.getLast().lastOffset());
            }
        }
        return last;
    }

    List<Long> producerIds() {
        return new ArrayList<>(producers.keySet());
    }
}
