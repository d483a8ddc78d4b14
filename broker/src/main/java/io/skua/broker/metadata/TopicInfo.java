package io.skua.broker.metadata;

import io.skua.protocol.Uuid;
import java.util.Map;

/** A topic: name, id (KIP-516), partition count and its explicitly set configs. */
public record TopicInfo(String name, Uuid id, int partitions, Map<String, String> configs) {
    public TopicInfo {
        configs = Map.copyOf(configs);
    }

    public boolean isInternal() {
        return TopicNames.isInternal(name);
    }
}
