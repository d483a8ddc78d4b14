package io.skua.broker.cluster;

import io.skua.broker.lifecycle.Lifecycle;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.broker.cluster.ClusterRecords.BrokerRecord;
import io.skua.broker.cluster.ClusterRecords.ControllerRecord;
import io.skua.broker.cluster.ClusterRecords.EndpointRecord;
import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.broker.config.Endpoint;
import io.skua.broker.metadata.ClusterTopics;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.Node;
import io.skua.broker.partition.PartitionState;
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
import io.skua.broker.metadata.BrokerTopicDefaults;
import io.skua.broker.metadata.ConfigChange;
import io.skua.protocol.message.AlterConfigsRequestData;
import io.skua.protocol.message.AlterConfigsResponseData;
import io.skua.protocol.message.CreatePartitionsRequestData;
import io.skua.protocol.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import io.skua.protocol.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import io.skua.protocol.message.CreatePartitionsResponseData;
import io.skua.protocol.message.DeleteTopicsRequestData;
import io.skua.protocol.message.DeleteTopicsRequestData.DeleteTopicState;
import io.skua.protocol.message.DeleteTopicsResponseData;
import io.skua.protocol.message.IncrementalAlterConfigsRequestData;
import io.skua.protocol.message.IncrementalAlterConfigsResponseData;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
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
 * <p>Also the clustered {@link ClusterTopics}: topics are created, deleted, grown and reconfigured by
 * the controller (here when this broker is the controller, otherwise forwarded over the controller's listener as the
 * same Kafka request: CreateTopics, DeleteTopics, CreatePartitions, AlterConfigs, IncrementalAlterConfigs), and every
 * topic the metadata announces created, changed or deleted is synced into the topic manager, which opens, grows,
 * reconfigures or deletes the logs hosted here. A change is answered once this broker's copy reflects it.
 */
public final class ClusteredView implements ClusterView, ClusterTopics, Lifecycle {
    private static final System.Logger LOG = System.getLogger(ClusteredView.class.getName());
    /** Version of CreateTopics forwarded to the controller (a flexible one; Skua serves 2-7). */
    static final short CREATE_TOPICS_VERSION = 7;

    /** How long a topic change waits for this broker's copy of the topic to reflect it before answering anyway. */
    static final long LOCAL_SYNC_TIMEOUT_MS = 10_000;
    static final short DELETE_TOPICS_VERSION = 6;
    static final short CREATE_PARTITIONS_VERSION = 3;
    static final short ALTER_CONFIGS_VERSION = 2;
    static final short INCREMENTAL_ALTER_CONFIGS_VERSION = 1;
    private static final byte TOPIC_RESOURCE = 2;

    /** Topics whose copy here differs from the metadata are synced again this often (a missed or failed sync). */
    static final long RESYNC_INTERVAL_MS = 2_000;

    private final Vertx vertx;
    private final Supplier<String> clusterId;
    private final ClusterMetadata metadata;
    private final Controller controller;
    private final ControllerClient controllerClient;
    private final TopicManager topics;
    private final BrokerTopicDefaults defaults;
    /** Per topic name: the last sync started or queued, and the one queued but not started yet. Guarded by this. */
    private final Map<String, Future<Void>> syncTails = new HashMap<>();
    private final Map<String, Future<Void>> syncQueued = new HashMap<>();

    private long resyncTimer = -1;

    public ClusteredView(Vertx vertx, Supplier<String> clusterId, ClusterMetadata metadata, Controller controller,
                         ControllerClient controllerClient, TopicManager topics, BrokerTopicDefaults defaults) {
        this.vertx = vertx;
        this.clusterId = clusterId;
        this.metadata = metadata;
        this.controller = controller;
        this.controllerClient = controllerClient;
        this.topics = topics;
        this.defaults = defaults;
        topics.clustered(this);
    }

    /**
     * Starts after the topic manager: syncs every known topic now, and a topic's name again whenever the metadata
     * announces it created, changed or deleted.
     */
    @Override
    public Future<Void> start() {
        metadata.onChange(change -> {
            if (change instanceof ClusterMetadata.Change.Topic t) {
                sync(t.topic().name());
            } else if (change instanceof ClusterMetadata.Change.TopicRemoved r) {
                sync(r.name());
            }
        });
        List<Future<Void>> all = new ArrayList<>();
        for (TopicRecord t : metadata.topics().values()) {
            all.add(sync(t.name()));
        }
        // At once, not after the syncs above: a local topic the metadata no longer names (deleted while this broker
        // was down) is only found by the resync, and one slow initial sync must not hold that back.
        resyncTimer = vertx.setPeriodic(RESYNC_INTERVAL_MS, id -> resyncDiffering());
        return Future.join(all).mapEmpty();
    }

    @Override
    public Future<Void> stop() {
        if (resyncTimer >= 0) {
            vertx.cancelTimer(resyncTimer);
        }
        return controllerClient.close();
    }

    /**
     * Syncs every topic whose copy here differs from the metadata: one whose sync failed (disk trouble), and one
     * deleted without this broker hearing of it (the reload after a split healed fires no removal).
     */
    private void resyncDiffering() {
        Set<String> names = new java.util.HashSet<>(metadata.topics().keySet());
        topics.topics().forEach(t -> names.add(t.name()));
        for (String name : names) {
            TopicRecord t = metadata.topic(name);
            TopicMetadata local = topics.topic(name);
            if (t == null ? local != null : !toMetadata(t).equals(local)) {
                sync(name);
            }
        }
    }

    /** Registers this broker with its bound endpoints (after the listeners opened). */
    public Future<Void> advertise(List<Endpoint> endpoints) {
        return metadata.register(endpoints);
    }

