package io.skua.storage.log;

import io.skua.storage.AbortedTransaction;
import io.skua.storage.producer.ProducerStateManager.CompletedTxn;
import io.skua.storage.producer.ProducerStateManager;
import io.skua.storage.producer.TransactionState;
import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The transactional side of a partition log: the last stable offset and the aborted-transaction indexes of its
 * segments. The producer state ({@link ProducerStateManager}, {@link TransactionState}) decides which transactions
 * are open and which a marker ended; this keeps the result where readers on any thread find it.
 *
 * <ul>
 *   <li><b>Last stable offset</b> (LSO): the first offset of the oldest transaction still open, or ended by a marker
 *       not yet below the high watermark, clamped to [log start, high watermark]; the high watermark if there is none.
 *       A {@code read_committed} consumer reads below it. Refreshed after every append, high-watermark move and
 *       truncation.</li>
 *   <li><b>Aborted transactions</b>: each abort marker appended adds {@code (producerId, firstOffset, markerOffset,
 *       LSO after it)} to the index of the segment it lands in ({@code <base>.txnindex}).</li>
 * </ul>
 *
 * <p>Thread-safety: the writer thread calls the {@code on*} methods; {@link #lastStableOffset} and
 * {@link #abortedTransactions} may run on any thread (a volatile offset and the segments' immutable index lists).
 */
final class LogTransactions {
    private final ProducerStateManager producers;
    private volatile long firstUnstableOffset = TransactionState.NONE;

    LogTransactions(ProducerStateManager producers) {
        this.producers = producers;
    }

    /** Writer: indexes the aborted ones among {@code completed}, whose markers were just written to {@code segment}. */
    void onAppended(Segment segment, List<CompletedTxn> completed) throws IOException {
        for (CompletedTxn txn : completed) {
            if (txn.aborted()) {
                segment.appendAbortedTransaction(new AbortedTransaction(txn.producerId(), txn.firstOffset(),
                        txn.lastOffset(), txn.lastStableOffset()));
            }
        }
        refresh();
    }

    /** Writer: after the high watermark moved, or the producer state was rebuilt (open, truncation). */
    void onHighWatermark(long highWatermark) {
        producers.transactions().onHighWatermarkUpdated(highWatermark);
        refresh();
    }

    private void refresh() {
        firstUnstableOffset = producers.transactions().firstUnstableOffset();
    }

    /** Any thread: min(high watermark, max(first unstable offset, log start)). */
    long lastStableOffset(long logStartOffset, long highWatermark) {
        long first = firstUnstableOffset;
        return first == TransactionState.NONE ? highWatermark
                : Math.min(highWatermark, Math.max(first, logStartOffset));
    }

    /**
     * Any thread: the aborted transactions overlapping {@code [fetchOffset, upperBoundOffset)}, from the index of the
     * segment holding {@code fetchOffset} on (a transaction's entry lies with its marker, at or after its records),
     * stopping at the first entry whose LSO reaches the bound (Kafka's {@code collectAbortedTxns}).
     */
    static List<AbortedTransaction> abortedTransactions(List<Segment> list, long fetchOffset, long upperBoundOffset) {
        List<AbortedTransaction> out = new ArrayList<>();
        if (upperBoundOffset <= fetchOffset) {
            return out;
        }
        for (int i = Math.max(0, SegmentLookup.floorSegment(list, fetchOffset)); i < list.size(); i++) {
            if (list.get(i).collectAbortedTransactions(fetchOffset, upperBoundOffset, out)) {
                break;
            }
        }
        return out;
    }
}
