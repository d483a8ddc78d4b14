package io.skua.broker.cluster;

import io.skua.broker.cluster.ClusterRecords.BrokerRecord;
import io.skua.broker.cluster.ClusterRecords.ControllerRecord;
import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.vertx.core.Context;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.manager.DefaultCacheManager;
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
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;

/**
 * The cluster metadata as Infinispan holds it: the only code that touches the metadata caches and the JSON of their
 * records ({@link ClusterRecords}). It defines the caches, reads them, writes them (plain puts, conditional
 * {@code putIfAbsent} / {@code replace(old, new)}, removes) and turns their listener events into typed callbacks
 * ({@link Events}).
 *
 * <p><b>Every write is bounded in time.</b> A write that has not completed after {@link #WRITE_TIMEOUT_MS} fails with
 * {@code ApiException(REQUEST_TIMED_OUT, "cache write not done after 15000 ms")}; its effect is then unknown (it may
 * still be applied later), so callers treat it like a lost conditional write: they read again in a later round. A write
 * issued by a broker that was paused through a split (SIGSTOP), with its pre-split topology, was seen to never
 * complete after the heal; a blocking call without a bound kept the controller thread and the cluster had no
 * controller. Single-key reads are bounded the same way. Other failures propagate as Infinispan throws them (a DEGRADED
 * cache on the minority side of a split refuses reads and writes with {@code AvailabilityException}; a stopping cache
 * manager throws too).
 *
 * <p><b>Threading.</b> Every read, write and listener registration blocks: callers are the controller's own thread and
 * Vert.x workers ({@code executeBlocking}), never an event loop, and a call from an event loop fails with
 * {@link IllegalStateException}. {@link #isCoordinator()} and {@link #viewMembers()} do not block. Callbacks of
 * {@link Events} run on the thread that applied a write (cache entries, topologies) or on a notification thread (views).
 */
public final class MetadataStore {
    private static final System.Logger LOG = System.getLogger(MetadataStore.class.getName());

    /** Registered brokers: node id -> {@link BrokerRecord}. */
    static final String BROKERS_CACHE = "skua.brokers";
    /** Topics: name -> {@link TopicRecord} (id, partitions, configs, replica assignment). */
    static final String TOPICS_CACHE = "skua.topics";
    /** Leadership: "topic/partition" -> {@link PartitionRecord}; {@link ClusterRecords#CONTROLLER_KEY} -> controller. */
    static final String PARTITIONS_CACHE = "skua.partitions";
    /** Segments of the metadata caches (Infinispan's default is 256). */
    static final int METADATA_SEGMENTS = 4;
    /** Longest wait for one cache operation (the caches' remote timeout is 10 s). */
    static final long WRITE_TIMEOUT_MS = 15_000;

    /** A record as read, with its stored form: the token a conditional write compares against. */
    record Versioned<T>(T value, String stored) {
    }

    /** The outcome of one conditional write of a batch: written, lost to a concurrent change, or failed. */
    record WriteResult(boolean written, RuntimeException failure) {
        boolean failed() {
            return failure != null;
        }
    }

    /** A conditional replace of one partition record, for {@link #replacePartitions}. */
    record PartitionReplace(String topic, int partition, Versioned<PartitionRecord> expected, PartitionRecord next) {
    }

    /** What the caches and the view tell the metadata snapshot; each callback must return quickly. */
    interface Events {
        void broker(BrokerRecord broker);

        void brokerRemoved(int nodeId);

        void topic(TopicRecord topic);

        void topicRemoved(String name);

        void partition(String topic, int partition, PartitionRecord state);

        void partitionRemoved(String topic, int partition);

        void controller(ControllerRecord controller);

        /** A new JGroups view (join, leave, suspicion), or a merge after a split healed. */
        void view(Set<String> members, boolean merged);

        /** A metadata cache installed a CONFLICT_RESOLUTION topology: a merge is being resolved. */
        void conflictResolution(String cache, int topologyId);
    }

