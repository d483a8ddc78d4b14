package io.skua.storage.cleaner;

import io.skua.protocol.record.RecordBatch;
import io.skua.storage.AbortedTransaction;
import io.skua.storage.producer.ControlMarker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one cleaning knows of the transactions in the segments it rewrites (Kafka's {@code CleanedTransactionMetadata},
 * simplified): which transactional batches belong to aborted transactions (from the aborted-transaction indexes, so
 * their records are never kept nor mapped), and whether a marker still has batches of its transaction before it in
 * the log. A marker whose transaction has no batch left may be removed once its delete horizon has passed; one that
 * still has batches is kept (an abort marker with its index entry), since without it a recovery would see the
 * transaction open again.
 *
 * <p>Batches are visited in offset order from the log start, across the groups of one build. Everything below the
 * last stable offset is decided, and the cleaner cleans only below it, so a transactional batch not in an aborted
 * range belongs to a committed transaction.
 *
 * <p>Thread-safety: none; one build on the cleaner's thread.
 */
final class TransactionTracker {
    private final Map<Long, List<AbortedTransaction>> abortedByProducer = new HashMap<>();
    /** Producers with a transactional batch read since their last marker. */
    private final Set<Long> batchesSinceMarker = new HashSet<>();

    TransactionTracker(List<AbortedTransaction> aborted) {
        for (AbortedTransaction txn : aborted) {
            abortedByProducer.computeIfAbsent(txn.producerId(), p -> new ArrayList<>()).add(txn);
        }
    }

    /** True if {@code batch} is a transactional data batch of an aborted transaction. */
    boolean isAborted(RecordBatch batch) {
        if (!batch.isTransactional() || batch.isControl()) {
            return false;
        }
        return abortedContaining(batch.producerId(), batch.baseOffset()).isPresent();
    }

    private Optional<AbortedTransaction> abortedContaining(long producerId, long offset) {
        List<AbortedTransaction> list = abortedByProducer.get(producerId);
        if (list != null) {
            for (AbortedTransaction txn : list) {
                if (txn.firstOffset() <= offset && offset <= txn.lastOffset()) {
                    return Optional.of(txn);
                }
            }
        }
        return Optional.empty();
    }

    /** Notes a data batch read (in offset order), whatever the cleaning keeps of it. */
    void onDataBatch(RecordBatch batch) {
        if (batch.isTransactional() && batch.hasProducerId()) {
            batchesSinceMarker.add(batch.producerId());
        }
    }

    /** What to do with a control batch. */
    record MarkerDecision(boolean needed, Optional<AbortedTransaction> indexEntry) {
    }

    /**
     * Notes a control batch read: it is {@code needed} while a batch of its transaction was read before it (and then,
     * for an abort, it keeps its index entry); otherwise it may go once its delete horizon has passed.
     */
    MarkerDecision onControlBatch(RecordBatch batch) {
        boolean hadBatches = batchesSinceMarker.remove(batch.producerId());
        Optional<ControlMarker> marker = ControlMarker.parse(batch);
        if (!hadBatches || marker.isEmpty()) {
            return new MarkerDecision(false, Optional.empty());
        }
        Optional<AbortedTransaction> entry = marker.get().commit() ? Optional.empty()
                : abortedContaining(batch.producerId(), batch.baseOffset())
                        .filter(t -> t.lastOffset() == batch.baseOffset());
        return new MarkerDecision(true, entry);
    }
}
