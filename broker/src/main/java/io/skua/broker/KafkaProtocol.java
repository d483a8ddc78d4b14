package io.skua.broker;

import io.skua.broker.api.ApiRegistry;
import io.skua.broker.api.KafkaDispatcher;
import io.skua.broker.config.BrokerConfig;
import io.skua.broker.handlers.ApiVersionsHandler;
import io.skua.broker.handlers.CreateTopicsHandler;
import io.skua.broker.handlers.FetchHandler;
import io.skua.broker.handlers.InitProducerIdHandler;
import io.skua.broker.handlers.ListOffsetsHandler;
import io.skua.broker.handlers.MetadataHandler;
import io.skua.broker.handlers.ProduceHandler;
import io.skua.broker.log.IoThreads;
import io.skua.broker.cluster.AlterPartitionHandler;
import io.skua.broker.cluster.ClusterMetadata;
import io.skua.broker.cluster.ClusterNode;
import io.skua.broker.cluster.ClusteredView;
import io.skua.broker.cluster.Controller;
import io.skua.broker.cluster.ControllerClient;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.LocalCluster;
import io.skua.broker.metadata.NodeMeta;
import io.skua.broker.metadata.ProducerIds;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.network.RequestDispatcher;
import io.skua.storage.LogConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Kafka protocol layer of a single broker: storage, topic metadata and one handler per API, assembled
 * into a dispatcher and the components that must start before the listeners open.
 */
public record KafkaProtocol(RequestDispatcher dispatcher, List<Lifecycle> components, Consumer<SkuaBroker> started) {

    public static KafkaProtocol create(Vertx vertx, BrokerConfig config) {
        Path dataDir = config.logDirs().get(0);
        IoThreads io = new IoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()));
        TopicManager topics = new TopicManager(vertx, dataDir, logDefaults(config), config.numPartitions(),
                config.defaultReplicationFactor(), config.logRetentionCheckIntervalMs(), io);
        Identity identity = new Identity(vertx, dataDir, config.nodeId());
        ApiRegistry registry = new ApiRegistry();
        List<Lifecycle> components = new ArrayList<>(List.of(identity));
        ClusterView cluster;
        Consumer<SkuaBroker> started;
        if (config.clustered()) {
            ClusterNode node = ClusterNode.of(vertx);
            ClusterMetadata metadata = new ClusterMetadata(vertx, node, config.nodeId());
            Controller controller = new Controller(vertx, metadata, config.uncleanLeaderElectionEnable());
            // The cluster id is the cluster's name: every member shares it without a round of agreement.
            ClusteredView view = new ClusteredView(config::clusterName, metadata, controller,
                    new ControllerClient(vertx, metadata), topics);
            components.addAll(List.of(metadata, topics, view, controller));
            registry.register(new AlterPartitionHandler(controller, metadata));
            cluster = view;
            started = broker -> view.advertise(broker.advertisedListeners());
        } else {
            LocalCluster local = new LocalCluster(identity::clusterId, config.nodeId());
            components.add(topics);
            cluster = local;
            started = broker -> local.advertise(broker.advertisedListeners());
        }
        ApiVersionsHandler apiVersions = new ApiVersionsHandler(registry);
        registry.register(apiVersions)
                .register(new MetadataHandler(topics, cluster, config.autoCreateTopicsEnable()))
                .register(new ProduceHandler(topics, cluster))
                .register(new FetchHandler(topics, cluster))
                .register(new ListOffsetsHandler(topics, cluster))
                .register(new CreateTopicsHandler(topics, cluster))
                .register(new InitProducerIdHandler(identity::nextProducerId));
        return new KafkaProtocol(new KafkaDispatcher(registry, apiVersions), List.copyOf(components), started);
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
        return LogConfig.DEFAULT.withOverrides(m);
    }

    /** The broker's identity on disk (meta.properties) and its producer-id blocks, loaded off the event loop. */
    static final class Identity implements Lifecycle {
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

        Future<Long> nextProducerId() {
            return producerIds.nextId();
        }
    }
}