    private final EmbeddedCacheManager cacheManager;
    private final Cache<String, String> brokers;
    private final Cache<String, String> topics;
    private final Cache<String, String> partitions;
    /** Cache name -> id of the last CONFLICT_RESOLUTION topology installed here (a merge being resolved). */
    private final Map<String, Integer> conflictResolutions = new ConcurrentHashMap<>();
    private volatile List<Object> listeners = List.of();

    MetadataStore(EmbeddedCacheManager cacheManager) {
        this.cacheManager = cacheManager;
        this.brokers = cacheManager.getCache(BROKERS_CACHE);
        this.topics = cacheManager.getCache(TOPICS_CACHE);
        this.partitions = cacheManager.getCache(PARTITIONS_CACHE);
    }

    /**
     * Defines Skua's metadata caches: replicated, and on the minority side of a split neither readable nor writable, so
     * an isolated controller cannot change leaders while the majority elects another; the larger side's values win
     * after a heal. Few segments: after a heal, conflict resolution fetches every segment from every member one request
     * at a time; with the default 256 that took 10-25 s for these few entries (docs/cluster.md, split), with 4 well
     * under a second.
     */
    static void defineCaches(DefaultCacheManager cm) {
        ConfigurationBuilder meta = new ConfigurationBuilder();
        meta.clustering().cacheMode(CacheMode.REPL_SYNC)
                .remoteTimeout(10_000)
                .hash().numSegments(METADATA_SEGMENTS)
                .partitionHandling().whenSplit(PartitionHandling.DENY_READ_WRITES)
                .mergePolicy(MergePolicy.PREFERRED_ALWAYS);
        for (String cache : new String[] {BROKERS_CACHE, TOPICS_CACHE, PARTITIONS_CACHE}) {
            cm.defineConfiguration(cache, meta.build());
        }
    }

    /** Blocking: starts the metadata caches (the broker is ready only once their state has arrived). */
    static void startCaches(DefaultCacheManager cm) {
        cm.startCaches(BROKERS_CACHE, TOPICS_CACHE, PARTITIONS_CACHE);
    }

    // ---- listeners and the view ----

    /** Registers listeners that turn cache and view events into {@code events} calls (blocking). */
    void listen(Events events) {
        requireBlockingAllowed();
        EntryListener entries = new EntryListener(events);
        TopologyListener topology = new TopologyListener(events);
        ViewListener view = new ViewListener(events);
        cacheManager.addListener(view);
        for (Cache<String, String> c : List.of(brokers, topics, partitions)) {
            c.addListener(entries);
            c.addListener(topology);
        }
        listeners = List.of(entries, topology, view);
    }

    /** Removes what {@link #listen} registered (blocking). */
    void unlisten() {
        requireBlockingAllowed();
        for (Object l : listeners) {
            if (l instanceof ViewListener) {
                cacheManager.removeListener(l);
            } else {
                for (Cache<String, String> c : List.of(brokers, topics, partitions)) {
                    c.removeListener(l);
                }
            }
        }
        listeners = List.of();
    }

    /** Member names of the current JGroups view. */
    Set<String> viewMembers() {
        return names(cacheManager.getMembers());
    }

    /** True when this node is the coordinator (oldest member) of its view. */
    boolean isCoordinator() {
        return cacheManager.isCoordinator();
    }

