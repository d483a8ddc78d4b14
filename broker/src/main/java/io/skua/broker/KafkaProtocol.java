package io.skua.broker;

import io.skua.broker.lifecycle.Lifecycle;

import io.skua.broker.api.ApiRegistry;
import io.skua.broker.api.KafkaDispatcher;
import io.skua.broker.config.BrokerConfig;
import io.skua.broker.config.ConfigException;
import io.skua.broker.handlers.AlterConfigsHandler;
import io.skua.broker.handlers.AlterPartitionHandler;
import io.skua.broker.handlers.ApiVersionsHandler;
import io.skua.broker.handlers.CreatePartitionsHandler;
import io.skua.broker.handlers.CreateTopicsHandler;
import io.skua.broker.handlers.DeleteTopicsHandler;
import io.skua.broker.handlers.DescribeClusterHandler;
import io.skua.broker.handlers.DescribeConfigsHandler;
import io.skua.broker.handlers.IncrementalAlterConfigsHandler;
import io.skua.broker.handlers.OffsetForLeaderEpochHandler;
import io.skua.broker.handlers.DeleteRecordsHandler;
import io.skua.broker.handlers.DescribeLogDirsHandler;
import io.skua.broker.handlers.DescribeProducersHandler;
import io.skua.broker.handlers.DescribeTopicPartitionsHandler;
import io.skua.broker.handlers.ElectLeadersHandler;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.handlers.DeleteGroupsHandler;
import io.skua.broker.handlers.DescribeGroupsHandler;
import io.skua.broker.handlers.FetchHandler;
import io.skua.broker.handlers.FindCoordinatorHandler;
import io.skua.broker.handlers.HeartbeatHandler;
import io.skua.broker.handlers.InitProducerIdHandler;
import io.skua.broker.handlers.JoinGroupHandler;
import io.skua.broker.handlers.LeaveGroupHandler;
import io.skua.broker.handlers.ListGroupsHandler;
import io.skua.broker.handlers.ListOffsetsHandler;
import io.skua.broker.handlers.ListPartitionReassignmentsHandler;
import io.skua.broker.handlers.MetadataHandler;
import io.skua.broker.handlers.OffsetCommitHandler;
import io.skua.broker.handlers.OffsetDeleteHandler;
import io.skua.broker.handlers.OffsetFetchHandler;
import io.skua.broker.handlers.ProduceHandler;
import io.skua.broker.handlers.SyncGroupHandler;
import io.skua.broker.partition.IoThreads;
import io.skua.broker.partition.PartitionRegistry;
import io.skua.broker.metadata.BrokerTopicDefaults;
import io.skua.broker.partition.LogCleaner;
import io.skua.broker.cluster.ClusterMetadata;
import io.skua.broker.cluster.ClusterNode;
import io.skua.broker.cluster.ClusteredTopicService;
import io.skua.broker.cluster.ClusteredView;
import io.skua.broker.cluster.Controller;
import io.skua.broker.cluster.ControllerClient;
import io.skua.broker.cluster.ReplicaManager;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.HostedReplicas;
import io.skua.broker.metadata.LocalCluster;
import io.skua.broker.metadata.LocalTopicService;
import io.skua.broker.metadata.NodeMeta;
import io.skua.broker.metadata.ProducerIds;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.metadata.TopicService;
import io.skua.broker.network.RequestDispatcher;
import io.skua.protocol.Errors;
import io.skua.storage.LogConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Kafka protocol layer of a single broker: storage, topic metadata and one handler per API, assembled
 * into a dispatcher and the components that must start before the listeners open.
 */
public record KafkaProtocol(RequestDispatcher dispatcher, List<Lifecycle> components, Consumer<SkuaBroker> started) {

