package io.skua.broker;

import io.skua.broker.lifecycle.Lifecycle;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.broker.config.BrokerConfig;
import io.skua.broker.group.GroupConfig;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.OffsetsTopicLog;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.metadata.TopicService;
import io.skua.storage.LogConfig;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.skua.broker.network.VertxAccess;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The group coordinator as a broker component. Started after the {@link TopicManager} (it creates
 * {@code __consumer_offsets} on first start and replays it, in the background) and stopped before it. The
 * coordinator runs on an event loop context of its own.
 *
 * <p>The number of {@code __consumer_offsets} partitions is the topic's, once it exists: a changed
 * {@code offsets.topic.num.partitions} would move groups to other partitions, so, as in Kafka, it only applies to
 * the topic's creation.
 */
public final class GroupService implements Lifecycle {
    private static final long STARTUP_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    private static final long RETRY_MS = 250;
    private static final long RECONCILE_MS = 500;
    private static final System.Logger LOG = System.getLogger(GroupService.class.getName());
    /** Kafka's {@code offsets.topic.segment.bytes}. */
    static final int OFFSETS_SEGMENT_BYTES = 100 * 1024 * 1024;

    private final Vertx vertx;
    private final BrokerConfig config;
    private final TopicService admin;
    private final TopicManager topics;
    private final ClusterView cluster;
    private volatile GroupCoordinator coordinator;
    /** Clustered: offsets partition -> the leader epoch it was loaded for (coordinator context only). */
    private final Map<Integer, Integer> loaded = new HashMap<>();
    private final Set<Integer> loading = new HashSet<>();
    private long leadershipTimer = -1;
    private volatile boolean stopped;
    /** Single node: the background load of the offsets partitions. */
    private volatile Future<Void> backgroundLoad = Future.succeededFuture();

    public GroupService(Vertx vertx, BrokerConfig config, TopicManager topics, TopicService admin, ClusterView cluster) {
        this.vertx = vertx;
        this.config = config;
        this.topics = topics;
        this.admin = admin;
        this.cluster = cluster;
    }

    @Override
    public Future<Void> start() {
        if (config.clustered()) {
            // The offsets topic is replicated like any topic, and a broker coordinates the groups of the offsets
            // partitions it leads (loaded when it gains leadership, unloaded when it loses it). The topic needs
            // a controller and live brokers, which exist only after start: set up in the background.
            clusteredSetup(System.nanoTime() + STARTUP_WAIT_NANOS);
            return Future.succeededFuture();
        }
        // Single node: the coordinator exists at once and loads in the background, so the listener opens without
        // waiting for the offsets topic to be created (50 partitions on first start) or replayed. Until a partition is
        // loaded its groups get NOT_COORDINATOR, and FindCoordinator COORDINATOR_NOT_AVAILABLE: clients retry, as
        // they do while Kafka loads its offsets partitions.
        TopicMetadata existing = topics.topic(OffsetsTopicLog.TOPIC);
        GroupCoordinator c = newCoordinator(existing != null ? existing.partitionCount()
                : config.offsetsTopicNumPartitions());
        coordinator = c;
        backgroundLoad = load(c);
        return Future.succeededFuture();
    }

    /** Completes once a single node's coordinator has loaded the offsets partitions it could (clustered: at once). */
    public Future<Void> loaded() {
        return backgroundLoad;
    }