    /**
     * Fails with {@link IllegalStateException} (saying why) while any metadata cache is still merging. Settled means,
     * for each cache: AVAILABLE, no rebalance or conflict resolution running, at least {@code viewSize} members in its
     * topology, and a topology newer than the last conflict resolution seen here.
     */
    void requireSettled(int viewSize) {
        requireBlockingAllowed();
        for (Cache<String, String> c : List.of(brokers, topics, partitions)) {
            CacheTopology topology = c.getAdvancedCache().getDistributionManager().getCacheTopology();
            AvailabilityMode availability = c.getAdvancedCache().getAvailability();
            int resolution = conflictResolutions.getOrDefault(c.getName(), -1);
            if (availability != AvailabilityMode.AVAILABLE || topology.getPhase() != CacheTopology.Phase.NO_REBALANCE
                    || topology.getActualMembers().size() < viewSize || topology.getTopologyId() <= resolution) {
                throw new IllegalStateException(c.getName() + " is still merging: " + availability + " "
                        + topology.getPhase() + " topology=" + topology.getTopologyId() + " conflictResolution="
                        + resolution + " members=" + topology.getActualMembers().size());
            }
        }
    }

    // ---- reads ----

    /** Every registered broker (an unreadable entry is skipped with a warning). */
    List<BrokerRecord> brokers() {
        return readAll(brokers, BrokerRecord.class);
    }

    /** Every topic. */
    List<TopicRecord> topics() {
        return readAll(topics, TopicRecord.class);
    }

    /** Every partition record by "topic/partition" key (the controller record is not one). */
    Map<String, PartitionRecord> partitions() {
        requireBlockingAllowed();
        Map<String, PartitionRecord> out = new HashMap<>();
        partitions.forEach((k, v) -> {
            if (!k.equals(ClusterRecords.CONTROLLER_KEY)) {
                PartitionRecord p = decode(PARTITIONS_CACHE, k, v, PartitionRecord.class);
                if (p != null) {
                    out.put(k, p);
                }
            }
        });
        return out;
    }

    /** The broker's registration, or null. */
    BrokerRecord broker(int nodeId) {
        Versioned<BrokerRecord> b = read(brokers, String.valueOf(nodeId), BrokerRecord.class);
        return b == null ? null : b.value();
    }

    /** The topic's record, or null. */
    Versioned<TopicRecord> topic(String name) {
        return read(topics, name, TopicRecord.class);
    }

    /** The partition's record, or null. */
    Versioned<PartitionRecord> partition(String topic, int partition) {
        return read(partitions, ClusterRecords.partitionKey(topic, partition), PartitionRecord.class);
    }

    /** The controller record, or null before the first election. */
    Versioned<ControllerRecord> controller() {
        return read(partitions, ClusterRecords.CONTROLLER_KEY, ControllerRecord.class);
    }

    // ---- writes ----

    /** Writes a broker's registration (unconditionally: each broker writes only its own). */
    void putBroker(BrokerRecord broker) {
        await(() -> brokers.putAsync(String.valueOf(broker.nodeId()), ClusterRecords.toJson(broker)));
    }

    /**
     * Writes the controller record if it is still {@code expected} (null: if there is none).
     *
     * @return the record as written, or null when it had changed (another node wrote it first)
     */
    Versioned<ControllerRecord> replaceController(Versioned<ControllerRecord> expected, ControllerRecord next) {
        String json = ClusterRecords.toJson(next);
        boolean won = expected == null
                ? await(() -> partitions.putIfAbsentAsync(ClusterRecords.CONTROLLER_KEY, json)) == null
                : await(() -> partitions.replaceAsync(ClusterRecords.CONTROLLER_KEY, expected.stored(), json));
        return won ? new Versioned<>(next, json) : null;
    }

    /** Writes a new topic; false when the name is taken. */
    boolean putTopicIfAbsent(TopicRecord topic) {
        return await(() -> topics.putIfAbsentAsync(topic.name(), ClusterRecords.toJson(topic))) == null;
    }

    /** Replaces a topic record if it is still {@code expected}; false when it changed meanwhile. */
    boolean replaceTopic(Versioned<TopicRecord> expected, TopicRecord next) {
        return await(() -> topics.replaceAsync(expected.value().name(), expected.stored(), ClusterRecords.toJson(next)));
    }

