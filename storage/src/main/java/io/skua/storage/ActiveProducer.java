package io.skua.storage;

/**
 * What storage remembers of an idempotent or transactional producer of one partition (DescribeProducers).
 *
 * @param lastSequence          sequence of the last record of its last batch; -1 if none is remembered (a marker
 *                              that bumped the epoch forgets the batches)
 * @param lastTimestamp         max timestamp of its last batch; -1 if none
 * @param lastOffset            last offset of its last batch; -1 if none
 * @param coordinatorEpoch      the transaction coordinator epoch of its last marker; -1 if none
 * @param currentTxnStartOffset the first offset of its ongoing transaction; -1 if none
 */
public record ActiveProducer(long producerId, short producerEpoch, int lastSequence, long lastTimestamp,
                             long lastOffset, int coordinatorEpoch, long currentTxnStartOffset) {

    /** A producer without transaction state. */
    public ActiveProducer(long producerId, short producerEpoch, int lastSequence, long lastTimestamp, long lastOffset) {
        this(producerId, producerEpoch, lastSequence, lastTimestamp, lastOffset, -1, -1);
    }
}