    /** Clustered: creates or finds the offsets topic, then follows the leadership of its partitions. */
    private void clusteredSetup(long deadlineNanos) {
        if (stopped) {
            return;
        }
        TopicMetadata existing = topics.topic(OffsetsTopicLog.TOPIC);
        if (existing != null) {
            startCoordinating(existing);
            return;
        }
        int live = cluster.liveBrokers(listenerName()).size();
        int expected = Math.min(3, expectedBrokers());
        if (live < expected && System.nanoTime() < deadlineNanos) {
            vertx.setTimer(RETRY_MS, t -> clusteredSetup(deadlineNanos));
            return;
        }
        short rf = (short) Math.max(1, Math.min(3, live));
        Map<String, String> configs = Map.of(LogConfig.CLEANUP_POLICY, "compact",
                LogConfig.SEGMENT_BYTES, String.valueOf(OFFSETS_SEGMENT_BYTES));
        admin.createTopic(OffsetsTopicLog.TOPIC, config.offsetsTopicNumPartitions(), rf, configs, false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        LOG.log(Level.INFO, "{0} created replicationFactor={1}", OffsetsTopicLog.TOPIC, rf);
                    }
                    // created here or elsewhere (TOPIC_ALREADY_EXISTS), or not yet possible: look again
                    vertx.setTimer(RETRY_MS, t -> clusteredSetup(Math.max(deadlineNanos, System.nanoTime())));
                });
    }

    private String listenerName() {
        return config.listeners().isEmpty() ? "PLAINTEXT" : config.listeners().get(0).listenerName();
    }

    /** The cluster's intended size: the distinct members of cluster.seeds and this broker's own bind address. */
    private int expectedBrokers() {
        Set<String> members = new HashSet<>();
        config.clusterSeeds().forEach(h -> members.add(h.host() + ":" + h.port()));
        if (config.clusterBind() != null) {
            members.add(config.clusterBind().host() + ":" + config.clusterBind().port());
        }
        return Math.max(1, members.size());
    }

    private void startCoordinating(TopicMetadata topic) {
        io.vertx.core.Context context = VertxAccess.newContext(vertx);
        GroupCoordinator c = new GroupCoordinator(context, groupConfig(config, topic.partitionCount()),
                new OffsetsTopicLog(topics, System::currentTimeMillis),
                (name, p) -> {
                    // clustered, a broker opens only the partitions it hosts: commits name any existing partition
                    TopicMetadata t = topics.topic(name);
                    return t != null && p >= 0 && p < t.partitionCount();
                }, System::currentTimeMillis);
        c.startRetention();
        coordinator = c;
        context.runOnContext(v -> {
            leadershipTimer = vertx.setPeriodic(RECONCILE_MS, id -> followLeadership(c, topic.partitionCount()));
            followLeadership(c, topic.partitionCount());
        });
        LOG.log(Level.INFO, "group coordination follows the leaders of {0} partitions={1}", OffsetsTopicLog.TOPIC,
                topic.partitionCount());
    }

    /**
     * Coordinator context: loads the offsets partitions this broker leads (once its high watermark covers its log
     * end, so the replay sees every committed record) and unloads those it no longer leads.
     */
    private void followLeadership(GroupCoordinator c, int partitions) {
        if (stopped) {
            return;
        }
        for (int p = 0; p < partitions; p++) {
            var state = cluster.partitionState(OffsetsTopicLog.TOPIC, p);
            Integer loadedEpoch = loaded.get(p);
            boolean leads = state.leader() == cluster.nodeId();
            if (leads && (loadedEpoch == null || loadedEpoch != state.leaderEpoch()) && !loading.contains(p)) {
                var partition = topics.partition(OffsetsTopicLog.TOPIC, p);
                if (partition == null || partition.highWatermark() < partition.logEndOffset()) {
                    continue; // not open yet, or followers have not confirmed the log end: next round
                }
                int partitionIndex = p;
                int epoch = state.leaderEpoch();
                loading.add(p);
                Future<Void> unload = loadedEpoch != null ? c.unloadPartition(p) : Future.succeededFuture();
                unload.compose(v -> c.loadPartition(partitionIndex)).onComplete(ar -> {
                    loading.remove(partitionIndex);
                    if (ar.succeeded()) {
                        loaded.put(partitionIndex, epoch);
                        LOG.log(Level.INFO, "group coordinator loaded partition={0} leaderEpoch={1}", partitionIndex, epoch);
                    } else {
                        LOG.log(Level.WARNING, "group coordinator could not load partition={0}: {1}", partitionIndex,
                                ar.cause().toString());
                    }
                });
            } else if (!leads && loadedEpoch != null && !loading.contains(p)) {
                loaded.remove(p);
                c.unloadPartition(p);
                LOG.log(Level.INFO, "group coordinator unloaded partition={0}", p);
            }
        }
    }


    private GroupCoordinator newCoordinator(int partitions) {
        return new GroupCoordinator(VertxAccess.newContext(vertx), groupConfig(config, partitions),
                new OffsetsTopicLog(topics, System::currentTimeMillis),
                (name, p) -> topics.partition(name, p) != null, System::currentTimeMillis);
    }

    private Future<Void> load(GroupCoordinator c) {
        return offsetsTopicWhenReady(System.nanoTime() + STARTUP_WAIT_NANOS).compose(topic -> {
            if (topic.partitionCount() != config.offsetsTopicNumPartitions()) {
                LOG.log(Level.WARNING, "{0} has {1} partitions; {2}={3} applies only when the topic is created",
                        OffsetsTopicLog.TOPIC, topic.partitionCount(), BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS,
                        config.offsetsTopicNumPartitions());
            }
            if (stopped) {
                return Future.<Void>succeededFuture();
            }
            // A partition whose records cannot be read is not served (its groups get COORDINATOR_NOT_AVAILABLE
            // from FindCoordinator); the broker still serves every other group.
            return c.startup().transform(ar -> {
                if (ar.succeeded()) {
                    LOG.log(Level.INFO, "group coordinator loaded partitions={0}", topic.partitionCount());
                } else {
                    LOG.log(Level.ERROR, "group coordinator could not load every partition of {0}: {1}",
                            OffsetsTopicLog.TOPIC, ar.cause().toString());
                }
                return Future.<Void>succeededFuture();
            });
        }).recover(t -> {
            LOG.log(Level.ERROR, "group coordinator could not create or open {0}: {1}", OffsetsTopicLog.TOPIC,
                    t.toString());
            return Future.succeededFuture();
        });
    }

    @Override
    public Future<Void> stop() {
        stopped = true;
        if (leadershipTimer >= 0) {
            vertx.cancelTimer(leadershipTimer);
        }
        GroupCoordinator c = coordinator;
        // after a background load, so the shutdown cannot be overtaken by the load's start-up
        return c == null ? Future.succeededFuture() : backgroundLoad.transform(ar -> c.shutdown());
    }

    /** The coordinator: a single node's from {@link #start()} on, a clustered one's once the offsets topic exists. */
    public GroupCoordinator coordinator() {
        return coordinator;
    }

    static GroupConfig groupConfig(BrokerConfig config, int offsetsPartitions) {
        return new GroupConfig(config.groupInitialRebalanceDelayMs(), config.groupMinSessionTimeoutMs(),
                config.groupMaxSessionTimeoutMs(), config.groupMaxSize(), offsetsPartitions,
                config.offsetsRetentionMinutes(), config.offsetsRetentionCheckIntervalMs(),
                config.offsetMetadataMaxBytes(), GroupConfig.defaults().newMemberJoinTimeoutMs());
    }

    /**
     * The offsets topic, retried while the cluster cannot create it yet (no controller elected, no broker
     * registered: the first seconds of a clustered start). A single node succeeds at once.
     */
    private Future<TopicMetadata> offsetsTopicWhenReady(long deadlineNanos) {
        return offsetsTopic().recover(t -> {
            if (System.nanoTime() > deadlineNanos) {
                return Future.failedFuture(t);
            }
            LOG.log(Level.DEBUG, "offsets topic not created yet, retrying: {0}", t.toString());
            return vertx.timer(RETRY_MS).compose(x -> offsetsTopicWhenReady(deadlineNanos));
        });
    }

    /** {@code __consumer_offsets}, created on first start: compacted, 100 MiB segments, as Kafka makes it. */
    private Future<TopicMetadata> offsetsTopic() {
        TopicMetadata existing = topics.topic(OffsetsTopicLog.TOPIC);
        if (existing != null) {
            return Future.succeededFuture(existing);
        }
        Map<String, String> configs = Map.of(LogConfig.CLEANUP_POLICY, "compact",
                LogConfig.SEGMENT_BYTES, String.valueOf(OFFSETS_SEGMENT_BYTES));
        return admin.createTopic(OffsetsTopicLog.TOPIC, config.offsetsTopicNumPartitions(), (short) 1, configs, false)
                .recover(t -> t instanceof ApiException e && e.errorCode() == Errors.TOPIC_ALREADY_EXISTS
                        ? Future.succeededFuture(topics.topic(OffsetsTopicLog.TOPIC)) : Future.failedFuture(t));
    }
}
