package io.skua.broker.cluster;

import io.skua.broker.cluster.ClusterRecords.BrokerRecord;
import io.skua.broker.cluster.ClusterRecords.ControllerRecord;
import io.skua.broker.cluster.ClusterRecords.EndpointRecord;
import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.broker.config.Endpoint;
import io.skua.broker.lifecycle.Lifecycle;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.HostedReplicas;
import io.skua.broker.metadata.Node;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.partition.PartitionState;
import io.skua.protocol.Uuid;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The cluster as handlers see it when brokers run clustered: live brokers, the controller, and each partition's
 * leader, epoch, replicas, ISR and offline replicas, all answered from {@link ClusterMetadata}'s local copy.
 *
 * <p>Also keeps this broker's copy of the topics in step with the metadata: every topic the metadata announces
 * created, changed or deleted is synced into the topic manager, which opens, grows, reconfigures or deletes the logs
 * hosted here. Topic changes themselves are made by the controller ({@link ClusteredTopicService}).
 */
public final class ClusteredView implements ClusterView, Lifecycle {
    private static final System.Logger LOG = System.getLogger(ClusteredView.class.getName());

    /** Topics whose copy here differs from the metadata are synced again this often (a missed or failed sync). */
    static final long RESYNC_INTERVAL_MS = 2_000;

    private final Vertx vertx;
    private final Supplier<String> clusterId;
    private final ClusterMetadata metadata;
    private final ControllerClient controllerClient;
    private final TopicManager topics;
    /** Per topic name: the last sync started or queued, and the one queued but not started yet. Guarded by this. */
    private final Map<String, Future<Void>> syncTails = new HashMap<>();
    private final Map<String, Future<Void>> syncQueued = new HashMap<>();

    private long resyncTimer = -1;

    public ClusteredView(Vertx vertx, Supplier<String> clusterId, ClusterMetadata metadata,
                         ControllerClient controllerClient, TopicManager topics) {
        this.vertx = vertx;
        this.clusterId = clusterId;
        this.metadata = metadata;
        this.controllerClient = controllerClient;
        this.topics = topics;
    }

    /**
     * Starts after the topic manager: syncs every known topic now, and a topic's name again whenever the metadata
     * announces it created, changed or deleted.
     */
    @Override
    public Future<Void> start() {
        metadata.onChange(change -> {
            if (change instanceof MetadataChange.Topic t) {
                sync(t.topic().name());
            } else if (change instanceof MetadataChange.TopicRemoved r) {
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

    /**
     * Which partitions this broker hosts: those whose replicas, as the metadata holds them, include it. Handed to the
     * {@link TopicManager}, which is built before this view.
     */
    public static HostedReplicas hostedReplicas(ClusterMetadata metadata) {
        return new HostedReplicas() {
            @Override
            public boolean hosts(String topic, int partition) {
                TopicRecord t = metadata.topic(topic);
                return t != null && partition < t.partitionCount()
                        && t.replicas().get(partition).contains(metadata.nodeId());
            }

            @Override
            public boolean soleReplica() {
                return false;
            }
        };
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
}
