package io.skua.broker.metadata;

import io.skua.broker.lifecycle.Lifecycle;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.broker.partition.DelayedOperations;
import io.skua.broker.partition.PartitionRegistry;
import io.skua.broker.partition.Partition;
import io.skua.protocol.Uuid;
import io.skua.storage.LogConfig;
import io.skua.storage.TopicMetadata;
import io.skua.storage.log.LogManager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The topics this broker knows, and topic admin: lookups are lock-free from any thread; topic changes (create, delete,
 * add partitions, configs) run one at a time on a worker, off the event loop, and are persisted by storage's
 * {@link LogManager} before they are visible. The partitions it opens are served by the {@link PartitionRegistry};
 * clustered, changes go through the controller ({@link ClusterTopics}).
 */
public final class TopicManager implements Lifecycle {
    private static final System.Logger LOG = System.getLogger(TopicManager.class.getName());

    private final Vertx vertx;
    private final Path dataDir;
    private final LogConfig defaults;
    private final int defaultPartitions;
    private final short defaultReplicationFactor;
    private final int liveBrokers;
    private final PartitionRegistry partitions;
    private final Map<String, TopicMetadata> byName = new ConcurrentHashMap<>();
    private final Map<Uuid, TopicMetadata> byId = new ConcurrentHashMap<>();
    private LogManager logs;
    private long retentionTimer = -1;
    private final long retentionCheckMs;
    /** Clustered: the controller creates topics, and this broker hosts only the partitions assigned to it. */
    private volatile ClusterTopics cluster;

    public TopicManager(Vertx vertx, Path dataDir, LogConfig defaults, int defaultPartitions,
                        short defaultReplicationFactor, long retentionCheckMs, PartitionRegistry partitions) {
        this.vertx = vertx;
        this.dataDir = dataDir;
        this.defaults = defaults;
        this.defaultPartitions = defaultPartitions;
        this.defaultReplicationFactor = defaultReplicationFactor;
        this.retentionCheckMs = retentionCheckMs;
        this.liveBrokers = 1;
        this.partitions = partitions;
    }

    /** Switches to clustered mode (before {@link #start()}). */
    public void clustered(ClusterTopics cluster) {
        this.cluster = cluster;
    }

    public boolean isClustered() {
        return cluster != null;
    }

    @Override
    public Future<Void> start() {
        return this.<Void>admin(() -> {
            logs = LogManager.open(dataDir, defaults, System::currentTimeMillis);
            for (TopicMetadata topic : logs.topics()) {
                if (cluster == null) {
                    publish(topic);
                }
                // Clustered: a topic on disk is published when the cluster metadata names it (syncTopic).
            }
            return null;
        }).onSuccess(v -> {
            LOG.log(Level.INFO, "topics loaded count={0} dir={1}", byName.size(), dataDir);
            retentionTimer = vertx.setPeriodic(retentionCheckMs, id -> partitions.applyRetention(System.currentTimeMillis()));
        });
    }

    @Override
    public Future<Void> stop() {
        if (retentionTimer >= 0) {
            vertx.cancelTimer(retentionTimer);
        }
        return vertx.executeBlocking(() -> {
            partitions.close();
            if (logs != null) {
                logs.close();
            }
            return null;
        }, false).mapEmpty();
    }

    public TopicMetadata topic(String name) {
        return name == null ? null : byName.get(name);
    }

    public TopicMetadata topic(Uuid id) {
        return id == null ? null : byId.get(id);
    }

    public Collection<TopicMetadata> topics() {
        return byName.values();
    }

    /** The partition, or null when the topic or partition does not exist or is not hosted here. */
    public Partition partition(String topic, int index) {
        return partitions.partition(topic, index);
    }

    /** The partitions this broker serves. */
    public PartitionRegistry partitions() {
        return partitions;
    }

    /** The config a topic's logs run with: broker defaults refined by the topic's own settings. */
    public LogConfig effectiveConfig(TopicMetadata topic) {
        return defaults.withOverrides(topic.configs());
    }

    /** The data directory every partition of this broker lives in (DescribeLogDirs). */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Creates a topic. {@code partitions} and {@code replicationFactor} of -1 take the broker defaults.
     * Fails with an {@link ApiException} carrying Kafka's error code.
     */
    public Future<TopicMetadata> createTopic(String name, int partitionCount, short replicationFactor,
                                             Map<String, String> configs, boolean validateOnly) {
        int count = partitionCount == -1 ? defaultPartitions : partitionCount;
        short rf = replicationFactor == -1 ? defaultReplicationFactor : replicationFactor;
        Future<TopicMetadata> local = createLocally(name, count, rf, configs, validateOnly);
        ClusterTopics c = cluster;
        if (c == null) {
            return local;
        }
        return local.compose(x -> c.create(name, count, rf, configs, validateOnly))
                .compose(created -> validateOnly ? Future.succeededFuture(created) : awaitPublished(created));
    }

