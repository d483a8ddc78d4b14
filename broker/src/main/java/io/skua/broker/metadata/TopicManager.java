package io.skua.broker.metadata;

import io.skua.broker.Lifecycle;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.broker.log.IoThreads;
import io.skua.broker.log.Partition;
import io.skua.protocol.Uuid;
import io.skua.storage.LogConfig;
import io.skua.storage.TopicMetadata;
import io.skua.storage.log.LogManager;
import io.skua.storage.log.PartitionLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The topics this broker hosts and their partitions. Lookups are lock-free from any thread; topic changes
 * (create, delete, add partitions, configs) run one at a time on a worker, off the event loop, and are
 * persisted by storage's {@link LogManager} before they are visible.
 */
public final class TopicManager implements Lifecycle {
    private static final System.Logger LOG = System.getLogger(TopicManager.class.getName());

    private final Vertx vertx;
    private final Path dataDir;
    private final LogConfig defaults;
    private final int defaultPartitions;
    private final short defaultReplicationFactor;
    private final int liveBrokers;
    private final IoThreads io;
    private final Map<String, TopicMetadata> byName = new ConcurrentHashMap<>();
    private final Map<Uuid, TopicMetadata> byId = new ConcurrentHashMap<>();
    private final Map<String, List<Partition>> partitions = new ConcurrentHashMap<>();
    private LogManager logs;
    private long retentionTimer = -1;
    private final long retentionCheckMs;
    /** Clustered: the controller creates topics, and this broker hosts only the partitions assigned to it. */
    private volatile ClusterTopics cluster;
    private final Map<String, List<Watcher>> watchers = new ConcurrentHashMap<>();

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

    /** A wait for this broker's copy of a topic to reach some state; checked after each local change of it. */
    private record Watcher(Predicate<TopicMetadata> done, Promise<Void> promise) {
    }

    public TopicManager(Vertx vertx, Path dataDir, LogConfig defaults, int defaultPartitions,
                        short defaultReplicationFactor, long retentionCheckMs, IoThreads io) {
        this.vertx = vertx;
        this.dataDir = dataDir;
        this.defaults = defaults;
        this.defaultPartitions = defaultPartitions;
        this.defaultReplicationFactor = defaultReplicationFactor;
        this.retentionCheckMs = retentionCheckMs;
        this.liveBrokers = 1;
        this.io = io;
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
            retentionTimer = vertx.setPeriodic(retentionCheckMs, id -> applyRetention());
        });
    }

    @Override
    public Future<Void> stop() {
        if (retentionTimer >= 0) {
            vertx.cancelTimer(retentionTimer);
        }
        return vertx.executeBlocking(() -> {
            io.close();
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

    /** The partition, or null when the topic or partition does not exist. */
    public Partition partition(String topic, int index) {
        List<Partition> list = partitions.get(topic);
        return list == null || index < 0 || index >= list.size() ? null : list.get(index);
    }

    /** The config a topic's logs run with: broker defaults refined by the topic's own settings. */
    public LogConfig effectiveConfig(TopicMetadata topic) {
        return defaults.withOverrides(topic.configs());
    }

    /** The data directory every partition of this broker lives in (DescribeLogDirs). */
    public Path dataDir() {
        return dataDir;
    }

    public LogConfig brokerDefaults() {
        return defaults;
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
     */
    public Future<Void> awaitLocal(String name, Predicate<TopicMetadata> done, long timeoutMs) {
        Promise<Void> promise = ((ContextInternal) vertx.getOrCreateContext()).promise();
        Watcher watcher = new Watcher(done, promise);
        watchers.compute(name, (k, waiting) -> {
            List<Watcher> list = waiting == null ? new CopyOnWriteArrayList<>() : waiting;
            list.add(watcher);
            return list;
        });
        check(name, watcher);
        long timer = vertx.setTimer(timeoutMs, id -> promise.tryComplete());
        return promise.future().andThen(ar -> {
            vertx.cancelTimer(timer);
            watchers.computeIfPresent(name, (k, waiting) -> {
                waiting.remove(watcher);
                return waiting.isEmpty() ? null : waiting;
            });
        });
    }

    private void changed(String name) {
        List<Watcher> waiting = watchers.get(name);
        if (waiting != null) {
            waiting.forEach(w -> check(name, w));
        }
    }

    private void check(String name, Watcher w) {
        try {
            if (w.done().test(byName.get(name))) {
                w.promise().tryComplete();
            }
        } catch (RuntimeException e) {
            w.promise().tryFail(e);
        }
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

    public Future<Void> deleteTopic(String name) {
        return deleteTopic(name, null);
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
        List<Partition> gone = partitions.remove(topic.name());
        List<Future<Void>> drained = new ArrayList<>();
        for (Partition p : gone == null ? List.<Partition>of() : gone) {
            if (p != null) {
                p.wakeWaiters(); // parked fetches and acks=all produce requests re-check and find no partition
                drained.add(p.barrier());
            }
        }
        return Future.join(drained).mapEmpty();
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
        Partition[] list = new Partition[topic.partitionCount()];
        List<Partition> existing = partitions.getOrDefault(topic.name(), List.of());
        ClusterTopics c = cluster;
        for (int p = 0; p < topic.partitionCount(); p++) {
            if (p < existing.size() && existing.get(p) != null) {
                list[p] = existing.get(p);
                continue;
            }
            if (c != null && !c.hosts(topic.name(), p)) {
                continue;
            }
            var found = logs.log(topic.name(), p);
            if (found.isEmpty()) {
                continue;
            }
            PartitionLog log = found.get();
            Partition partition = new Partition(topic.name(), p, log, io.forPartition(topic.name(), p), io.flusher());
            if (c == null) {
                // A single node is its own ISR: everything its log holds after recovery is committed.
                log.updateHighWatermark(log.logEndOffset());
            } else {
                // Clustered, the leader advances the high watermark over the ISR (ReplicaManager); a follower takes
                // the leader's. Until this broker knows its role, the recovered (checkpointed) one stands.
                partition.soleReplica(false);
            }
            list[p] = partition;
        }
        partitions.put(topic.name(), Collections.unmodifiableList(Arrays.asList(list)));
        byName.put(topic.name(), topic);
        byId.put(topic.id(), topic);
        changed(topic.name());
    }

    private void applyRetention() {
        long now = System.currentTimeMillis();
        for (List<Partition> list : partitions.values()) {
            for (Partition p : list) {
                if (p == null) {
                    continue;
                }
                p.applyRetention(now).onFailure(t -> LOG.log(Level.WARNING,
                        "retention failed topic={0} partition={1}: {2}", p.topic(), p.index(), t.toString()));
            }
        }
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
