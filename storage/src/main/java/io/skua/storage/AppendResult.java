package io.skua.storage;

/**
 * The outcome of {@link io.skua.storage.log.PartitionLog#append}. Immutable.
 *
 * @param firstOffset    offset of the first record appended (or, for a duplicate, originally appended)
 * @param lastOffset     offset of the last record
 * @param logAppendTime  the time stamped on the batches under {@code LogAppendTime}, else -1
 * @param logStartOffset the log start offset after the append
 * @param duplicate      true if the batch repeated one of the producer's last five: nothing was written and the
 *                       offsets are the original ones
 */
public record AppendResult(long firstOffset, long lastOffset, long logAppendTime, long logStartOffset,
                           boolean duplicate) {
}
