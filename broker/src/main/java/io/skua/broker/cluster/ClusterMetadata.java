package io.skua.broker.cluster;

import io.skua.broker.Lifecycle;
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
import org.infinispan.Cache;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.annotation.TopologyChanged;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.infinispan.notifications.cachelistener.event.TopologyChangedEvent;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;

/**
 * This broker's copy of the cluster metadata, kept current by Infinispan listeners, and its own registration.
 *
 * <p>Reads ({@link #brokers()}, {@link #topic}, {@link #partition}, ...) are plain map lookups, safe from any
 * thread and never touch a cache: the request path does not wait on the cluster. The listeners run on the thread
 * that applies a write; they only update maps and hand notifications to {@link #onChange} subscribers, who must
 * return quickly (submit work elsewhere).
 *
 * <p>Records only move forward: a partition record with a lower partition epoch, or a controller with a lower
 * epoch than the one already known, is ignored (listener callbacks of different keys may interleave).
 */
public final class ClusterMetadata implements Lifecycle {
    private static final System.Logger LOG = System.getLogger(ClusterMetadata.class.getName());

    /** What changed, for subscribers. */
    public sealed interface Change {
        record Membership(Set<String> members, boolean merged) implements Change {
        }

        record Broker(int nodeId) implements Change {
        }

        record Topic(TopicRecord topic) implements Change {
        }

        /** The topic was deleted (its partition records went first). */
        record TopicRemoved(String name, String id) implements Change {
        }

        record Partition(String topic, int partition, PartitionRecord state) implements Change {
        }

        record Controller(ControllerRecord controller) implements Change {
        }
    }

    /** How often this broker checks that the cluster still holds its registration. */
    static final long REGISTRATION_CHECK_MS = 5_000;

    private final Vertx vertx;
    private final EmbeddedCacheManager cacheManager;
    private final int nodeId;
    private final String member;
    private final Cache<String, String> brokersCache;
    private final Cache<String, String> topicsCache;
    private final Cache<String, String> partitionsCache;
    private final Map<Integer, BrokerRecord> brokers = new ConcurrentHashMap<>();
    private final Map<String, TopicRecord> topics = new ConcurrentHashMap<>();
    private final Map<String, PartitionRecord> partitions = new ConcurrentHashMap<>();
    private final List<Consumer<Change>> subscribers = new CopyOnWriteArrayList<>();
    private final CacheListener cacheListener = new CacheListener();
    private final ViewListener viewListener = new ViewListener();
    private volatile Set<String> members = Set.of();
    private volatile ControllerRecord controller;
    private volatile BrokerRecord registration;
    private long registrationTimer = -1;
    /** Bumped by every merge view and conflict resolution: an older pending reload stops. */
    private final AtomicInteger mergeGeneration = new AtomicInteger();
    /** Cache name -> id of the last CONFLICT_RESOLUTION topology installed here (a merge being resolved). */
    private final Map<String, Integer> conflictResolutions = new ConcurrentHashMap<>();
    private final TopologyListener topologyListener = new TopologyListener();
    /** When the wait for a settled merge was last reported (ms since that merge). */
    private volatile long lastMergeWaitWarningMs;

    public ClusterMetadata(Vertx vertx, ClusterNode node, int nodeId) {
        this.vertx = vertx;
        this.cacheManager = node.cacheManager();
        this.nodeId = nodeId;
        this.member = node.name();
        this.brokersCache = cacheManager.getCache(ClusterNode.BROKERS_CACHE);
        this.topicsCache = cacheManager.getCache(ClusterNode.TOPICS_CACHE);
        this.partitionsCache = cacheManager.getCache(ClusterNode.PARTITIONS_CACHE);
    }

    /** Registers the listeners, then loads what the caches hold (so no change falls between the two). */
    @Override
    public Future<Void> start() {
        return vertx.<Void>executeBlocking(() -> {
            cacheManager.addListener(viewListener);
            brokersCache.addListener(cacheListener);
            topicsCache.addListener(cacheListener);
            partitionsCache.addListener(cacheListener);
            for (Cache<String, String> c : List.of(brokersCache, topicsCache, partitionsCache)) {
                c.addListener(topologyListener);
            }
            members = names(cacheManager.getMembers());
            brokersCache.forEach((k, v) -> apply(ClusterNode.BROKERS_CACHE, k, v));
            topicsCache.forEach((k, v) -> apply(ClusterNode.TOPICS_CACHE, k, v));
            partitionsCache.forEach((k, v) -> apply(ClusterNode.PARTITIONS_CACHE, k, v));
            return null;
        }, false).onSuccess(v -> registrationTimer = vertx.setPeriodic(REGISTRATION_CHECK_MS, id -> checkRegistration()));
    }

