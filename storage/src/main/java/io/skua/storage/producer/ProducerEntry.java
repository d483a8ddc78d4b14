package io.skua.storage.producer;

import io.skua.storage.producer.ProducerStateManager.BatchMetadata;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * One producer's state in one partition: its epoch, the metadata of its last {@value ProducerStateManager#MAX_BATCHES}
 * batches, the coordinator epoch of its last transaction marker and the first offset of its ongoing transaction.
 * Copied before an append changes it, so a failed append leaves no trace.
 *
 * <p>Thread-safety: none; the partition's writer thread only.
 */
final class ProducerEntry {
    static final short NO_EPOCH = -1;
    static final long NO_TXN = -1;

    final long producerId;
    short epoch = NO_EPOCH;
    int coordinatorEpoch = -1;
    /** The first offset of the ongoing transaction, {@link #NO_TXN} if none. */
    long txnFirstOffset = NO_TXN;
    final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(ProducerStateManager.MAX_BATCHES);

    ProducerEntry(long producerId) {
        this.producerId = producerId;
    }

    ProducerEntry copy() {
        ProducerEntry c = new ProducerEntry(producerId);
        c.epoch = epoch;
        c.coordinatorEpoch = coordinatorEpoch;
        c.txnFirstOffset = txnFirstOffset;
        c.batches.addAll(batches);
        return c;
    }

    /** Takes {@code newEpoch}; a different epoch forgets the remembered batches (their sequences restart at 0). */
    void updateEpoch(short newEpoch) {
        if (newEpoch != epoch) {
            epoch = newEpoch;
            batches.clear();
        }
    }

    void add(short batchEpoch, BatchMetadata metadata) {
        updateEpoch(batchEpoch);
        if (batches.size() == ProducerStateManager.MAX_BATCHES) {
            batches.removeFirst();
        }
        batches.addLast(metadata);
    }

    /** A marker ends the ongoing transaction and takes the marker's producer and coordinator epochs. */
    void endTransaction(short markerEpoch, int markerCoordinatorEpoch) {
        updateEpoch(markerEpoch);
        coordinatorEpoch = markerCoordinatorEpoch;
        txnFirstOffset = NO_TXN;
    }

    Optional<BatchMetadata> findDuplicate(short batchEpoch, int firstSeq, int lastSeq) {
        if (batchEpoch != epoch) {
            return Optional.empty();
        }
        return batches.stream().filter(b -> b.firstSeq() == firstSeq && b.lastSeq() == lastSeq).findFirst();
    }
}