    public static KafkaProtocol create(Vertx vertx, BrokerConfig config) {
        Path dataDir = config.logDirs().get(0);
        IoThreads io = new IoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()));
        LogConfig logDefaults = logDefaults(config);
        BrokerTopicDefaults topicDefaults = new BrokerTopicDefaults(config, logDefaults);
        PartitionRegistry partitions = new PartitionRegistry(io);
        Identity identity = new Identity(vertx, dataDir, config.nodeId());
        ApiRegistry registry = new ApiRegistry();
        List<Lifecycle> components = new ArrayList<>(List.of(identity));
        TopicManager topics;
        TopicService admin;
        ClusterView cluster;
        Consumer<SkuaBroker> started;
        if (config.clustered()) {
            ClusterNode node = ClusterNode.of(vertx);
            ClusterMetadata metadata = new ClusterMetadata(vertx, node, config.nodeId());
            topics = new TopicManager(vertx, dataDir, logDefaults, config.logRetentionCheckIntervalMs(), partitions,
                    ClusteredView.hostedReplicas(metadata));
            Controller controller = new Controller(vertx, metadata, config.uncleanLeaderElectionEnable());
            ControllerClient controllerClient = new ControllerClient(vertx, metadata);
            admin = new ClusteredTopicService(topics, metadata, controller, controllerClient, topicDefaults,
                    config.numPartitions(), config.defaultReplicationFactor());
            // The cluster id is the cluster's name: every member shares it without a round of agreement.
            ClusteredView view = new ClusteredView(vertx, config::clusterName, metadata, controllerClient, topics);
            ReplicaManager replicas = new ReplicaManager(vertx, metadata, topics, controllerClient,
                    config.replicaLagTimeMaxMs(), config.minInsyncReplicas());
            components.addAll(List.of(metadata, topics, view, controller, replicas));
            registry.register(new AlterPartitionHandler(controller, metadata));
            cluster = view;
            started = broker -> view.advertise(broker.advertisedListeners());
        } else {
            topics = new TopicManager(vertx, dataDir, logDefaults, config.logRetentionCheckIntervalMs(), partitions,
                    HostedReplicas.SINGLE_NODE);
            LocalTopicService local = new LocalTopicService(topics, config.nodeId(), config.numPartitions(),
                    config.defaultReplicationFactor());
            admin = local;
            LocalCluster localCluster = new LocalCluster(identity::clusterId, config.nodeId());
            components.addAll(List.of(topics, local));
            cluster = localCluster;
            started = broker -> localCluster.advertise(broker.advertisedListeners());
        }
        GroupService groupService = new GroupService(vertx, config, topics, admin, cluster);
        Supplier<GroupCoordinator> groups = groupService::coordinator;
        ApiVersionsHandler apiVersions = new ApiVersionsHandler(registry);
        registry.register(apiVersions)
                .register(new MetadataHandler(topics, admin, cluster, config.autoCreateTopicsEnable()))
                .register(new ProduceHandler(topics))
                .register(new FetchHandler(topics, cluster, io.delayed()))
                .register(new ListOffsetsHandler(topics, cluster))
                .register(new CreateTopicsHandler(admin, cluster))
                .register(new DeleteTopicsHandler(topics, admin))
                .register(new CreatePartitionsHandler(topics, admin))
                .register(new DescribeConfigsHandler(topics, config, topicDefaults))
                .register(new AlterConfigsHandler(admin))
                .register(new IncrementalAlterConfigsHandler(admin, topicDefaults))
                .register(new DescribeClusterHandler(cluster))
                .register(new OffsetForLeaderEpochHandler(topics, cluster))
                .register(new InitProducerIdHandler(identity::nextProducerId))
                // the classic group protocol; ConsumerGroupHeartbeat (KIP-848) is deliberately not registered
                .register(new FindCoordinatorHandler(groups, cluster))
                .register(new JoinGroupHandler(groups))
                .register(new SyncGroupHandler(groups))
                .register(new HeartbeatHandler(groups))
                .register(new LeaveGroupHandler(groups))
                .register(new OffsetCommitHandler(groups, topics))
                .register(new OffsetFetchHandler(groups, topics))
                .register(new ListGroupsHandler(groups))
                .register(new DescribeGroupsHandler(groups))
                .register(new DeleteGroupsHandler(groups))
                .register(new OffsetDeleteHandler(groups));
        // Admin APIs (compaction branch): keep these lines together.
        registry.register(new DeleteRecordsHandler(topics))
                .register(new DescribeLogDirsHandler(topics))
                .register(new DescribeProducersHandler(topics))
                .register(new ElectLeadersHandler(topics))
                .register(new ListPartitionReassignmentsHandler())
                .register(new DescribeTopicPartitionsHandler(topics, cluster));
        // started in order, stopped in reverse: the coordinator needs the offsets topic, so it comes after topics
        components.add(groupService);
        if (config.logCleanerEnable()) {
            components.add(new LogCleaner(vertx, topics.partitions(), config.logCleanerBackoffMs(),
                    config.logCleanerIoMaxBytesPerSecond(), config.logCleanerDedupeBufferSize(), config.messageMaxBytes()));
        }
        return new KafkaProtocol(new KafkaDispatcher(registry,
                () -> apiVersions.response(Errors.UNSUPPORTED_VERSION)), List.copyOf(components), started);
    }

    /** The topic-config defaults that broker properties set (log.segment.bytes -> segment.bytes, ...). */
    static LogConfig logDefaults(BrokerConfig config) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(LogConfig.SEGMENT_BYTES, String.valueOf(config.logSegmentBytes()));
        m.put(LogConfig.SEGMENT_MS, String.valueOf(config.logRollMs()));
        m.put(LogConfig.RETENTION_MS, String.valueOf(config.logRetentionMs()));
        m.put(LogConfig.RETENTION_BYTES, String.valueOf(config.logRetentionBytes()));
        m.put(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(config.messageMaxBytes()));
        m.put(LogConfig.FLUSH_MESSAGES, String.valueOf(config.logFlushIntervalMessages()));
        m.put(LogConfig.CLEANUP_POLICY, config.logCleanupPolicy());
        m.put(LogConfig.MESSAGE_TIMESTAMP_TYPE, config.logMessageTimestampType());
        m.put(LogConfig.INDEX_INTERVAL_BYTES, String.valueOf(config.logIndexIntervalBytes()));
        m.put(LogConfig.FILE_DELETE_DELAY_MS, String.valueOf(config.logSegmentDeleteDelayMs()));
        m.put(LogConfig.DELETE_RETENTION_MS, String.valueOf(config.logCleanerDeleteRetentionMs()));
        m.put(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, String.valueOf(config.logCleanerMinCleanableRatio()));
        m.put(LogConfig.MIN_COMPACTION_LAG_MS, String.valueOf(config.logCleanerMinCompactionLagMs()));
        try {
            return LogConfig.DEFAULT.withOverrides(m);
        } catch (IllegalArgumentException e) {
            // The message names the topic config; say which broker properties set it.
            throw new ConfigException(e.getMessage() + " (set by its log.* broker property)");
        }
    }

    /** The broker's identity on disk (meta.properties) and its producer-id blocks, loaded off the event loop. */
    static final class Identity implements Lifecycle {
        /** Producer ids: node id above this many bits of per-broker counter (10^12 ids per broker). */
        static final int PRODUCER_ID_NODE_SHIFT = 40;

        private final Vertx vertx;
        private final Path dataDir;
        private final int nodeId;
        private volatile NodeMeta meta;
        private volatile ProducerIds producerIds;

        Identity(Vertx vertx, Path dataDir, int nodeId) {
            this.vertx = vertx;
            this.dataDir = dataDir;
            this.nodeId = nodeId;
        }

        @Override
        public Future<Void> start() {
            return vertx.executeBlocking(() -> {
                meta = NodeMeta.loadOrCreate(dataDir, nodeId);
                producerIds = ProducerIds.load(vertx, dataDir);
                return null;
            });
        }

        @Override
        public Future<Void> stop() {
            return Future.succeededFuture();
        }

        String clusterId() {
            return meta.clusterId();
        }

        /**
         * A producer id no other broker of the cluster hands out: this broker's own counter (persisted in blocks)
         * in the low 40 bits, its node id above them. Without the node id, two brokers gave two producers the
         * same id, and the second producer's first batch was answered as a duplicate of the first's and dropped.
         */
        Future<Long> nextProducerId() {
            return producerIds.nextId().map(local -> ((long) nodeId << PRODUCER_ID_NODE_SHIFT) | local);
        }
    }
}