    /**
     * Makes this broker's copy of topic {@code name} match the metadata (see {@link TopicManager#syncTopic}). One sync
     * per name runs at a time; calls while one is queued join it, and a queued sync reads the metadata when it starts,
     * so it applies the latest state however many changes came in between (deleted and re-created included).
     */
    private synchronized Future<Void> sync(String name) {
        Future<Void> queued = syncQueued.get(name);
        if (queued != null) {
            return queued;
        }
        Promise<Void> promise = Promise.promise();
        Future<Void> next = promise.future();
        Future<Void> tail = syncTails.getOrDefault(name, Future.succeededFuture());
        syncQueued.put(name, next);
        syncTails.put(name, next);
        next.onComplete(ar -> {
            synchronized (this) {
                syncTails.remove(name, next);
            }
        });
        tail.onComplete(ignored -> {
            synchronized (this) {
                syncQueued.remove(name, next);
            }
            TopicRecord t = metadata.topic(name);
            topics.syncTopic(name, t == null ? null : toMetadata(t)).onFailure(e -> LOG.log(Level.WARNING,
                    "cannot apply topic name={0}: {1}", name, e.toString())).onComplete(promise);
        });
        return next;
    }

    /** Completes once this broker's copy of the topic matches the metadata (at most {@link #LOCAL_SYNC_TIMEOUT_MS}). */
    private Future<Void> awaitSynced(String name) {
        return topics.awaitLocal(name, local -> {
            TopicRecord t = metadata.topic(name);
            return t == null ? local == null : toMetadata(t).equals(local);
        }, LOCAL_SYNC_TIMEOUT_MS);
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

    @Override
    public Future<Void> delete(String name, Uuid id) {
        Future<?> done;
        if (controller.isActive()) {
            done = controller.deleteTopic(name, id);
        } else {
            DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTimeoutMs(30_000);
            request.topics().add(id == null ? new DeleteTopicState().setName(name).setTopicId(Uuid.ZERO)
                    : new DeleteTopicState().setName(null).setTopicId(id));
            done = controllerClient.<DeleteTopicsResponseData>send(ApiKey.DELETE_TOPICS, DELETE_TOPICS_VERSION, request)
                    .map(response -> check(response.responses().iterator().next().errorCode(),
                            response.responses().iterator().next().errorMessage()));
        }
        return done.compose(x -> awaitSynced(name));
    }

    @Override
    public Future<Void> createPartitions(String name, int newCount, List<List<Integer>> assignments,
                                         boolean validateOnly) {
        Future<?> done;
        if (controller.isActive()) {
            done = controller.createPartitions(name, newCount, assignments, validateOnly);
        } else {
            CreatePartitionsTopic topic = new CreatePartitionsTopic().setName(name).setCount(newCount)
                    .setAssignments(assignments == null ? null : assignments.stream().map(a ->
                            new CreatePartitionsAssignment().setBrokerIds(a)).toList());
            CreatePartitionsRequestData request = new CreatePartitionsRequestData().setTimeoutMs(30_000)
                    .setValidateOnly(validateOnly);
            request.topics().add(topic);
            done = controllerClient.<CreatePartitionsResponseData>send(ApiKey.CREATE_PARTITIONS,
                    CREATE_PARTITIONS_VERSION, request).map(response -> check(response.results().get(0).errorCode(),
                    response.results().get(0).errorMessage()));
        }
        return validateOnly ? done.mapEmpty() : done.compose(x -> awaitSynced(name));
    }

    @Override
    public Future<Void> alterConfigs(String name, ConfigChange change, boolean validateOnly) {
        Future<?> done;
        if (controller.isActive()) {
            done = controller.alterTopicConfigs(name, current -> {
                Map<String, String> next = change.applyTo(current, defaults::value);
                topics.validateConfigs(next);
                return next;
            }, validateOnly);
        } else if (change instanceof ConfigChange.Replace replace) {
            AlterConfigsRequestData.AlterConfigsResource resource = new AlterConfigsRequestData.AlterConfigsResource()
                    .setResourceType(TOPIC_RESOURCE).setResourceName(name);
            replace.configs().forEach((k, v) -> resource.configs().add(
                    new AlterConfigsRequestData.AlterableConfig().setName(k).setValue(v)));
            AlterConfigsRequestData request = new AlterConfigsRequestData().setValidateOnly(validateOnly);
            request.resources().add(resource);
            done = controllerClient.<AlterConfigsResponseData>send(ApiKey.ALTER_CONFIGS, ALTER_CONFIGS_VERSION, request)
                    .map(response -> check(response.responses().get(0).errorCode(),
                            response.responses().get(0).errorMessage()));
        } else {
            ConfigChange.Edit edit = (ConfigChange.Edit) change;
            IncrementalAlterConfigsRequestData.AlterConfigsResource resource =
                    new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType(TOPIC_RESOURCE)
                            .setResourceName(name);
            edit.ops().forEach(op -> resource.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig()
                    .setName(op.name()).setConfigOperation(op.operation()).setValue(op.value())));
            IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData()
                    .setValidateOnly(validateOnly);
            request.resources().add(resource);
            done = controllerClient.<IncrementalAlterConfigsResponseData>send(ApiKey.INCREMENTAL_ALTER_CONFIGS,
                    INCREMENTAL_ALTER_CONFIGS_VERSION, request).map(response -> check(
                    response.responses().get(0).errorCode(), response.responses().get(0).errorMessage()));
        }
        return validateOnly ? done.mapEmpty() : done.compose(x -> awaitSynced(name));
    }

    /** The controller's answer for one resource, as an exception when it is an error. */
    private static Void check(short errorCode, String message) {
        if (errorCode != Errors.NONE) {
            throw new ApiException(errorCode, message);
        }
        return null;
    }
}
