package io.skua.storage;

import io.skua.protocol.Uuid;
import java.util.Map;

/**
 * What storage remembers about a topic: persisted by {@link io.skua.storage.log.LogManager} in
 * {@code <dataDir>/topics/<name>.properties} (format and crash behaviour there). Immutable.
 *
 * @param configs the topic's Kafka config overrides (only those set explicitly)
 */
public record TopicMetadata(String name, Uuid id, int partitionCount, Map<String, String> configs) {
    public TopicMetadata {
        configs = Map.copyOf(configs);
    }
}
