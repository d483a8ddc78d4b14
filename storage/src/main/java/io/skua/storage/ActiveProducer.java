package io.skua.storage;

/**
 * What storage remembers of an idempotent producer of one partition (DescribeProducers).
 *
 * @param lastSequence  sequence of the last record of its last batch
 * @param lastTimestamp max timestamp of its last batch
 * @param lastOffset    last offset of its last batch
 */
public record ActiveProducer(long producerId, short producerEpoch, int lastSequence, long lastTimestamp,
                             long lastOffset) {
}
