package io.skua.broker.group;

/**
 * Group coordinator settings, under Kafka's property names.
 *
 * @param initialRebalanceDelayMs    {@code group.initial.rebalance.delay.ms} (3000): how long the first rebalance
 *                                   of an empty group waits for more members; extended by the same amount each
 *                                   time a new member arrives, up to the rebalance timeout
 * @param minSessionTimeoutMs        {@code group.min.session.timeout.ms} (6000)
 * @param maxSessionTimeoutMs        {@code group.max.session.timeout.ms} (1800000)
 * @param maxSize                    {@code group.max.size} (Integer.MAX_VALUE)
 * @param offsetsTopicPartitions     {@code offsets.topic.num.partitions} (50)
 * @param offsetsRetentionMinutes    {@code offsets.retention.minutes} (10080 = 7 days)
 * @param offsetsRetentionCheckIntervalMs {@code offsets.retention.check.interval.ms} (600000)
 * @param offsetMetadataMaxBytes     {@code offset.metadata.max.bytes} (4096)
 * @param newMemberJoinTimeoutMs     not configurable in Kafka (5 minutes): how long a brand-new member may wait in a
 *                                   rebalance without heartbeating before it is dropped
 */
public record GroupConfig(
        int initialRebalanceDelayMs,
        int minSessionTimeoutMs,
        int maxSessionTimeoutMs,
        int maxSize,
        int offsetsTopicPartitions,
        long offsetsRetentionMinutes,
        long offsetsRetentionCheckIntervalMs,
        int offsetMetadataMaxBytes,
        long newMemberJoinTimeoutMs) {

    public GroupConfig {
        if (offsetsTopicPartitions <= 0) {
            throw new IllegalArgumentException("offsets.topic.num.partitions must be > 0");
        }
        if (minSessionTimeoutMs > maxSessionTimeoutMs) {
            throw new IllegalArgumentException("group.min.session.timeout.ms > group.max.session.timeout.ms");
        }
        if (initialRebalanceDelayMs < 0 || maxSize <= 0 || offsetsRetentionCheckIntervalMs <= 0) {
            throw new IllegalArgumentException("invalid group coordinator configuration");
        }
    }

    /** Kafka's defaults. */
    public static GroupConfig defaults() {
        return new GroupConfig(3000, 6000, 1_800_000, Integer.MAX_VALUE, 50, 10080, 600_000, 4096, 300_000);
    }

    public long offsetsRetentionMs() {
        return offsetsRetentionMinutes * 60_000L;
    }

    public GroupConfig withInitialRebalanceDelayMs(int v) {
        return new GroupConfig(v, minSessionTimeoutMs, maxSessionTimeoutMs, maxSize, offsetsTopicPartitions,
                offsetsRetentionMinutes, offsetsRetentionCheckIntervalMs, offsetMetadataMaxBytes, newMemberJoinTimeoutMs);
    }

    public GroupConfig withSessionTimeoutBounds(int min, int max) {
        return new GroupConfig(initialRebalanceDelayMs, min, max, maxSize, offsetsTopicPartitions,
                offsetsRetentionMinutes, offsetsRetentionCheckIntervalMs, offsetMetadataMaxBytes, newMemberJoinTimeoutMs);
    }

    public GroupConfig withMaxSize(int v) {
        return new GroupConfig(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, v, offsetsTopicPartitions,
                offsetsRetentionMinutes, offsetsRetentionCheckIntervalMs, offsetMetadataMaxBytes, newMemberJoinTimeoutMs);
    }

    public GroupConfig withOffsetsTopicPartitions(int v) {
        return new GroupConfig(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, maxSize, v,
                offsetsRetentionMinutes, offsetsRetentionCheckIntervalMs, offsetMetadataMaxBytes, newMemberJoinTimeoutMs);
    }

    public GroupConfig withOffsetsRetentionMinutes(long v) {
        return new GroupConfig(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, maxSize,
                offsetsTopicPartitions, v, offsetsRetentionCheckIntervalMs, offsetMetadataMaxBytes, newMemberJoinTimeoutMs);
    }

    public GroupConfig withNewMemberJoinTimeoutMs(long v) {
        return new GroupConfig(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, maxSize,
                offsetsTopicPartitions, offsetsRetentionMinutes, offsetsRetentionCheckIntervalMs, offsetMetadataMaxBytes, v);
    }
}
