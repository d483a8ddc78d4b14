package io.skua.broker;

import io.skua.broker.api.ApiException;
import io.skua.broker.api.Errors;
import io.skua.broker.config.BrokerConfig;
import io.skua.broker.group.GroupConfig;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.log.OffsetsTopicLog;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.TopicManager;
import io.skua.storage.LogConfig;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.lang.System.Logger.Level;
import java.util.Map;

/**
 * The group coordinator as a broker component. Started after the {@link TopicManager} (it creates
 * {@code __consumer_offsets} on first start and replays it) and stopped before it. The coordinator runs on an event
 * loop context of its own.
 *
 * <p>The number of {@code __consumer_offsets} partitions is the topic's, once it exists: a changed
 * {@code offsets.topic.num.partitions} would move groups to other partitions, so, as in Kafka, it only applies to
 * the topic's creation.
 */
public final class GroupService implements Lifecycle {
    private static final long STARTUP_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    private static final long RETRY_MS = 250;
    private static final System.Logger LOG = System.getLogger(GroupService.class.getName());
    /** Kafka's {@code offsets.topic.segment.bytes}. */
    static final int OFFSETS_SEGMENT_BYTES = 100 * 1024 * 1024;

    private final Vertx vertx;
    private final BrokerConfig config;
    private final TopicManager topics;
    private final ClusterView cluster;
    private volatile GroupCoordinator coordinator;

    public GroupService(Vertx vertx, BrokerConfig config, TopicManager topics, ClusterView cluster) {
        this.vertx = vertx;
        this.config = config;
        this.topics = topics;
        this.cluster = cluster;
    }

    @Override
    public Future<Void> start() {
        if (config.clustered()) {
            // Group coordination follows the leadership of the offsets partitions, which needs replication of
            // the offsets topic (not there yet): a clustered broker answers FindCoordinator with
            // COORDINATOR_NOT_AVAILABLE instead of coordinating groups from partitions it may not lead.
            LOG.log(Level.WARNING, "consumer groups are not served in clustered mode yet");
            return Future.succeededFuture();
        }
        return load();
    }

    private Future<Void> load() {
        return offsetsTopicWhenReady(System.nanoTime() + STARTUP_WAIT_NANOS).compose(topic -> {
            if (topic.partitionCount() != config.offsetsTopicNumPartitions()) {
                LOG.log(Level.WARNING, "{0} has {1} partitions; {2}={3} applies only when the topic is created",
                        OffsetsTopicLog.TOPIC, topic.partitionCount(), BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS,
                        config.offsetsTopicNumPartitions());
            }
            GroupCoordinator c = new GroupCoordinator(((VertxInternal) vertx).createEventLoopContext(),
                    groupConfig(config, topic.partitionCount()),
                    new OffsetsTopicLog(topics, cluster, System::currentTimeMillis),
                    (name, p) -> topics.partition(name, p) != null, System::currentTimeMillis);
            coordinator = c;
            // A partition whose records cannot be read is not served (its groups get COORDINATOR_NOT_AVAILABLE
            // from FindCoordinator); the broker still starts and serves every other group.
            return c.startup().transform(ar -> {
                if (ar.succeeded()) {
                    LOG.log(Level.INFO, "group coordinator loaded partitions={0}", topic.partitionCount());
                } else {
                    LOG.log(Level.ERROR, "group coordinator could not load every partition of {0}: {1}",
                            OffsetsTopicLog.TOPIC, ar.cause().toString());
                }
                return Future.<Void>succeededFuture();
            });
        });
    }

    @Override
    public Future<Void> stop() {
        GroupCoordinator c = coordinator;
        return c == null ? Future.succeededFuture() : c.shutdown();
    }

    /** The coordinator; only called by handlers, which serve requests after {@link #start()} completed. */
    /** The coordinator, or null until the offsets topic is loaded (clustered brokers load it after starting). */
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
        return topics.createTopic(OffsetsTopicLog.TOPIC, config.offsetsTopicNumPartitions(), (short) 1, configs, false)
                .recover(t -> t instanceof ApiException e && e.errorCode() == Errors.TOPIC_ALREADY_EXISTS
                        ? Future.succeededFuture(topics.topic(OffsetsTopicLog.TOPIC)) : Future.failedFuture(t));
    }
}