    /**
     * Completes when this broker has published the created topic (its id: not a copy of a deleted topic of that name
     * still being dropped here), or after 10 s regardless.
     */
    private Future<TopicMetadata> awaitPublished(TopicMetadata created) {
        return awaitLocal(created.name(), t -> t != null && t.id().equals(created.id()), 10_000)
                .map(v -> byName.getOrDefault(created.name(), created));
    }

    /**
     * Completes (on the caller's context) once {@code done} holds for this broker's copy of topic {@code name} (null
     * when it has none), checked now and after each local change of the topic; after {@code timeoutMs} regardless.
     * The wait parks in the partitions' {@link DelayedOperations}, keyed by the topic name.
     */
    public Future<Void> awaitLocal(String name, Predicate<TopicMetadata> done, long timeoutMs) {
        Executor executor = DelayedOperations.executor(vertx.getOrCreateContext());
        return partitions.delayed().await(executor, List.of(new TopicKey(name)), timeoutMs,
                () -> done.test(byName.get(name))).mapEmpty();
    }

    /** The key of a topic's local changes in the delayed operations (distinct from any partition). */
    private record TopicKey(String name) {
    }

    private void changed(String name) {
        partitions.delayed().checkAndComplete(new TopicKey(name));
    }

    /**
     * Clustered: makes this broker's copy of topic {@code name} what the cluster holds ({@code desired}, or null when
     * the cluster has no such topic). A copy of another incarnation (other topic id) or of a deleted topic is
     * unpublished, its writers drained, and its logs deleted; then the hosted partitions' logs are created (on first
     * sight or when partitions were added), the configs applied to the open logs, and the topic published. Idempotent;
     * the caller runs one call per topic name at a time.
     */
    public Future<Void> syncTopic(String name, TopicMetadata desired) {
        TopicMetadata known = byName.get(name);
        Future<Void> dropped = known != null && (desired == null || !known.id().equals(desired.id()))
                ? unpublish(known) : Future.succeededFuture();
        return dropped.compose(v -> this.<Void>admin(() -> {
            var onDisk = logs.topic(name);
            if (onDisk.isPresent() && (desired == null || !onDisk.get().id().equals(desired.id()))) {
                // Unpublished (or never published since this start): no writer uses these logs.
                logs.deleteTopic(name);
                LOG.log(Level.INFO, "topic deleted name={0} id={1}{2}", name, onDisk.get().id(),
                        desired == null ? "" : " (the cluster has a new topic of that name, id=" + desired.id() + ")");
            }
            if (desired != null) {
                apply(desired);
            }
            return null;
        })).andThen(ar -> changed(name));
    }

    /** Admin lock held: the logs and the published copy of a topic as the cluster has it. */
    private void apply(TopicMetadata topic) {
        TopicMetadata known = byName.get(topic.name());
        if (known != null && known.equals(topic)) {
            return;
        }
        boolean hostsAny = false;
        for (int p = 0; p < topic.partitionCount(); p++) {
            hostsAny |= cluster.hosts(topic.name(), p);
        }
        var onDisk = logs.topic(topic.name());
        if (onDisk.isEmpty()) {
            if (hostsAny) {
                logs.createTopic(topic.name(), topic.id(), topic.partitionCount(), topic.configs());
            }
        } else {
            if (onDisk.get().partitionCount() < topic.partitionCount()) {
                logs.addPartitions(topic.name(), topic.partitionCount());
            }
            if (!onDisk.get().configs().equals(topic.configs())) {
                logs.updateConfigs(topic.name(), topic.configs()); // applied to the open logs too
            }
        }
        publish(topic);
        LOG.log(Level.INFO, "topic published name={0} id={1} partitions={2} hostedHere={3} configs={4}", topic.name(),
                topic.id(), topic.partitionCount(), hostsAny, topic.configs());
    }

