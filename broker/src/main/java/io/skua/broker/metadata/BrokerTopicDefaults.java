package io.skua.broker.metadata;

import io.skua.broker.config.BrokerConfig;
import io.skua.storage.LogConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The broker-level value of each topic config: what a topic without its own setting runs with. Storage-owned
 * configs come from the log defaults the broker started with; the others from the broker property that is their
 * synonym when it is set, else Kafka's default. Immutable.
 */
public final class BrokerTopicDefaults {
    /** A broker property set in the broker's configuration that is a synonym of a topic config. */
    public record Synonym(String name, String value) {
    }

    private final BrokerConfig config;
    private final LogConfig logDefaults;

    public BrokerTopicDefaults(BrokerConfig config, LogConfig logDefaults) {
        this.config = config;
        this.logDefaults = logDefaults;
    }

    /** The value a topic without an override of {@code name} runs with. */
    public String value(String name) {
        LogConfig d = logDefaults;
        return switch (name) {
            case LogConfig.SEGMENT_BYTES -> String.valueOf(d.segmentBytes());
            case LogConfig.SEGMENT_MS -> String.valueOf(d.segmentMs());
            case LogConfig.RETENTION_MS -> String.valueOf(d.retentionMs());
            case LogConfig.RETENTION_BYTES -> String.valueOf(d.retentionBytes());
            case LogConfig.MAX_MESSAGE_BYTES -> String.valueOf(d.maxMessageBytes());
            case LogConfig.INDEX_INTERVAL_BYTES -> String.valueOf(d.indexIntervalBytes());
            case LogConfig.MESSAGE_TIMESTAMP_TYPE -> d.timestampType().configName();
            case LogConfig.CLEANUP_POLICY -> d.cleanupPolicy();
            case LogConfig.FILE_DELETE_DELAY_MS -> String.valueOf(d.fileDeleteDelayMs());
            // LogConfig keeps only "fsync each append or not"; the broker keeps the number.
            case LogConfig.FLUSH_MESSAGES -> String.valueOf(config.logFlushIntervalMessages());
            default -> {
                List<Synonym> set = explicitSynonyms(name);
                yield set.isEmpty() ? TopicConfigs.def(name).kafkaDefault() : set.get(0).value();
            }
        };
    }

    /** True when one of the config's broker synonyms is set in the broker's configuration. */
    public boolean explicit(String name) {
        return !explicitSynonyms(name).isEmpty();
    }

    /** The config's broker synonyms that are set, highest precedence first, with the values as given. */
    public List<Synonym> explicitSynonyms(String name) {
        Map<String, String> originals = config.originals();
        List<Synonym> out = new ArrayList<>();
        for (String synonym : TopicConfigs.brokerSynonyms(name)) {
            String raw = originals.get(synonym);
            if (raw != null) {
                out.add(new Synonym(synonym, raw));
            }
        }
        return out;
    }
}
