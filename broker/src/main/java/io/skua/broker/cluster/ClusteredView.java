package io.skua.broker.cluster;

import io.skua.broker.Lifecycle;
import io.skua.broker.api.ApiException;
import io.skua.broker.api.Errors;
import io.skua.broker.cluster.ClusterRecords.BrokerRecord;
import io.skua.broker.cluster.ClusterRecords.ControllerRecord;
import io.skua.broker.cluster.ClusterRecords.EndpointRecord;
import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.broker.config.Endpoint;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.Node;
import io.skua.broker.metadata.PartitionState;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.Uuid;
import io.skua.protocol.message.CreateTopicsRequestData;
import io.skua.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.skua.protocol.message.CreateTopicsRequestData.CreatableTopicConfig;
import io.skua.protocol.message.CreateTopicsResponseData;
import io.skua.protocol.message.CreateTopicsResponseData.CreatableTopicResult;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The cluster as handlers see it when brokers run clustered: live brokers, the controller, and each partition's
 * leader, epoch, replicas, ISR and offline replicas, all answered from {@link ClusterMetadata}'s local copy.
 *
 * <p>Also the clustered {@link TopicManager.ClusterTopics}: topics are created by the controller (here when this
 * broker is the controller, otherwise forwarded as a CreateTopics request over the controller's listener), and
 * every topic the metadata announces is handed to the topic manager, which opens the partitions hosted here.
 */
public final class ClusteredView implements ClusterView, TopicManager.ClusterTopics, Lifecycle {
    private static final System.Logger LOG = System.getLogger(ClusteredView.class.getName());
    /** Version of CreateTopics forwarded to the controller (a flexible one; Skua serves 2-7). */
    static final short CREATE_TOPICS_VERSION = 7;

    private final Supplier<String> clusterId;
    private final ClusterMetadata metadata;
    private final Controller controller;
    private final ControllerClient controllerClient;
    private final TopicManager topics;

    public ClusteredView(Supplier<String> clusterId, ClusterMetadata metadata, Controller controller,
                         ControllerClient controllerClient, TopicManager topics) {
        this.clusterId = clusterId;
        this.metadata = metadata;
        this.controller = controller;
        this.controllerClient = controllerClient;
        this.topics = topics;
        topics.clustered(this);
    }

    /** Starts after the topic manager: publishes every known topic now and each new one as it appears. */
    @Override
    public Future<Void> start() {
        metadata.onChange(change -> {
            if (change instanceof ClusterMetadata.Change.Topic t) {
                ensure(t.topic());
            }
        });
        List<Future<TopicMetadata>> all = new ArrayList<>();
        for (TopicRecord t : metadata.topics().values()) {
            all.add(ensure(t));
        }
        return Future.join(all).mapEmpty();
    }

    @Override
    public Future<Void> stop() {
        return controllerClient.close();
    }

    /** Registers this broker with its bound endpoints (after the listeners opened). */
    public Future<Void> advertise(List<Endpoint> endpoints) {
        return metadata.register(endpoints);
    }

    private Future<TopicMetadata> ensure(TopicRecord t) {
        return topics.ensureTopic(toMetadata(t)).onFailure(e -> LOG.log(Level.WARNING,
                "cannot open topic name={0}: {1}", t.name(), e.toString()));
    }

    static TopicMetadata toMetadata(TopicRecord t) {
        return new TopicMetadata(t.name(), Uuid.fromString(t.id()), t.partitionCount(), t.configs());
    }

    // ---- ClusterView ----

    @Override
    public String clusterId() {
        return clusterId.get();
    }

    @Override
    public int nodeId() {
        return metadata.nodeId();
    }

    @Override
    public int controllerId() {
        ControllerRecord c = metadata.controller();
        return c != null && metadata.members().contains(c.member()) ? c.nodeId() : -1;
    }

    @Override
    public List<Node> liveBrokers(String listenerName) {
        Set<String> view = metadata.members();
        List<Node> nodes = new ArrayList<>();
        for (BrokerRecord b : metadata.brokers().values()) {
            if (!view.contains(b.member())) {
                continue;
            }
            for (EndpointRecord e : b.endpoints()) {
                if (e.listener().equals(listenerName)) {
                    nodes.add(new Node(b.nodeId(), e.host(), e.port(), null));
                }
            }
        }
        nodes.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return nodes;
    }

    @Override
    public PartitionState partitionState(String topic, int partition) {
        TopicRecord t = metadata.topic(topic);
        PartitionRecord p = metadata.partition(topic, partition);
        if (t == null || p == null || partition < 0 || partition >= t.partitionCount()) {
            return new PartitionState(-1, -1, List.of(), List.of(), List.of());
        }
        List<Integer> replicas = t.replicas().get(partition);
        List<Integer> offline = replicas.stream().filter(id -> !metadata.isLive(id)).toList();
        return new PartitionState(p.leader(), p.leaderEpoch(), replicas, p.isr(), offline);
    }

    // ---- ClusterTopics ----

    @Override
    public boolean hosts(String topic, int partition) {
        TopicRecord t = metadata.topic(topic);
        return t != null && partition < t.partitionCount() && t.replicas().get(partition).contains(metadata.nodeId());
    }

    @Override
    public Future<TopicMetadata> create(String name, int partitions, short replicationFactor,
                                        Map<String, String> configs, boolean validateOnly) {
        if (controller.isActive()) {
            return controller.createTopic(name, partitions, replicationFactor, configs, validateOnly)
                    .map(ClusteredView::toMetadata);
        }
        CreatableTopic topic = new CreatableTopic().setName(name).setNumPartitions(partitions)
                .setReplicationFactor(replicationFactor);
        configs.forEach((k, v) -> topic.configs().add(new CreatableTopicConfig().setName(k).setValue(v)));
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000)
                .setValidateOnly(validateOnly);
        request.topics().add(topic);
        return controllerClient.<CreateTopicsResponseData>send(ApiKey.CREATE_TOPICS, CREATE_TOPICS_VERSION, request)
                .map(response -> {
                    CreatableTopicResult r = response.topics().get(0);
                    if (r.errorCode() != Errors.NONE) {
                        throw new ApiException(r.errorCode(), r.errorMessage());
                    }
                    return new TopicMetadata(name, validateOnly ? Uuid.randomUuid() : r.topicId(),
                            r.numPartitions(), configs);
                });
    }
}