    @Override
    public Future<Void> stop() {
        if (registrationTimer >= 0) {
            vertx.cancelTimer(registrationTimer);
        }
        return vertx.executeBlocking(() -> {
            cacheManager.removeListener(viewListener);
            brokersCache.removeListener(cacheListener);
            topicsCache.removeListener(cacheListener);
            partitionsCache.removeListener(cacheListener);
            for (Cache<String, String> c : List.of(brokersCache, topicsCache, partitionsCache)) {
                c.removeListener(topologyListener);
            }
            return null;
        }, false);
    }

    /** Publishes this broker and its endpoints (once its listeners are bound; again after a merge). */
    public Future<Void> register(List<Endpoint> advertised) {
        List<EndpointRecord> endpoints = advertised.stream().map(EndpointRecord::of).toList();
        return vertx.executeBlocking(() -> {
            // The epoch: above the one the cluster remembers for this node id, and above the previous start's
            // (the start time), so it grows with every restart even when the cluster forgot the old registration.
            String key = String.valueOf(nodeId);
            String old = brokersCache.get(key);
            long previous = old == null ? 0 : ClusterRecords.fromJson(old, BrokerRecord.class).epoch();
            BrokerRecord record = new BrokerRecord(nodeId, member, endpoints,
                    Math.max(previous + 1, System.currentTimeMillis()));
            registration = record;
            brokersCache.put(key, ClusterRecords.toJson(record));
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
            String json = brokersCache.get(String.valueOf(nodeId));
            if (json != null && ClusterRecords.fromJson(json, BrokerRecord.class).equals(own)) {
                return false;
            }
            brokersCache.put(String.valueOf(nodeId), ClusterRecords.toJson(own));
            return true;
        }, false).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                LOG.log(Level.WARNING, "broker registration restored node={0} member={1}", nodeId, member);
                startResync();
            }
        });
    }

    public void onChange(Consumer<Change> subscriber) {
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
        return cacheManager.isCoordinator();
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

    // ---- direct cache access for the controller (blocking; its own thread only) ----

    Cache<String, String> brokersCache() {
        return brokersCache;
    }

    Cache<String, String> topicsCache() {
        return topicsCache;
    }

    Cache<String, String> partitionsCache() {
        return partitionsCache;
    }

    // ---- listener plumbing ----

    private void apply(String cache, String key, String json) {
        if (json == null) {
            return;
        }
        try {
            switch (cache) {
                case ClusterNode.BROKERS_CACHE -> {
                    BrokerRecord b = ClusterRecords.fromJson(json, BrokerRecord.class);
                    brokers.put(b.nodeId(), b);
                    publish(new Change.Broker(b.nodeId()));
                }
                case ClusterNode.TOPICS_CACHE -> {
                    TopicRecord t = ClusterRecords.fromJson(json, TopicRecord.class);
                    topics.put(t.name(), t);
                    publish(new Change.Topic(t));
                }
                case ClusterNode.PARTITIONS_CACHE -> {
                    if (key.equals(ClusterRecords.CONTROLLER_KEY)) {
                        applyController(ClusterRecords.fromJson(json, ControllerRecord.class));
                    } else {
                        applyPartition(key, ClusterRecords.fromJson(json, PartitionRecord.class));
                    }
                }
                default -> {
                }
            }
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "unreadable metadata ignored cache={0} key={1}: {2}", cache, key, e.getMessage());
        }
    }

    private void applyController(ControllerRecord next) {
        synchronized (this) {
            ControllerRecord current = controller;
            if (current != null && next.epoch() < current.epoch()) {
                return;
            }
            controller = next;
        }
        publish(new Change.Controller(next));
    }

    private void applyPartition(String key, PartitionRecord next) {
        ControllerRecord c = controller;
        if (c != null && next.controllerEpoch() < c.epoch() && partitions.containsKey(key)) {
            // Written by a controller that has since been replaced: a zombie's write is not applied.
            LOG.log(Level.WARNING, "stale controller write ignored key={0} controllerEpoch={1} current={2}",
                    key, next.controllerEpoch(), c.epoch());
            return;
        }
        PartitionRecord merged = partitions.merge(key, next,
                (old, n) -> n.partitionEpoch() >= old.partitionEpoch() ? n : old);
        if (merged == next) {
            int slash = key.lastIndexOf('/');
            publish(new Change.Partition(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)), next));
        }
    }

    private void remove(String cache, String key) {
        switch (cache) {
            case ClusterNode.BROKERS_CACHE -> brokers.remove(Integer.parseInt(key));
            case ClusterNode.TOPICS_CACHE -> {
                TopicRecord gone = topics.remove(key);
                // A topic of the same name created later starts its partition epochs at 0 again: forget the old ones.
                partitions.keySet().removeIf(k -> k.startsWith(key + "/") && k.indexOf('/', key.length() + 1) < 0);
                if (gone != null) {
                    publish(new Change.TopicRemoved(key, gone.id()));
                }
            }
            case ClusterNode.PARTITIONS_CACHE -> partitions.remove(key);
            default -> {
            }
        }
    }

    private void publish(Change change) {
        for (Consumer<Change> s : subscribers) {
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
    private void startResync() {
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
            for (Cache<String, String> c : List.of(brokersCache, topicsCache, partitionsCache)) {
                var topology = c.getAdvancedCache().getDistributionManager().getCacheTopology();
                var availability = c.getAdvancedCache().getAvailability();
                int resolution = conflictResolutions.getOrDefault(c.getName(), -1);
                if (availability != AvailabilityMode.AVAILABLE || topology.getPhase() != CacheTopology.Phase.NO_REBALANCE
                        || topology.getActualMembers().size() < members.size() || topology.getTopologyId() <= resolution) {
                    throw new IllegalStateException(c.getName() + " is still merging: " + availability + " "
                            + topology.getPhase() + " topology=" + topology.getTopologyId() + " conflictResolution="
                            + resolution + " members=" + topology.getActualMembers().size());
                }
            }
            BrokerRecord own = registration;
            if (own != null) {
                Controller.bounded(brokersCache.putAsync(String.valueOf(nodeId), ClusterRecords.toJson(own)));
            }
            brokersCache.forEach((k, v) -> apply(ClusterNode.BROKERS_CACHE, k, v));
            topicsCache.forEach((k, v) -> apply(ClusterNode.TOPICS_CACHE, k, v));
            String c = partitionsCache.get(ClusterRecords.CONTROLLER_KEY);
            synchronized (this) {
                controller = c == null ? null : ClusterRecords.fromJson(c, ControllerRecord.class);
            }
            partitionsCache.forEach((k, v) -> {
                if (!k.equals(ClusterRecords.CONTROLLER_KEY)) {
                    partitions.put(k, ClusterRecords.fromJson(v, PartitionRecord.class));
                }
            });
            return null;
        }, false).onComplete(ar -> {
            if (generation != mergeGeneration.get()) {
                return;
            }
            if (ar.succeeded()) {
                LOG.log(Level.INFO, "metadata reloaded after merge node={0} ms={1}", nodeId, waitedMs);
                publish(new Change.Membership(members, true));
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

    private static Set<String> names(List<Address> addresses) {
        return addresses == null ? Set.of()
                : addresses.stream().map(Address::toString).collect(Collectors.toUnmodifiableSet());
    }

    /** Cache entry listener: runs on the thread applying the write, after it is applied; only updates maps. */
    @Listener(observation = Listener.Observation.POST)
    public final class CacheListener {
        @CacheEntryCreated
        @CacheEntryModified
        public void onWrite(CacheEntryEvent<String, String> event) {
            apply(event.getCache().getName(), event.getKey(), event.getValue());
        }

        @CacheEntryRemoved
        public void onRemove(CacheEntryEvent<String, String> event) {
            remove(event.getCache().getName(), event.getKey());
        }
    }

    /** Topology changes of the metadata caches: a CONFLICT_RESOLUTION phase means a merge is being resolved. */
    @Listener(observation = Listener.Observation.POST)
    public final class TopologyListener {
        @TopologyChanged
        public void onTopology(TopologyChangedEvent<String, String> event) {
            CacheTopology topology = event.getCache().getAdvancedCache().getDistributionManager().getCacheTopology();
            if (topology != null && topology.getPhase() == CacheTopology.Phase.CONFLICT_RESOLUTION) {
                conflictResolutions.merge(event.getCache().getName(), topology.getTopologyId(), Math::max);
                LOG.log(Level.DEBUG, () -> "conflict resolution node=" + nodeId + " cache=" + event.getCache().getName()
                        + " topology=" + topology.getTopologyId());
                startResync();
            }
        }
    }

    /** Membership: a new view (join, leave, suspicion) or a merge after a split healed. */
    @Listener(sync = false)
    public final class ViewListener {
        @ViewChanged
        @Merged
        public void onView(ViewChangedEvent event) {
            members = names(event.getNewMembers());
            boolean merged = event.isMergeView();
            LOG.log(Level.INFO, "cluster view node={0} members={1} merged={2} coordinator={3}", nodeId,
                    members.size(), merged, cacheManager.isCoordinator());
            if (merged) {
                startResync();
            }
            publish(new Change.Membership(members, merged));
        }
    }
}
