package io.skua.broker.metadata;

import io.skua.protocol.Uuid;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * How a clustered broker changes topics (through the controller) and learns which partitions it hosts. Each change
 * completes once the controller has written it and this broker's own copy of the topic reflects it, so a
 * Metadata or DescribeConfigs request right after sees it.
 */
public interface ClusterTopics {
    /** Creates the topic through the controller; completes once the controller has written it. */
    Future<TopicMetadata> create(String name, int partitions, short replicationFactor, Map<String, String> configs,
                                 boolean validateOnly);

    /** Deletes the topic; {@code id}, when not null, must be the cluster's current id of it (else UNKNOWN_TOPIC_ID). */
    Future<Void> delete(String name, Uuid id);

    /** Grows the topic; {@code assignments} (or null: spread over the live brokers) lists each new partition's replicas. */
    Future<Void> createPartitions(String name, int newCount, List<List<Integer>> assignments, boolean validateOnly);

    /** Changes the topic's config overrides as the cluster holds them. */
    Future<Void> alterConfigs(String name, ConfigChange change, boolean validateOnly);

    /** True when this broker holds a replica of the partition. */
    boolean hosts(String topic, int partition);
}
