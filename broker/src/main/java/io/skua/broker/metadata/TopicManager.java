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

/**
 * The topics this broker knows: lookups are lock-free from any thread; changes of this broker's copy (a topic's logs
 * opened, grown, reconfigured or deleted) run one at a time on a worker, off the event loop, and are persisted by
 * storage's {@link LogManager} before they are visible. The partitions it opens are those {@link HostedReplicas} names,
 * served by the {@link PartitionRegistry}. Topic admin is a {@link TopicService}: on a single node
 * {@link LocalTopicService} changes topics here; clustered, the controller changes them and the cluster's copy is
 * synced here ({@link #syncTopic}).
 */
public final class TopicManager implements Lifecycle {
    private static final System.Logger LOG = System.getLogger(TopicManager.class.getName());

    private final Vertx vertx;
    private final Path dataDir;
    private final LogConfig defaults;
    private final PartitionRegistry partitions;
    private final HostedReplicas hosted;
    private final Map<String, TopicMetadata> byName = new ConcurrentHashMap<>();
    private final Map<Uuid, TopicMetadata> byId = new ConcurrentHashMap<>();
    private LogManager logs;
    private long retentionTimer = -1;
    private final long retentionCheckMs;

    public TopicManager(Vertx vertx, Path dataDir, LogConfig defaults, long retentionCheckMs,
                        PartitionRegistry partitions, HostedReplicas hosted) {
        this.vertx = vertx;
        this.dataDir = dataDir;
        this.defaults = defaults;
        this.retentionCheckMs = retentionCheckMs;
        this.partitions = partitions;
        this.hosted = hosted;
    }

    /**
     * Opens the data directory. Nothing is published yet: a single node publishes what is on disk
     * ({@link LocalTopicService#start}); clustered, a topic on disk is published when the cluster metadata names it
     * ({@link #syncTopic}).
     */
    @Override
    public Future<Void> start() {
        return this.<Integer>admin(() -> {
            logs = LogManager.open(dataDir, defaults, System::currentTimeMillis);
            return logs.topics().size();
        }).onSuccess(count -> {
            LOG.log(Level.INFO, "topics loaded count={0} dir={1}", count, dataDir);
            retentionTimer = vertx.setPeriodic(retentionCheckMs, id -> partitions.applyRetention(System.currentTimeMillis()));
        }).mapEmpty();
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
     * Makes this broker's copy of topic {@code name} what the cluster holds ({@code desired}, or null when
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
            hostsAny |= hosted.hosts(topic.name(), p);
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

    /** Unpublishes first (new requests see no topic), then lets each writer finish what it has queued. */
    Future<Void> unpublish(TopicMetadata topic) {
        byName.remove(topic.name(), topic);
        byId.remove(topic.id(), topic);
        return partitions.remove(topic.name());
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

    /**
     * Checks a new topic's name, partition count and replication factor (the rules every broker applies before the
     * topic is created).
     *
     * @throws ApiException INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS or INVALID_REPLICATION_FACTOR
     */
    public static void validateNew(String name, int partitionCount, short replicationFactor) {
        TopicNames.validate(name);
        if (partitionCount <= 0) {
            throw new ApiException(Errors.INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
        }
        if (replicationFactor <= 0) {
            throw new ApiException(Errors.INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
        }
    }

    /** Makes the topic visible; only hosted partitions get a {@link Partition} (others stay null). */
    void publish(TopicMetadata topic) {
        partitions.open(topic, hosted::hosts, logs::log, hosted.soleReplica());
        byName.put(topic.name(), topic);
        byId.put(topic.id(), topic);
        changed(topic.name());
    }

    /** Replaces the published copy of a topic whose partitions did not change (new configs, applied by storage). */
    void republish(TopicMetadata topic) {
        byName.put(topic.name(), topic);
        byId.put(topic.id(), topic);
    }

    /** The data directory's logs (admin lock held; opened by {@link #start}). */
    LogManager logs() {
        return logs;
    }

    /** Changes of this broker's copy, one at a time, on a worker thread. */
    <T> Future<T> admin(Callable<T> work) {
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
