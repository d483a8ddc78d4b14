package io.skua.broker.metadata;

import io.skua.broker.Lifecycle;
import io.skua.broker.api.ApiException;
import io.skua.broker.api.Errors;
import io.skua.broker.log.IoThreads;
import io.skua.broker.log.Partition;
import io.skua.protocol.Uuid;
import io.skua.storage.LogConfig;
import io.skua.storage.LogManager;
import io.skua.storage.PartitionLog;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
    private final Map<String, List<io.vertx.core.Promise<TopicMetadata>>> awaitingPublication = new ConcurrentHashMap<>();

    /** How a clustered broker creates topics and learns which partitions it hosts. */
    public interface ClusterTopics {
        /** Creates the topic through the controller; completes once the controller has written it. */
        Future<TopicMetadata> create(String name, int partitions, short replicationFactor, Map<String, String> configs,
                                     boolean validateOnly);

        /** True when this broker holds a replica of the partition. */
        boolean hosts(String topic, int partition);
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

    @Override
    public Future<Void> start() {
        return this.<Void>admin(() -> {
            logs = LogManager.open(dataDir, defaults, System::currentTimeMillis);
            for (TopicMetadata topic : logs.topics()) {
                if (cluster == null) {
                    publish(topic);
                }
                // Clustered: a topic on disk is published when the cluster metadata names it (ensureTopic).
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

    /** Completes when this broker has published the topic (its listener saw it), or after 10 s regardless. */
    private Future<TopicMetadata> awaitPublished(TopicMetadata created) {
        io.vertx.core.Promise<TopicMetadata> promise =
                ((io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext()).promise();
        awaitingPublication.computeIfAbsent(created.name(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(promise);
        TopicMetadata known = byName.get(created.name());
        if (known != null) {
            promise.tryComplete(known);
        }
        long timer = vertx.setTimer(10_000, id -> promise.tryComplete(created));
        return promise.future().andThen(ar -> {
            vertx.cancelTimer(timer);
            List<io.vertx.core.Promise<TopicMetadata>> waiting = awaitingPublication.get(created.name());
            if (waiting != null) {
                waiting.remove(promise);
            }
        });
    }

    /**
     * Clustered: makes this broker's view of a topic match the cluster metadata: publishes it, and opens the logs
     * of the partitions this broker hosts (creating them on first sight). Idempotent.
     */
    public Future<TopicMetadata> ensureTopic(TopicMetadata topic) {
        return admin(() -> {
            TopicMetadata known = byName.get(topic.name());
            if (known != null && known.id().equals(topic.id()) && known.partitionCount() == topic.partitionCount()) {
                return known;
            }
            boolean hostsAny = false;
            for (int p = 0; p < topic.partitionCount(); p++) {
                hostsAny |= cluster.hosts(topic.name(), p);
            }
            var onDisk = logs.topic(topic.name());
            if (onDisk.isPresent() && !onDisk.get().id().equals(topic.id())) {
                LOG.log(Level.WARNING, "topic on disk has another id than in the cluster, its data is not served "
                        + "name={0} disk={1} cluster={2}", topic.name(), onDisk.get().id(), topic.id());
            } else if (onDisk.isEmpty() && hostsAny) {
                logs.createTopic(topic.name(), topic.id(), topic.partitionCount(), topic.configs());
            }
            publish(topic);
            LOG.log(Level.INFO, "topic published name={0} id={1} partitions={2} hostedHere={3}", topic.name(),
                    topic.id(), topic.partitionCount(), hostsAny);
            return topic;
        });
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
            if (byName.containsKey(name)) {
                throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
            }
            if (logs.topic(name).isPresent()) {
                // Unpublished by deleteTopic, whose files are still being removed.
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
        TopicMetadata topic = byName.get(name);
        if (topic == null) {
            return Future.failedFuture(new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic-partition."));
        }
        // Unpublish first: new requests see no topic; then let each writer finish what it has queued.
        byName.remove(name);
        byId.remove(topic.id());
        List<Partition> gone = partitions.remove(name);
        List<Future<Void>> drained = new ArrayList<>();
        for (Partition p : gone) {
            if (p != null) {
                drained.add(p.barrier());
            }
        }
        return Future.join(drained).transform(x -> this.<Void>admin(() -> {
            logs.deleteTopic(name);
            LOG.log(Level.INFO, "topic deleted name={0} id={1}", name, topic.id());
            return null;
        }));
    }

    public Future<TopicMetadata> createPartitions(String name, int newCount, boolean validateOnly) {
        return admin(() -> {
            TopicMetadata topic = byName.get(name);
            if (topic == null) {
                throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
            }
            if (newCount <= topic.partitionCount()) {
                throw new ApiException(Errors.INVALID_PARTITIONS, "Topic currently has " + topic.partitionCount()
                        + " partitions, which is higher than the requested " + newCount + ".");
            }
            if (validateOnly) {
                return topic;
            }
            TopicMetadata grown = logs.addPartitions(name, newCount);
            publish(grown);
            return grown;
        });
    }

    /** Replaces the topic's explicit configs with {@code configs}. */
    public Future<TopicMetadata> setConfigs(String name, Map<String, String> configs, boolean validateOnly) {
        return admin(() -> {
            TopicMetadata topic = byName.get(name);
            if (topic == null) {
                throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
            }
            validateConfigs(configs);
            if (validateOnly) {
                return topic;
            }
            TopicMetadata updated = logs.updateConfigs(name, configs);
            byName.put(name, updated);
            byId.put(updated.id(), updated);
            return updated;
        });
    }

    private void validateConfigs(Map<String, String> configs) {
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
            Partition partition = new Partition(topic.name(), p, log, io.forPartition(topic.name(), p));
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
        List<io.vertx.core.Promise<TopicMetadata>> waiting = awaitingPublication.remove(topic.name());
        if (waiting != null) {
            waiting.forEach(w -> w.tryComplete(topic));
        }
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
