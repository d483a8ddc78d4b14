package io.skua.broker.cluster;

import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.broker.cluster.MetadataStore.Versioned;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.protocol.Uuid;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * Topic changes made by the controller: create, delete, add partitions, change configs. Each re-checks the request
 * against the caches (the receiving broker checked its own copy), places replicas with {@link ReplicaAssignment},
 * starts partitions with {@link LeaderElection#initial}, and writes through the {@link MetadataStore}: partition
 * records first, then the topic record, conditionally on what was read. A concurrent change of the topic record fails
 * the request with NOT_CONTROLLER (clients retry).
 *
 * <p>Threading: every method blocks (cache reads and writes); the controller runs them on its own thread, with its
 * epoch, which every partition record written carries.
 */
final class TopicAdmin {
    private static final System.Logger LOG = System.getLogger(TopicAdmin.class.getName());

    private final MetadataStore store;
    private final ClusterMetadata metadata;

    TopicAdmin(MetadataStore store, ClusterMetadata metadata) {
        this.store = store;
        this.metadata = metadata;
    }

    /**
     * Creates a topic: spreads {@code replicationFactor} replicas of each partition over the live brokers, writes the
     * partitions' leadership (leader = first replica, ISR = all replicas) with one {@code putAll}, then the topic with
     * {@code putIfAbsent} (brokers open their logs when they see the topic).
     */
    TopicRecord create(int controllerEpoch, String name, int partitionCount, short replicationFactor,
                       Map<String, String> configs, boolean validateOnly) {
        if (store.topic(name) != null) {
            throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
        }
        Set<Integer> live = metadata.liveBrokerIds();
        List<List<Integer>> replicas = ReplicaAssignment.spread(live, partitionCount, replicationFactor,
                ThreadLocalRandom.current().nextInt());
        TopicRecord topic = new TopicRecord(name, Uuid.randomUuid().toString(), Map.copyOf(configs), replicas);
        if (validateOnly) {
            return topic;
        }
        store.putPartitions(name, 0, replicas.stream().map(r -> LeaderElection.initial(r, live, controllerEpoch)).toList());
        if (!store.putTopicIfAbsent(topic)) {
            throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
        }
        LOG.log(Level.INFO, "topic created name={0} id={1} partitions={2} replicationFactor={3} controllerEpoch={4}",
                name, topic.id(), partitionCount, replicationFactor, controllerEpoch);
        return topic;
    }

    /**
     * Deletes a topic: its partition records first (brokers stop serving and replicating it), then the topic record
     * (brokers delete their logs of it), conditionally on the record read.
     *
     * @param id the topic id the request named, or null to delete whichever topic has the name now
     */
    TopicRecord delete(int controllerEpoch, String name, Uuid id) {
        Versioned<TopicRecord> stored = store.topic(name);
        if (stored == null || (id != null && !Uuid.fromString(stored.value().id()).equals(id))) {
            throw id != null
                    ? new ApiException(Errors.UNKNOWN_TOPIC_ID, "This server does not host topic id " + id + ".")
                    : new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.");
        }
        TopicRecord topic = stored.value();
        store.removePartitions(name, topic.partitionCount());
        if (!store.removeTopic(stored)) {
            throw new ApiException(Errors.NOT_CONTROLLER, "Concurrent change of topic " + name);
        }
        LOG.log(Level.INFO, "topic deleted name={0} id={1} partitions={2} controllerEpoch={3}", name, topic.id(),
                topic.partitionCount(), controllerEpoch);
        return topic;
    }

    /**
     * Adds partitions to a topic: each new one gets the topic's replication factor, from {@code assignments} (checked
     * against the registered brokers) or spread round robin over the live brokers; leader = first live replica, ISR =
     * the live replicas. The partition records are written first (one {@code putAll}), then the grown topic.
     *
     * @param assignments the new partitions' replicas, or null
     */
    TopicRecord createPartitions(int controllerEpoch, String name, int newCount, List<List<Integer>> assignments,
                                 boolean validateOnly) {
        Versioned<TopicRecord> stored = existing(name);
        TopicRecord topic = stored.value();
        int current = topic.partitionCount();
        Set<Integer> live = metadata.liveBrokerIds();
        List<List<Integer>> replicas = assignments != null
                ? ReplicaAssignment.grow(topic.replicas(), newCount, assignments, metadata.brokers().keySet(), live)
                : ReplicaAssignment.grow(topic.replicas(), newCount, live, ThreadLocalRandom.current().nextInt());
        TopicRecord grown = new TopicRecord(name, topic.id(), topic.configs(), replicas);
        if (validateOnly) {
            return grown;
        }
        List<List<Integer>> added = replicas.subList(current, newCount);
        store.putPartitions(name, current, added.stream().map(r -> LeaderElection.initial(r, live, controllerEpoch)).toList());
        if (!store.replaceTopic(stored, grown)) {
            throw new ApiException(Errors.NOT_CONTROLLER, "Concurrent change of topic " + name);
        }
        LOG.log(Level.INFO, "partitions created topic={0} partitions={1} -> {2} replicas={3} controllerEpoch={4}",
                name, current, newCount, added, controllerEpoch);
        return grown;
    }

    /**
     * Changes a topic's config overrides: {@code change} gets the current ones and returns the new ones, validated
     * (it throws INVALID_CONFIG). Written with a conditional replace of the topic record.
     */
    TopicRecord alterConfigs(int controllerEpoch, String name, UnaryOperator<Map<String, String>> change,
                             boolean validateOnly) {
        Versioned<TopicRecord> stored = existing(name);
        TopicRecord topic = stored.value();
        TopicRecord changed = new TopicRecord(name, topic.id(), Map.copyOf(change.apply(topic.configs())),
                topic.replicas());
        if (validateOnly || changed.equals(topic)) {
            return changed;
        }
        if (!store.replaceTopic(stored, changed)) {
            throw new ApiException(Errors.NOT_CONTROLLER, "Concurrent change of topic " + name);
        }
        LOG.log(Level.INFO, "topic configs changed name={0} configs={1} controllerEpoch={2}", name,
                changed.configs(), controllerEpoch);
        return changed;
    }

    /** The topic's stored record, or UNKNOWN_TOPIC_OR_PARTITION. */
    private Versioned<TopicRecord> existing(String name) {
        Versioned<TopicRecord> stored = store.topic(name);
        if (stored == null) {
            throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
        }
        return stored;
    }
}
