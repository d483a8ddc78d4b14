package io.skua.storage;

import io.skua.protocol.record.TimestampType;
import java.util.Map;
import java.util.Set;

/**
 * The per-partition settings storage obeys, named after Kafka's topic configs. Immutable; a log's config can be
 * replaced with {@link io.skua.storage.log.PartitionLog#updateConfig}. The compact constructor validates every
 * field and throws {@link IllegalArgumentException} naming the Kafka property at fault.
 *
 * @param segmentBytes       {@code segment.bytes}: roll the active segment before it would exceed this
 * @param segmentMs          {@code segment.ms}: roll when an append's max timestamp is this far past the
 *                           segment's first batch's max timestamp
 * @param retentionMs        {@code retention.ms}: delete segments whose largest timestamp is older; -1 = forever
 * @param retentionBytes     {@code retention.bytes}: delete the oldest segments while the log is larger; -1 = no limit
 * @param maxMessageBytes    {@code max.message.bytes}: the largest batch accepted
 * @param indexIntervalBytes {@code index.interval.bytes}: bytes between sparse index entries
 * @param timestampType      {@code message.timestamp.type}
 * @param flushOnAppend      {@code flush.messages=1}: fsync each append before acknowledging it
 * @param cleanupPolicy      {@code cleanup.policy}: {@code delete}, {@code compact} or both, comma separated
 * @param fileDeleteDelayMs  {@code file.delete.delay.ms}: how long deleted segment files stay readable
 * @param deleteRetentionMs  {@code delete.retention.ms}: how long compaction keeps a tombstone after it first
 *                           compacts the batch holding it
 * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}: compact when the share of log bytes not yet
 *                           compacted reaches this
 * @param minCompactionLagMs {@code min.compaction.lag.ms}: never compact a segment holding a record younger than this
 */
