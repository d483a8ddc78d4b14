package io.skua.broker.metadata;

import io.skua.broker.lifecycle.Lifecycle;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.protocol.Uuid;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Topic admin on a single node: this broker is the whole cluster, so each change is made here, under the
 * {@link TopicManager}'s admin lock on a worker thread, in storage first and then in the published copy. Its
 * {@link #start} publishes the topics found on disk.
 */
public final class LocalTopicService implements TopicService, Lifecycle {
    private static final System.Logger LOG = System.getLogger(LocalTopicService.class.getName());
    /** The only broker: a replication factor above this cannot be reached. */
    private static final int LIVE_BROKERS = 1;

    private final TopicManager topics;
    private final int nodeId;
    private final int defaultPartitions;
    private final short defaultReplicationFactor;

    public LocalTopicService(TopicManager topics, int nodeId, int defaultPartitions, short defaultReplicationFactor) {
        this.topics = topics;
        this.nodeId = nodeId;
        this.defaultPartitions = defaultPartitions;
        this.defaultReplicationFactor = defaultReplicationFactor;
    }

    /** Publishes every topic on disk (after the topic manager started). */
    @Override
    public Future<Void> start() {
        return topics.admin(() -> {
            for (TopicMetadata topic : topics.logs().topics()) {
                topics.publish(topic);
            }
            return null;
        });
    }

    @Override
    public Future<Void> stop() {
        return Future.succeededFuture();
    }

    @Override
    public Future<TopicMetadata> createTopic(String name, int partitionCount, short replicationFactor,
                                             Map<String, String> configs, boolean validateOnly) {
        int count = partitionCount == -1 ? defaultPartitions : partitionCount;
        short rf = replicationFactor == -1 ? defaultReplicationFactor : replicationFactor;
        return topics.admin(() -> {
            TopicManager.validateNew(name, count, rf);
            if (rf > LIVE_BROKERS) {
                throw new ApiException(Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition " + rf
                        + " time(s): The target replication factor of " + rf + " cannot be reached because only "
                        + LIVE_BROKERS + " broker(s) are registered.");
            }
            topics.validateConfigs(configs);
            if (topics.topic(name) != null) {
                throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
            }
            if (topics.logs().topic(name).isPresent()) {
                // Unpublished by deleteTopic, whose files are still being removed.
                throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' is marked for deletion.");
            }
            TopicMetadata topic = new TopicMetadata(name, Uuid.randomUuid(), count, configs);
            if (validateOnly) {
                return topic;
            }
            topic = topics.logs().createTopic(name, topic.id(), count, configs);
            topics.publish(topic);
            LOG.log(Level.INFO, "topic created name={0} id={1} partitions={2}", name, topic.id(), count);
            return topic;
        });
    }

    /** Deletes the topic: unpublished first (new requests see no topic), its writers drained, then its logs deleted. */
    @Override
    public Future<Void> deleteTopic(String name, Uuid id) {
        TopicMetadata topic = topics.topic(name);
        if (topic == null) {
            return Future.failedFuture(new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic-partition."));
        }
        return topics.unpublish(topic).transform(x -> topics.<Void>admin(() -> {
            topics.logs().deleteTopic(name);
            LOG.log(Level.INFO, "topic deleted name={0} id={1}", name, topic.id());
            return null;
        }));
    }

    /** The only valid manual assignment puts each new partition on this broker alone (else INVALID_REPLICA_ASSIGNMENT). */
    @Override
    public Future<TopicMetadata> createPartitions(String name, int newCount, List<List<Integer>> assignments,
                                                  boolean validateOnly) {
        return topics.admin(() -> {
            TopicMetadata topic = existing(name);
            if (assignments != null) {
                String problem = checkAssignments(assignments, newCount - topic.partitionCount());
                if (problem != null) {
                    throw new ApiException(Errors.INVALID_REPLICA_ASSIGNMENT, problem);
                }
            }
            if (newCount <= topic.partitionCount()) {
                throw new ApiException(Errors.INVALID_PARTITIONS, "Topic currently has " + topic.partitionCount()
                        + " partitions, which is higher than the requested " + newCount + ".");
            }
            if (validateOnly) {
                return topic;
            }
            TopicMetadata grown = topics.logs().addPartitions(name, newCount);
            topics.publish(grown);
            return grown;
        });
    }

    @Override
    public Future<TopicMetadata> alterConfigs(String name, ConfigChange change, UnaryOperator<String> brokerValue,
                                              boolean validateOnly) {
        return topics.admin(() -> {
            TopicMetadata topic = existing(name);
            Map<String, String> configs = change.applyTo(topic.configs(), brokerValue);
            topics.validateConfigs(configs);
            if (validateOnly) {
                return topic;
            }
            TopicMetadata updated = topics.logs().updateConfigs(name, configs); // applied to the open logs too
            topics.republish(updated);
            return updated;
        });
    }

    private TopicMetadata existing(String name) {
        TopicMetadata topic = topics.topic(name);
        if (topic == null) {
            throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
        }
        return topic;
    }

    /** Null when every new partition is assigned to this broker alone. */
    private String checkAssignments(List<List<Integer>> assignments, int added) {
        if (added > 0 && assignments.size() != added) {
            return "Attempted to add " + added + " additional partition(s), but only " + assignments.size()
                    + " assignment(s) were specified.";
        }
        for (List<Integer> replicas : assignments) {
            if (replicas.size() != 1) {
                return "The manual partition assignment includes a partition with " + replicas.size()
                        + " replica(s), but this is not consistent with previous partitions, which have 1 replica(s).";
            }
            if (replicas.get(0) != nodeId) {
                return "The manual partition assignment includes broker " + replicas.get(0)
                        + ", but no broker with that id is registered.";
            }
        }
        return null;
    }
}