    /** Removes a topic record if it is still {@code expected}; false when it changed meanwhile. */
    boolean removeTopic(Versioned<TopicRecord> expected) {
        return await(() -> topics.removeAsync(expected.value().name(), expected.stored()));
    }

    /** Writes the records of partitions {@code first}, {@code first + 1}, ... of a topic in one {@code putAll}. */
    void putPartitions(String topic, int first, List<PartitionRecord> records) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            entries.put(ClusterRecords.partitionKey(topic, first + i), ClusterRecords.toJson(records.get(i)));
        }
        await(() -> partitions.putAllAsync(entries));
    }

    /** Removes the records of partitions 0 to {@code count - 1} of a topic: all sent together, awaited together. */
    void removePartitions(String topic, int count) {
        await(() -> {
            List<CompletableFuture<?>> removals = new ArrayList<>();
            for (int p = 0; p < count; p++) {
                removals.add(partitions.removeAsync(ClusterRecords.partitionKey(topic, p)));
            }
            return CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new));
        });
    }

    /** Replaces a partition record if it is still {@code expected}; false when it changed meanwhile. */
    boolean replacePartition(String topic, int partition, Versioned<PartitionRecord> expected, PartitionRecord next) {
        return await(() -> partitions.replaceAsync(ClusterRecords.partitionKey(topic, partition), expected.stored(),
                ClusterRecords.toJson(next)));
    }

    /**
     * Conditional replaces of several partition records, all sent together and awaited together (one network round
     * trip instead of one per record), within one {@link #WRITE_TIMEOUT_MS} for the batch.
     *
     * @return one result per replace, in order; a write not done in time fails with REQUEST_TIMED_OUT
     */
    List<WriteResult> replacePartitions(List<PartitionReplace> replaces) {
        requireBlockingAllowed();
        List<CompletableFuture<Boolean>> writes = new ArrayList<>();
        for (PartitionReplace r : replaces) {
            try {
                writes.add(partitions.replaceAsync(ClusterRecords.partitionKey(r.topic(), r.partition()),
                        r.expected().stored(), ClusterRecords.toJson(r.next())));
            } catch (RuntimeException e) {
                writes.add(CompletableFuture.failedFuture(e));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WRITE_TIMEOUT_MS);
        List<WriteResult> results = new ArrayList<>();
        for (CompletableFuture<Boolean> w : writes) {
            try {
                results.add(new WriteResult(awaitUntil(w, deadline, "write"), null));
            } catch (RuntimeException e) {
                results.add(new WriteResult(false, e));
            }
        }
        return results;
    }

    // ---- helpers ----

    private <T> Versioned<T> read(Cache<String, String> cache, String key, Class<T> type) {
        requireBlockingAllowed();
        String json = awaitUntil(cache.getAsync(key),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WRITE_TIMEOUT_MS), "read");
        return json == null ? null : new Versioned<>(ClusterRecords.fromJson(json, type), json);
    }

    private <T> List<T> readAll(Cache<String, String> cache, Class<T> type) {
        requireBlockingAllowed();
        List<T> out = new ArrayList<>();
        cache.forEach((k, v) -> {
            T value = decode(cache.getName(), k, v, type);
            if (value != null) {
                out.add(value);
            }
        });
        return out;
    }

    /** Decodes an entry, or null (with a warning) when it cannot be read. */
    private static <T> T decode(String cache, String key, String json, Class<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return ClusterRecords.fromJson(json, type);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "unreadable metadata ignored cache={0} key={1}: {2}", cache, key, e.getMessage());
            return null;
        }
    }

    /** Issues a write (after checking the thread) and waits for it at most {@link #WRITE_TIMEOUT_MS}. */
    static <T> T await(Supplier<CompletableFuture<T>> write) {
        requireBlockingAllowed();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WRITE_TIMEOUT_MS);
        return awaitUntil(write.get(), deadline, "write");
    }

    /** Waits for a cache operation until the deadline (System.nanoTime): REQUEST_TIMED_OUT after it. */
    static <T> T awaitUntil(CompletableFuture<T> op, long deadlineNanos, String what) {
        try {
            return op.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ApiException(Errors.REQUEST_TIMED_OUT, "cache " + what + " not done after " + WRITE_TIMEOUT_MS + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException ce && ce.getCause() != null
                    ? ce.getCause() : e.getCause();
            throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Cache calls block (a hung member stalls replicated writes cluster-wide): never on an event loop. */
    private static void requireBlockingAllowed() {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("blocking metadata store call on an event loop thread: "
                    + Thread.currentThread().getName());
        }
    }

    private static Set<String> names(List<Address> addresses) {
        return addresses == null ? Set.of()
                : addresses.stream().map(Address::toString).collect(Collectors.toUnmodifiableSet());
    }

    /** Cache entry listener: runs on the thread applying the write, after it is applied. */
    @Listener(observation = Listener.Observation.POST)
    public static final class EntryListener {
        private final Events events;

        EntryListener(Events events) {
            this.events = events;
        }

        @CacheEntryCreated
        @CacheEntryModified
        public void onWrite(CacheEntryEvent<String, String> event) {
            String cache = event.getCache().getName();
            String key = event.getKey();
            String json = event.getValue();
            switch (cache) {
                case BROKERS_CACHE -> {
                    BrokerRecord b = decode(cache, key, json, BrokerRecord.class);
                    if (b != null) {
                        events.broker(b);
                    }
                }
                case TOPICS_CACHE -> {
                    TopicRecord t = decode(cache, key, json, TopicRecord.class);
                    if (t != null) {
                        events.topic(t);
                    }
                }
                case PARTITIONS_CACHE -> {
                    if (key.equals(ClusterRecords.CONTROLLER_KEY)) {
                        ControllerRecord c = decode(cache, key, json, ControllerRecord.class);
                        if (c != null) {
                            events.controller(c);
                        }
                    } else {
                        PartitionRecord p = decode(cache, key, json, PartitionRecord.class);
                        if (p != null) {
                            int slash = key.lastIndexOf('/');
                            events.partition(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)), p);
                        }
                    }
                }
                default -> {
                }
            }
        }

        @CacheEntryRemoved
        public void onRemove(CacheEntryEvent<String, String> event) {
            String key = event.getKey();
            switch (event.getCache().getName()) {
                case BROKERS_CACHE -> events.brokerRemoved(Integer.parseInt(key));
                case TOPICS_CACHE -> events.topicRemoved(key);
                case PARTITIONS_CACHE -> {
                    int slash = key.lastIndexOf('/');
                    if (slash > 0) {
                        events.partitionRemoved(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)));
                    }
                }
                default -> {
                }
            }
        }
    }

    /** Topology changes of the metadata caches: a CONFLICT_RESOLUTION phase means a merge is being resolved. */
    @Listener(observation = Listener.Observation.POST)
    public final class TopologyListener {
        private final Events events;

        TopologyListener(Events events) {
            this.events = events;
        }

        @TopologyChanged
        public void onTopology(TopologyChangedEvent<String, String> event) {
            CacheTopology topology = event.getCache().getAdvancedCache().getDistributionManager().getCacheTopology();
            if (topology != null && topology.getPhase() == CacheTopology.Phase.CONFLICT_RESOLUTION) {
                conflictResolutions.merge(event.getCache().getName(), topology.getTopologyId(), Math::max);
                events.conflictResolution(event.getCache().getName(), topology.getTopologyId());
            }
        }
    }

    /** Membership: a new view (join, leave, suspicion) or a merge after a split healed. */
    @Listener(sync = false)
    public static final class ViewListener {
        private final Events events;

        ViewListener(Events events) {
            this.events = events;
        }

        @ViewChanged
        @Merged
        public void onView(ViewChangedEvent event) {
            events.view(names(event.getNewMembers()), event.isMergeView());
        }
    }
}
