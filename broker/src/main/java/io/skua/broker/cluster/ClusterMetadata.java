package io.skua.broker.cluster;

import io.skua.broker.lifecycle.Lifecycle;
import io.skua.broker.cluster.ClusterRecords.BrokerRecord;
import io.skua.broker.cluster.ClusterRecords.ControllerRecord;
import io.skua.broker.cluster.ClusterRecords.EndpointRecord;
import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.broker.config.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * This broker's copy of the cluster metadata, kept current by the Infinispan listeners of its {@link MetadataStore},
 * and its own registration.
 *
 * <p>Reads ({@link #brokers()}, {@link #topic}, {@link #partition}, ...) are plain map lookups, safe from any
 * thread and never touch a cache: the request path does not wait on the cluster. The listeners run on the thread
 * that applies a write; they only update maps and hand notifications to {@link #onChange} subscribers, who must
 * return quickly (submit work elsewhere).
 *
 * <p>Every cache read and write goes through that store ({@link #store()}); this class touches no cache itself.
 *
 * <p>Records only move forward: a partition record with a lower partition epoch, or a controller with a lower
 * epoch than the one already known, is ignored (listener callbacks of different keys may interleave).
 */
public final class ClusterMetadata implements Lifecycle {
    private static final System.Logger LOG = System.getLogger(ClusterMetadata.class.getName());

    /** How often this broker checks that the cluster still holds its registration. */
    static final long REGISTRATION_CHECK_MS = 5_000;

    private final Vertx vertx;
    private final MetadataStore store;
    private final int nodeId;
    private final String member;
    private final Map<Integer, BrokerRecord> brokers = new ConcurrentHashMap<>();
    private final Map<String, TopicRecord> topics = new ConcurrentHashMap<>();
    private final Map<String, PartitionRecord> partitions = new ConcurrentHashMap<>();
    private final List<Consumer<MetadataChange>> subscribers = new CopyOnWriteArrayList<>();
    private final StoreEvents storeEvents = new StoreEvents();
    private volatile Set<String> members = Set.of();
    private volatile ControllerRecord controller;
    private volatile BrokerRecord registration;
    private long registrationTimer = -1;
    /** Bumped by every merge view and conflict resolution: an older pending reload stops. */
    private final AtomicInteger mergeGeneration = new AtomicInteger();
    /**
     * Partition records the listeners received while a reload after a merge was reading the caches, one map per running
     * reload: those are at least as new as what the reload read, which must not overwrite them.
     */
    private final List<Map<String, PartitionRecord>> appliedDuringReload = new CopyOnWriteArrayList<>();
    /** When the wait for a settled merge was last reported (ms since that merge). */
    private volatile long lastMergeWaitWarningMs;

    public ClusterMetadata(Vertx vertx, ClusterNode node, int nodeId) {
        this.vertx = vertx;
        this.store = new MetadataStore(node.cacheManager());
        this.nodeId = nodeId;
        this.member = node.name();
    }

    /** Registers the listeners, then loads what the caches hold (so no change falls between the two). */
    @Override
    public Future<Void> start() {
        return vertx.<Void>executeBlocking(() -> {
            store.listen(storeEvents);
            members = store.viewMembers();
            store.brokers().forEach(storeEvents::broker);
            store.topics().forEach(storeEvents::topic);
            MetadataStore.Versioned<ControllerRecord> c = store.controller();
            if (c != null) {
                applyController(c.value());
            }
            store.partitions().forEach(this::applyPartition);
            return null;
        }, false).onSuccess(v -> registrationTimer = vertx.setPeriodic(REGISTRATION_CHECK_MS, id -> checkRegistration()));
    }

    @Override
    public Future<Void> stop() {
        if (registrationTimer >= 0) {
            vertx.cancelTimer(registrationTimer);
        }
        return vertx.executeBlocking(() -> {
            store.unlisten();
            return null;
        }, false);
    }

    /** Publishes this broker and its endpoints (once its listeners are bound; again after a merge). */
    public Future<Void> register(List<Endpoint> advertised) {
        List<EndpointRecord> endpoints = advertised.stream().map(EndpointRecord::of).toList();
        return vertx.executeBlocking(() -> {
            // The epoch: above the one the cluster remembers for this node id, and above the previous start's
            // (the start time), so it grows with every restart even when the cluster forgot the old registration.
            BrokerRecord old = store.broker(nodeId);
            long previous = old == null ? 0 : old.epoch();
            BrokerRecord record = new BrokerRecord(nodeId, member, endpoints,
                    Math.max(previous + 1, System.currentTimeMillis()));
            registration = record;
            store.putBroker(record);
            LOG.log(Level.INFO, "broker registered node={0} member={1} epoch={2} endpoints={3}", nodeId, member,
                    String.valueOf(record.epoch()), advertised);
            return null;
        }, false);
    }

    /**
     * Puts this broker's registration back when the cluster lost it (a merge in which this broker's side lost, and
     * whose reload did not complete), then reloads the snapshot. A cache that refuses the read (DEGRADED) is left alone.
     */
    private void checkRegistration() {
        BrokerRecord own = registration;
        if (own == null) {
            return;
        }
        vertx.executeBlocking(() -> {
            if (own.equals(store.broker(nodeId))) {
                return false;
            }
            store.putBroker(own);
            return true;
        }, false).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                LOG.log(Level.WARNING, "broker registration restored node={0} member={1}", nodeId, member);
                startResync();
            }
        });
    }

    public void onChange(Consumer<MetadataChange> subscriber) {
        subscribers.add(subscriber);
    }

    // ---- reads (snapshot) ----

    public int nodeId() {
        return nodeId;
    }

    public String member() {
        return member;
    }

    /** Members of the current JGroups view (node names). */
    public Set<String> members() {
        return members;
    }

    /** True when this node is the coordinator (oldest member) of its view: the controller candidate. */
    public boolean isCoordinator() {
        return store.isCoordinator();
    }

    /** Every registered broker, live or not. */
    public Map<Integer, BrokerRecord> brokers() {
        return brokers;
    }

    /** Node ids of registered brokers whose member is in the current view. */
    public Set<Integer> liveBrokerIds() {
        Set<String> view = members;
        return brokers.values().stream().filter(b -> view.contains(b.member())).map(BrokerRecord::nodeId)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** This broker's epoch once it has registered, else -1. */
    public long brokerEpoch() {
        BrokerRecord own = registration;
        return own == null ? -1 : own.epoch();
    }

    /** The registered epoch of a broker, or -1 when it is not registered. */
    public long brokerEpoch(int brokerId) {
        BrokerRecord b = brokers.get(brokerId);
        return b == null ? -1 : b.epoch();
    }

    public boolean isLive(int brokerId) {
        BrokerRecord b = brokers.get(brokerId);
        return b != null && members.contains(b.member());
    }

    public Map<String, TopicRecord> topics() {
        return topics;
    }

    public TopicRecord topic(String name) {
        return topics.get(name);
    }

    /** The partition's leadership, or null when unknown. */
    public PartitionRecord partition(String topic, int partition) {
        return partitions.get(ClusterRecords.partitionKey(topic, partition));
    }

    /** The controller as last written, or null before the first election. */
    public ControllerRecord controller() {
        return controller;
    }

    /** The caches behind this snapshot: the controller reads and writes through it (blocking; never an event loop). */
    MetadataStore store() {
        return store;
    }

    // ---- store events ----

    private void applyController(ControllerRecord next) {
        synchronized (this) {
            ControllerRecord current = controller;
            if (current != null && next.epoch() < current.epoch()) {
                return;
            }
            controller = next;
        }
        publish(new MetadataChange.Controller(next));
    }

    private void applyPartition(String key, PartitionRecord next) {
        ControllerRecord c = controller;
        if (c != null && next.controllerEpoch() < c.epoch() && partitions.containsKey(key)) {
            // Written by a controller that has since been replaced: a zombie's write is not applied.
            LOG.log(Level.WARNING, "stale controller write ignored key={0} controllerEpoch={1} current={2}",
                    key, next.controllerEpoch(), c.epoch());
            return;
        }
        // Noted before it is applied, so that a reload reading meanwhile never misses it (see resyncAfterMerge).
        for (Map<String, PartitionRecord> reload : appliedDuringReload) {
            reload.merge(key, next, (old, n) -> n.partitionEpoch() >= old.partitionEpoch() ? n : old);
        }
        PartitionRecord merged = partitions.merge(key, next,
                (old, n) -> n.partitionEpoch() >= old.partitionEpoch() ? n : old);
        if (merged == next) {
            int slash = key.lastIndexOf('/');
            publish(new MetadataChange.Partition(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)), next));
        }
    }

    /** Turns the store's events into snapshot updates and {@link MetadataChange}s. */
    private final class StoreEvents implements MetadataStore.Events {
        @Override
        public void broker(BrokerRecord b) {
            brokers.put(b.nodeId(), b);
            publish(new MetadataChange.Broker(b.nodeId()));
        }

        @Override
        public void brokerRemoved(int id) {
            brokers.remove(id);
        }

        @Override
        public void topic(TopicRecord t) {
            topics.put(t.name(), t);
            publish(new MetadataChange.Topic(t));
        }

        @Override
        public void topicRemoved(String name) {
            TopicRecord gone = topics.remove(name);
            // A topic of the same name created later starts its partition epochs at 0 again: forget the old ones.
            partitions.keySet().removeIf(k -> k.startsWith(name + "/") && k.indexOf('/', name.length() + 1) < 0);
            if (gone != null) {
                publish(new MetadataChange.TopicRemoved(name, gone.id()));
            }
        }

        @Override
        public void partition(String topic, int partition, PartitionRecord state) {
            applyPartition(ClusterRecords.partitionKey(topic, partition), state);
        }

        @Override
        public void partitionRemoved(String topic, int partition) {
            partitions.remove(ClusterRecords.partitionKey(topic, partition));
        }

        @Override
        public void controller(ControllerRecord c) {
            applyController(c);
        }

        @Override
        public void view(Set<String> newMembers, boolean merged) {
            members = newMembers;
            LOG.log(Level.INFO, "cluster view node={0} members={1} merged={2} coordinator={3}", nodeId,
                    newMembers.size(), merged, store.isCoordinator());
            if (merged) {
                startResync();
            }
            publish(new MetadataChange.Membership(newMembers, merged));
        }

        @Override
        public void conflictResolution(String cache, int topologyId) {
            LOG.log(Level.DEBUG, () -> "conflict resolution node=" + nodeId + " cache=" + cache + " topology=" + topologyId);
            startResync();
        }
    }

    private void publish(MetadataChange change) {
        for (Consumer<MetadataChange> s : subscribers) {
            try {
                s.accept(change);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "metadata subscriber failed on {0}: {1}", change, e.toString());
            }
        }
    }

    /**
     * After a heal the merge policy rewrites entries (the majority's values win) and this side's copy may be stale:
     * once the caches have settled, re-register (the winning side may not know this broker) and reload every entry
     * from the caches, which are authoritative. Started by a merge view and by every conflict resolution (whichever
     * this broker sees first); a newer start replaces a pending one.
     *
     * <p>Settled means, for each cache: AVAILABLE, no rebalance or conflict resolution running, every member of the
     * view in the topology, and a topology newer than the last conflict resolution seen. The last condition matters on
     * a broker that was paused (SIGSTOP) through the split: it never installed a smaller view, so its pre-split
     * topology looks settled and complete; and it may receive the merged topologies before its own merge view. It
     * used to reload its own stale entries at once and keep leading until a second reload. The reload waits as long
     * as it takes (every 500 ms, every 5 s after a minute; it used to give up after 10 s and then never reloaded) and
     * runs once more 5 s after it succeeded.
     */
    void startResync() {
        int generation = mergeGeneration.incrementAndGet();
        lastMergeWaitWarningMs = 0;
        resyncAfterMerge(generation, System.nanoTime(), true);
    }

    private void resyncAfterMerge(int generation, long startedNanos, boolean again) {
        if (generation != mergeGeneration.get()) {
            return;
        }
        long waitedMs = (System.nanoTime() - startedNanos) / 1_000_000;
        vertx.executeBlocking(() -> {
            store.requireSettled(members.size());
            BrokerRecord own = registration;
            if (own != null) {
                store.putBroker(own);
            }
            store.brokers().forEach(storeEvents::broker);
            store.topics().forEach(storeEvents::topic);
            MetadataStore.Versioned<ControllerRecord> c = store.controller();
            synchronized (this) {
                controller = c == null ? null : c.value();
            }
            // The reload overwrites this broker's copy (after a merge the winning side's records may have lower
            // epochs), except records a listener applied while it read: the controller may have written a new leader
            // meanwhile. Overwriting that with the older record read here left a broker following a dead leader for
            // good (SplitTest, 2026-12-07: the second reload of a merge ran while the next freeze's election landed).
            Map<String, PartitionRecord> applied = new ConcurrentHashMap<>();
            appliedDuringReload.add(applied);
            try {
                store.partitions().forEach((key, read) -> {
                    PartitionRecord newer = applied.get(key);
                    if (newer == null || newer.partitionEpoch() < read.partitionEpoch()) {
                        partitions.put(key, read);
                    }
                });
            } finally {
                appliedDuringReload.remove(applied);
            }
            return null;
        }, false).onComplete(ar -> {
            if (generation != mergeGeneration.get()) {
                return;
            }
            if (ar.succeeded()) {
                LOG.log(Level.INFO, "metadata reloaded after merge node={0} ms={1}", nodeId, waitedMs);
                publish(new MetadataChange.Membership(members, true));
                if (again) {
                    // Once more a little later: cheap, and covers a conflict resolution still settling.
                    vertx.setTimer(5_000, t -> resyncAfterMerge(generation, System.nanoTime(), false));
                }
            } else {
                if (waitedMs - lastMergeWaitWarningMs >= 10_000 || waitedMs < lastMergeWaitWarningMs) {
                    lastMergeWaitWarningMs = waitedMs;
                    LOG.log(Level.WARNING, "metadata reload after merge still waiting node={0} ms={1}: {2}", nodeId,
                            waitedMs, ar.cause().getMessage());
                } else {
                    LOG.log(Level.DEBUG, () -> "metadata reload after merge waiting node=" + nodeId + ": "
                            + ar.cause().getMessage());
                }
                vertx.setTimer(waitedMs < 60_000 ? 500 : 5_000, t -> resyncAfterMerge(generation, startedNanos, again));
            }
        });
    }
}
