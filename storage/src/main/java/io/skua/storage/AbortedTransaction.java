package io.skua.storage;

/**
 * An aborted transaction of one partition, as the aborted-transaction index keeps it (Kafka's {@code AbortedTxn}); a
 * {@code read_committed} Fetch returns {@code producerId} and {@code firstOffset} in {@code AbortedTransactions} so the
 * consumer drops that producer's records from {@code firstOffset} up to its abort marker. Immutable.
 *
 * @param firstOffset      the first offset of the transaction's first batch in this partition
 * @param lastOffset       the offset of its abort marker
 * @param lastStableOffset the last stable offset right after the abort: the first offset of the oldest transaction
 *                         still open then, or {@code lastOffset + 1} if none (lets a lookup stop early)
 */
public record AbortedTransaction(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
}