public record LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes, int maxMessageBytes,
                        int indexIntervalBytes, TimestampType timestampType, boolean flushOnAppend,
                        String cleanupPolicy, long fileDeleteDelayMs, long deleteRetentionMs,
                        double minCleanableDirtyRatio, long minCompactionLagMs) {

    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";

    /** Smallest segment.bytes: room for one minimal message, as in Kafka. */
    private static final int MIN_SEGMENT_BYTES = 14;
    private static final long SEVEN_DAYS_MS = 7L * 24 * 60 * 60 * 1000;
    private static final Set<String> POLICIES = Set.of("delete", "compact");

    /** Kafka's defaults. */
    public static final LogConfig DEFAULT = new LogConfig(1 << 30, SEVEN_DAYS_MS, SEVEN_DAYS_MS, -1L, 1_048_588,
            4096, TimestampType.CREATE_TIME, false, "delete", 60_000L, 86_400_000L, 0.5, 0L);

    public LogConfig {
        require(segmentBytes >= MIN_SEGMENT_BYTES, SEGMENT_BYTES, segmentBytes);
        require(segmentMs >= 1, SEGMENT_MS, segmentMs);
        require(retentionMs >= -1, RETENTION_MS, retentionMs);
        require(retentionBytes >= -1, RETENTION_BYTES, retentionBytes);
        require(maxMessageBytes >= 0, MAX_MESSAGE_BYTES, maxMessageBytes);
        require(indexIntervalBytes >= 0, INDEX_INTERVAL_BYTES, indexIntervalBytes);
        require(timestampType != null, MESSAGE_TIMESTAMP_TYPE, null);
        require(cleanupPolicy != null && !cleanupPolicy.isBlank()
                && POLICIES.containsAll(Set.of(cleanupPolicy.replace(" ", "").split(","))), CLEANUP_POLICY, cleanupPolicy);
        require(fileDeleteDelayMs >= 0, FILE_DELETE_DELAY_MS, fileDeleteDelayMs);
        require(deleteRetentionMs >= 0, DELETE_RETENTION_MS, deleteRetentionMs);
        require(minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1, MIN_CLEANABLE_DIRTY_RATIO,
                minCleanableDirtyRatio);
        require(minCompactionLagMs >= 0, MIN_COMPACTION_LAG_MS, minCompactionLagMs);
    }

    /** {@link #DEFAULT} with Kafka topic configs applied; see {@link #withOverrides}. */
    public static LogConfig fromProperties(Map<String, String> topicConfigs) {
        return DEFAULT.withOverrides(topicConfigs);
    }

    /**
     * This config with the Kafka topic configs in {@code overrides} applied. Properties storage does not use are
     * ignored (the broker validates names). {@code flush.messages=1} turns on {@link #flushOnAppend}; any other
     * value turns it off (storage does not fsync every N messages).
     *
     * @throws IllegalArgumentException naming the property whose value does not parse or is out of range
     */
    public LogConfig withOverrides(Map<String, String> overrides) {
        String p = null;
        try {
            p = SEGMENT_BYTES;
            int segBytes = overrides.containsKey(p) ? Integer.parseInt(overrides.get(p).trim()) : segmentBytes;
            p = SEGMENT_MS;
            long segMs = overrides.containsKey(p) ? Long.parseLong(overrides.get(p).trim()) : segmentMs;
            p = RETENTION_MS;
            long retMs = overrides.containsKey(p) ? Long.parseLong(overrides.get(p).trim()) : retentionMs;
            p = RETENTION_BYTES;
            long retBytes = overrides.containsKey(p) ? Long.parseLong(overrides.get(p).trim()) : retentionBytes;
            p = MAX_MESSAGE_BYTES;
            int maxBytes = overrides.containsKey(p) ? Integer.parseInt(overrides.get(p).trim()) : maxMessageBytes;
            p = INDEX_INTERVAL_BYTES;
            int interval = overrides.containsKey(p) ? Integer.parseInt(overrides.get(p).trim()) : indexIntervalBytes;
            p = MESSAGE_TIMESTAMP_TYPE;
            TimestampType tsType = overrides.containsKey(p)
                    ? TimestampType.forConfigName(overrides.get(p).trim()) : timestampType;
            p = FLUSH_MESSAGES;
            boolean flush = flushOnAppend;
            if (overrides.containsKey(p)) {
                long flushMessages = Long.parseLong(overrides.get(p).trim());
                require(flushMessages >= 1, p, flushMessages);
                flush = flushMessages == 1;
            }
            p = CLEANUP_POLICY;
            String policy = overrides.containsKey(p) ? overrides.get(p).trim() : cleanupPolicy;
            p = FILE_DELETE_DELAY_MS;
            long deleteDelay = overrides.containsKey(p) ? Long.parseLong(overrides.get(p).trim()) : fileDeleteDelayMs;
            p = DELETE_RETENTION_MS;
            long deleteRetention = overrides.containsKey(p) ? Long.parseLong(overrides.get(p).trim()) : deleteRetentionMs;
            p = MIN_CLEANABLE_DIRTY_RATIO;
            double dirtyRatio = overrides.containsKey(p) ? Double.parseDouble(overrides.get(p).trim())
                    : minCleanableDirtyRatio;
            p = MIN_COMPACTION_LAG_MS;
            long lag = overrides.containsKey(p) ? Long.parseLong(overrides.get(p).trim()) : minCompactionLagMs;
            return new LogConfig(segBytes, segMs, retMs, retBytes, maxBytes, interval, tsType, flush, policy,
                    deleteDelay, deleteRetention, dirtyRatio, lag);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value " + overrides.get(p) + " for configuration " + p, e);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains("configuration")) {
                throw e;
            }
            throw new IllegalArgumentException("Invalid value " + overrides.get(p) + " for configuration " + p, e);
        }
    }

    /** True if {@code cleanup.policy} includes {@code delete}: time and size retention apply. */
    public boolean deleteEnabled() {
        return Set.of(cleanupPolicy.replace(" ", "").split(",")).contains("delete");
    }

    /** True if {@code cleanup.policy} includes {@code compact}. */
    public boolean compactEnabled() {
        return Set.of(cleanupPolicy.replace(" ", "").split(",")).contains("compact");
    }

    private static void require(boolean ok, String property, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("Invalid value " + value + " for configuration " + property);
        }
    }
}
