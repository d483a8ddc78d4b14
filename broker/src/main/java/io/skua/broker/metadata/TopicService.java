package io.skua.broker.metadata;

import io.skua.protocol.ApiException;
import io.skua.protocol.Uuid;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Topic admin as the handlers (CreateTopics, DeleteTopics, CreatePartitions, AlterConfigs, IncrementalAlterConfigs,
 * Metadata's auto-creation) and the group service use it. Two implementations, one picked by the wiring:
 * {@link LocalTopicService} on a single node writes the logs itself; {@code cluster.ClusteredTopicService} has the
 * controller make each change and answers once this broker's copy of the topic reflects it, so a Metadata or
 * DescribeConfigs request right after sees it. Both check a request against this broker's copy first
 * ({@link TopicManager}). Every method fails with an {@link ApiException} carrying Kafka's error code, and
 * completes on the caller's context.
 */
public interface TopicService {
    /**
     * Creates a topic. {@code partitions} and {@code replicationFactor} of -1 take the broker defaults
     * ({@code num.partitions}, {@code default.replication.factor}).
     */
    Future<TopicMetadata> createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs,
                                      boolean validateOnly);

    /** Deletes a topic and its logs; {@code id}, when not null, must still be the topic's id (else UNKNOWN_TOPIC_ID). */
    Future<Void> deleteTopic(String name, Uuid id);

    /**
     * Grows a topic to {@code newCount} partitions. {@code assignments} (or null: placed by the broker) lists each new
     * partition's replicas.
     */
    Future<TopicMetadata> createPartitions(String name, int newCount, List<List<Integer>> assignments,
                                           boolean validateOnly);

    /**
     * Changes a topic's config overrides (AlterConfigs, IncrementalAlterConfigs), validated as a whole.
     *
     * @param brokerValue the broker-level value of a config (APPEND / SUBTRACT start from it)
     */
    Future<TopicMetadata> alterConfigs(String name, ConfigChange change, UnaryOperator<String> brokerValue,
                                       boolean validateOnly);
}