    private Future<TopicMetadata> createLocally(String name, int count, short rf, Map<String, String> configs,
                                                boolean validateOnly) {
        return admin(() -> {
            TopicNames.validate(name);
            if (count <= 0) {
                throw new ApiException(Errors.INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
            }
            if (rf <= 0) {
                throw new ApiException(Errors.INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
            }
            if (cluster == null && rf > liveBrokers) {
                throw new ApiException(Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition " + rf
                        + " time(s): The target replication factor of " + rf + " cannot be reached because only "
                        + liveBrokers + " broker(s) are registered.");
            }
            validateConfigs(configs);
            if (cluster == null && byName.containsKey(name)) {
                // (clustered, the controller decides: this broker may still be dropping a deleted topic of that name)
                throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
            }
            if (cluster == null && logs.topic(name).isPresent()) {
                // Unpublished by deleteTopic, whose files are still being removed. (Clustered, the controller decides
                // and this broker's sync of the name removes the old files before it creates the new ones.)
                throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' is marked for deletion.");
            }
            if (cluster != null) {
                return null; // validated here; the controller checks the replication factor and creates it
            }
            TopicMetadata topic = new TopicMetadata(name, Uuid.randomUuid(), count, configs);
            if (validateOnly) {
                return topic;
            }
            topic = logs.createTopic(name, topic.id(), count, configs);
            publish(topic);
            LOG.log(Level.INFO, "topic created name={0} id={1} partitions={2}", name, topic.id(), count);
            return topic;
        });
    }

    /**
     * Deletes a topic and its logs. Clustered, through the controller ({@code id}, when not null, must still be the
     * topic's id there); every broker then drops its copy (see {@link #syncTopic}).
     */
    public Future<Void> deleteTopic(String name, Uuid id) {
        TopicMetadata topic = byName.get(name);
        if (topic == null) {
            return Future.failedFuture(new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic-partition."));
        }
        ClusterTopics c = cluster;
        if (c != null) {
            return c.delete(name, id);
        }
        return unpublish(topic).transform(x -> this.<Void>admin(() -> {
            logs.deleteTopic(name);
            LOG.log(Level.INFO, "topic deleted name={0} id={1}", name, topic.id());
            return null;
        }));
    }

    /** Unpublishes first (new requests see no topic), then lets each writer finish what it has queued. */
    private Future<Void> unpublish(TopicMetadata topic) {
        byName.remove(topic.name(), topic);
        byId.remove(topic.id(), topic);
        return partitions.remove(topic.name());
    }

    /**
     * Grows a topic to {@code newCount} partitions. {@code assignments} (clustered only; null to spread them over the
     * live brokers) names each new partition's replicas.
     */
    public Future<TopicMetadata> createPartitions(String name, int newCount, List<List<Integer>> assignments,
                                                  boolean validateOnly) {
        ClusterTopics c = cluster;
        Future<TopicMetadata> local = admin(() -> {
            TopicMetadata topic = byName.get(name);
            if (topic == null) {
                throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
            }
            if (newCount <= topic.partitionCount()) {
                throw new ApiException(Errors.INVALID_PARTITIONS, "Topic currently has " + topic.partitionCount()
                        + " partitions, which is higher than the requested " + newCount + ".");
            }
            if (validateOnly || c != null) {
                return topic;
            }
            TopicMetadata grown = logs.addPartitions(name, newCount);
            publish(grown);
            return grown;
        });
        if (c == null) {
            return local;
        }
        return local.compose(x -> c.createPartitions(name, newCount, assignments, validateOnly))
                .map(v -> byName.getOrDefault(name, local.result()));
    }

    /**
     * Changes a topic's config overrides (AlterConfigs, IncrementalAlterConfigs). Validated here against this broker's
     * copy; clustered, the controller applies the change to the topic as the cluster holds it and every broker applies
     * the result to its open logs.
     *
     * @param brokerValue the broker-level value of a config (APPEND / SUBTRACT start from it)
     */
    public Future<TopicMetadata> alterConfigs(String name, ConfigChange change, UnaryOperator<String> brokerValue,
                                              boolean validateOnly) {
        ClusterTopics c = cluster;
        Future<TopicMetadata> local = admin(() -> {
            TopicMetadata topic = byName.get(name);
            if (topic == null) {
                throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
            }
            Map<String, String> configs = change.applyTo(topic.configs(), brokerValue);
            validateConfigs(configs);
            if (validateOnly || c != null) {
                return topic;
            }
            TopicMetadata updated = logs.updateConfigs(name, configs);
            byName.put(name, updated);
            byId.put(updated.id(), updated);
            return updated;
        });
        if (c == null) {
            return local;
        }
        return local.compose(x -> c.alterConfigs(name, change, validateOnly))
                .map(v -> byName.getOrDefault(name, local.result()));
    }

    /**
     * Checks topic config overrides: known names, values of the right type and range.
     *
     * @throws ApiException INVALID_CONFIG naming the property
     */
    public void validateConfigs(Map<String, String> configs) {
        configs.forEach(TopicConfigs::validate);
        try {
            defaults.withOverrides(configs);
        } catch (IllegalArgumentException e) {
            throw new ApiException(Errors.INVALID_CONFIG, e.getMessage());
        }
    }

    /** Makes the topic visible; clustered, only hosted partitions get a {@link Partition} (others stay null). */
    private void publish(TopicMetadata topic) {
        ClusterTopics c = cluster;
        partitions.open(topic, (name, p) -> c == null || c.hosts(name, p), logs::log, c == null);
        byName.put(topic.name(), topic);
        byId.put(topic.id(), topic);
        changed(topic.name());
    }

    /** Topic changes, one at a time, on a worker thread. */
    private <T> Future<T> admin(Callable<T> work) {
        return vertx.executeBlocking(() -> {
            synchronized (this) {
                try {
                    return work.call();
                } catch (IllegalArgumentException e) {
                    throw new ApiException(Errors.INVALID_REQUEST, e.getMessage());
                }
            }
        }, false);
    }
}
