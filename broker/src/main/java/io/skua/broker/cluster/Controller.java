package io.skua.broker.cluster;

import io.skua.broker.Lifecycle;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.broker.cluster.ClusterRecords.ControllerRecord;
import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.protocol.Uuid;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.infinispan.Cache;

/**
 * The controller role, which every clustered broker can take by writing a controller record with a higher epoch into
 * the partitions cache. The controller renews that record every {@link #RECONCILE_INTERVAL_MS} (its lease) and keeps
 * the role while the renewals succeed, whether or not it is the coordinator of the view; a renewal that fails (the
 * minority side of a split, where the cache denies writes, or caches that no longer take writes) makes it step down.
 * The coordinator of the current JGroups view (its oldest member) claims the role when there is no record, when the
 * holder has left the view, or when the record has not changed for {@link #LEASE_MS}; any other member claims it
 * after twice that, so a coordinator whose caches are stuck does not leave the cluster without a controller.
 *
 * <p>The controller alone writes leaders and ISRs. Each partition record carries the controller epoch that wrote
 * it (brokers ignore records of a replaced controller) and a partition epoch that every change bumps; writes are
 * conditional on the record read ({@code replace(key, old, new)}), so a concurrent writer loses instead of
 * overwriting.
 *
 * <p>Threading: everything that touches the caches runs on one controller thread (blocking Infinispan calls,
 * never on an event loop); public methods return futures completed on the caller's context.
 */
public final class Controller implements Lifecycle {
    private static final System.Logger LOG = System.getLogger(Controller.class.getName());
    /** Re-checks leadership this often even without events (a missed event costs at most this much). */
    static final long RECONCILE_INTERVAL_MS = 2_000;
    /** Longest wait for one cache write (the caches' remote timeout is 10 s). */
    static final long WRITE_TIMEOUT_MS = 15_000;
    /** A controller record unchanged for this long (no renewal seen) is taken as abandoned. */
    static final long LEASE_MS = 10_000;

    private final Vertx vertx;
    private final ClusterMetadata metadata;
    private final boolean uncleanDefault;
    private final ExecutorService thread;
    private final AtomicBoolean reconcilePending = new AtomicBoolean();
    private long timer = -1;

    // ---- controller thread only ----
    /** This node's controller epoch, or -1 when it is not the controller. */
    private volatile int epoch = -1;
    /** When this node's claims began to fail (System.nanoTime), or 0; and when that was last logged. */
    private long claimFailingSince;
    private long claimFailureLogged;
    /** The controller record as this node last read it, and since when (System.nanoTime) it has read that value. */
    private String observedRecord;
    private long observedSince;

    public Controller(Vertx vertx, ClusterMetadata metadata, boolean uncleanLeaderElection) {
        this.vertx = vertx;
        this.metadata = metadata;
        this.uncleanDefault = uncleanLeaderElection;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "skua-controller-" + metadata.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Future<Void> start() {
        metadata.onChange(change -> {
            if (!(change instanceof ClusterMetadata.Change.Partition)) {
                trigger();
            }
        });
        timer = vertx.setPeriodic(RECONCILE_INTERVAL_MS, id -> trigger());
        trigger();
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        thread.shutdown();
        return vertx.executeBlocking(() -> thread.awaitTermination(10, TimeUnit.SECONDS), false).mapEmpty();
    }

    /** True while this node is the confirmed controller. */
    public boolean isActive() {
        return epoch >= 0;
    }

    public int epoch() {
        return epoch;
    }

    /** Asks for a reconciliation soon; calls while one is pending coalesce. */
    void trigger() {
        if (reconcilePending.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    reconcilePending.set(false);
                    reconcile();
                });
            } catch (RejectedExecutionException stopped) {
                reconcilePending.set(false);
            }
        }
    }

    /**
     * Creates a topic: spreads {@code replicationFactor} replicas of each partition over the live brokers, writes
     * the partitions' leadership, then the topic (brokers open their logs when they see the topic).
     */
    public Future<TopicRecord> createTopic(String name, int partitionCount, short replicationFactor,
                                           Map<String, String> configs, boolean validateOnly) {
        return onThread(() -> {
            int controllerEpoch = requireActive();
            Cache<String, String> topics = metadata.topicsCache();
            if (topics.containsKey(name)) {
                throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
            }
            Set<Integer> live = metadata.liveBrokerIds();
            List<List<Integer>> replicas = ReplicaAssignment.spread(live, partitionCount, replicationFactor,
                    ThreadLocalRandom.current().nextInt());
            TopicRecord topic = new TopicRecord(name, Uuid.randomUuid().toString(), Map.copyOf(configs), replicas);
            if (validateOnly) {
                return topic;
            }
            Map<String, String> states = new HashMap<>();
            for (int p = 0; p < partitionCount; p++) {
                states.put(ClusterRecords.partitionKey(name, p), ClusterRecords.toJson(
                        LeaderElection.initial(replicas.get(p), live, controllerEpoch)));
            }
            bounded(metadata.partitionsCache().putAllAsync(states));
            if (bounded(topics.putIfAbsentAsync(name, ClusterRecords.toJson(topic))) != null) {
                throw new ApiException(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
            }
            LOG.log(Level.INFO, "topic created name={0} id={1} partitions={2} replicationFactor={3} controllerEpoch={4}",
                    name, topic.id(), partitionCount, replicationFactor, controllerEpoch);
            return topic;
        });
    }

    /**
     * Deletes a topic: its partition records first (brokers stop serving and replicating it), then the topic record
     * (brokers delete their logs of it).
     *
     * @param id the topic id the request named, or null to delete whichever topic has the name now
     */
    public Future<TopicRecord> deleteTopic(String name, Uuid id) {
        return onThread(() -> {
            int controllerEpoch = requireActive();
            Cache<String, String> topics = metadata.topicsCache();
            String json = topics.get(name);
            TopicRecord topic = json == null ? null : ClusterRecords.fromJson(json, TopicRecord.class);
            if (topic == null || (id != null && !Uuid.fromString(topic.id()).equals(id))) {
                throw id != null
                        ? new ApiException(Errors.UNKNOWN_TOPIC_ID, "This server does not host topic id " + id + ".")
                        : new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.");
            }
            List<CompletableFuture<?>> removals = new ArrayList<>();
            for (int p = 0; p < topic.partitionCount(); p++) {
                removals.add(metadata.partitionsCache().removeAsync(ClusterRecords.partitionKey(name, p)));
            }
            awaitAll(removals);
            if (!topics.remove(name, json)) {
                throw new ApiException(Errors.NOT_CONTROLLER, "Concurrent change of topic " + name);
            }
            LOG.log(Level.INFO, "topic deleted name={0} id={1} partitions={2} controllerEpoch={3}", name, topic.id(),
                    topic.partitionCount(), controllerEpoch);
            return topic;
        });
    }

    /**
     * Adds partitions to a topic: each new one gets the topic's replication factor, from {@code assignments} (checked
     * against the registered brokers) or spread round robin over the live brokers; leader = first live replica, ISR =
     * the live replicas. The partition records are written first (one {@code putAll}), then the grown topic.
     *
     * @param assignments the new partitions' replicas, or null
     */
    public Future<TopicRecord> createPartitions(String name, int newCount, List<List<Integer>> assignments,
                                                boolean validateOnly) {
        return onThread(() -> {
            int controllerEpoch = requireActive();
            Cache<String, String> topics = metadata.topicsCache();
            String json = existingTopic(topics, name);
            TopicRecord topic = ClusterRecords.fromJson(json, TopicRecord.class);
            int current = topic.partitionCount();
            Set<Integer> live = metadata.liveBrokerIds();
            List<List<Integer>> replicas = assignments != null
                    ? ReplicaAssignment.grow(topic.replicas(), newCount, assignments, metadata.brokers().keySet(), live)
                    : ReplicaAssignment.grow(topic.replicas(), newCount, live, ThreadLocalRandom.current().nextInt());
            List<List<Integer>> added = replicas.subList(current, newCount);
            TopicRecord grown = new TopicRecord(name, topic.id(), topic.configs(), replicas);
            if (validateOnly) {
                return grown;
            }
            Map<String, String> states = new HashMap<>();
            for (int i = 0; i < added.size(); i++) {
                states.put(ClusterRecords.partitionKey(name, current + i), ClusterRecords.toJson(
                        LeaderElection.initial(added.get(i), live, controllerEpoch)));
            }
            metadata.partitionsCache().putAll(states);
            if (!topics.replace(name, json, ClusterRecords.toJson(grown))) {
                throw new ApiException(Errors.NOT_CONTROLLER, "Concurrent change of topic " + name);
            }
            LOG.log(Level.INFO, "partitions created topic={0} partitions={1} -> {2} replicas={3} controllerEpoch={4}",
                    name, current, newCount, added, controllerEpoch);
            return grown;
        });
    }

    /** The topic's stored record (JSON), or UNKNOWN_TOPIC_OR_PARTITION. */
    private static String existingTopic(Cache<String, String> topics, String name) {
        String json = topics.get(name);
        if (json == null) {
            throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + name + "' does not exist.");
        }
        return json;
    }

    /**
     * Changes a topic's config overrides: {@code change} gets the current ones and returns the new ones, validated
     * (it throws INVALID_CONFIG). Written with a conditional replace of the topic record.
     */
    public Future<TopicRecord> alterTopicConfigs(String name, UnaryOperator<Map<String, String>> change,
                                                 boolean validateOnly) {
        return onThread(() -> {
            int controllerEpoch = requireActive();
            Cache<String, String> topics = metadata.topicsCache();
            String json = existingTopic(topics, name);
            TopicRecord topic = ClusterRecords.fromJson(json, TopicRecord.class);
            TopicRecord changed = new TopicRecord(name, topic.id(), Map.copyOf(change.apply(topic.configs())),
                    topic.replicas());
            if (validateOnly || changed.equals(topic)) {
                return changed;
            }
            if (!topics.replace(name, json, ClusterRecords.toJson(changed))) {
                throw new ApiException(Errors.NOT_CONTROLLER, "Concurrent change of topic " + name);
            }
            LOG.log(Level.INFO, "topic configs changed name={0} configs={1} controllerEpoch={2}", name,
                    changed.configs(), controllerEpoch);
            return changed;
        });
    }

    /**
     * One partition of an AlterPartition request.
     *
     * @param brokerEpochs per member of {@code newIsr}, the broker epoch the leader saw it fetch with (-1: unchecked)
     */
    public record IsrChange(String topic, int partition, int leaderEpoch, int partitionEpoch, List<Integer> newIsr,
                            List<Long> brokerEpochs) {
    }

    /** The answer for one partition of an AlterPartition request: its new state, or an error (state null). */
    public record IsrResult(PartitionRecord state, short error) {
        static IsrResult failed(short error) {
            return new IsrResult(null, error);
        }
    }

    /**
     * A leader asks to change partitions' ISRs (AlterPartition). Each is accepted only from the current leader, with
     * the current leader epoch and partition epoch, and an ISR of live replicas that includes the leader; each is
     * answered on its own. The accepted ones are written in one pass: all conditional replaces are sent together and
     * awaited together (on this thread), instead of one network round trip after the other.
     *
     * <p>Broker epochs (KIP-380, KIP-903): a request whose {@code brokerEpoch} is not the leader's registered one
     * fails as a whole with STALE_BROKER_EPOCH (a leader from before its restart); an ISR member named with an epoch
     * other than its registered one makes that partition's change INELIGIBLE_REPLICA (it restarted since it fetched).
     * -1 is not checked.
     *
     * @return one result per change, in order
     */
    public Future<List<IsrResult>> alterPartitions(int brokerId, long brokerEpoch, List<IsrChange> changes) {
        return onThread(() -> {
            int controllerEpoch = requireActive();
            if (brokerEpoch >= 0 && brokerEpoch != metadata.brokerEpoch(brokerId)) {
                throw new ApiException(Errors.STALE_BROKER_EPOCH, "Broker " + brokerId + " epoch " + brokerEpoch
                        + " is not the registered " + metadata.brokerEpoch(brokerId));
            }
            Cache<String, String> cache = metadata.partitionsCache();
            IsrResult[] results = new IsrResult[changes.size()];
            List<Integer> writing = new ArrayList<>();
            List<PartitionRecord> nexts = new ArrayList<>();
            List<CompletableFuture<Boolean>> writes = new ArrayList<>();
            for (int i = 0; i < changes.size(); i++) {
                IsrChange c = changes.get(i);
                String key = ClusterRecords.partitionKey(c.topic(), c.partition());
                String oldJson = cache.get(key);
                try {
                    PartitionRecord next = checkIsrChange(brokerId, c, oldJson, controllerEpoch);
                    writing.add(i);
                    nexts.add(next);
                    writes.add(cache.replaceAsync(key, oldJson, ClusterRecords.toJson(next)));
                } catch (ApiException e) {
                    results[i] = IsrResult.failed(e.errorCode());
                }
            }
            List<String> changed = new ArrayList<>();
            for (int w = 0; w < writes.size(); w++) {
                int i = writing.get(w);
                short error;
                try {
                    error = writes.get(w).get(30, TimeUnit.SECONDS) ? Errors.NONE : Errors.INVALID_UPDATE_VERSION;
                } catch (Exception e) {
                    // DEGRADED cache, a stopping member, a timeout: the leader retries with what it then sees.
                    LOG.log(Level.DEBUG, () -> "isr write failed " + changes.get(i) + ": " + e);
                    error = Errors.NOT_CONTROLLER;
                }
                results[i] = error == Errors.NONE ? new IsrResult(nexts.get(w), Errors.NONE) : IsrResult.failed(error);
                if (error == Errors.NONE) {
                    changed.add(changes.get(i).topic() + "-" + changes.get(i).partition() + "=" + nexts.get(w).isr());
                }
            }
            if (!changed.isEmpty()) {
                LOG.log(Level.INFO, "isr changed leader={0} partitions={1} {2}", brokerId, changed.size(), changed);
            }
            return List.of(results);
        });
    }

    private PartitionRecord checkIsrChange(int brokerId, IsrChange c, String oldJson, int controllerEpoch) {
        TopicRecord t = metadata.topic(c.topic());
        String key = ClusterRecords.partitionKey(c.topic(), c.partition());
        if (t == null || oldJson == null || c.partition() < 0 || c.partition() >= t.partitionCount()) {
            throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unknown partition " + key);
        }
        PartitionRecord old = ClusterRecords.fromJson(oldJson, PartitionRecord.class);
        if (old.leader() != brokerId) {
            throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER, "Broker " + brokerId + " does not lead " + key);
        }
        if (c.leaderEpoch() != old.leaderEpoch()) {
            throw new ApiException(Errors.FENCED_LEADER_EPOCH, "Leader epoch " + c.leaderEpoch() + " of " + key
                    + " is not the current " + old.leaderEpoch());
        }
        if (c.partitionEpoch() != old.partitionEpoch()) {
            throw new ApiException(Errors.INVALID_UPDATE_VERSION, "Partition epoch " + c.partitionEpoch() + " of "
                    + key + " is not the current " + old.partitionEpoch());
        }
        List<Integer> replicas = t.replicas().get(c.partition());
        if (!c.newIsr().contains(brokerId)) {
            throw new ApiException(Errors.INVALID_REQUEST, "The ISR of " + key + " must include its leader");
        }
        for (int i = 0; i < c.newIsr().size(); i++) {
            int id = c.newIsr().get(i);
            if (!replicas.contains(id) || !metadata.isLive(id)) {
                throw new ApiException(Errors.INELIGIBLE_REPLICA, "Broker " + id + " is not a live replica of " + key);
            }
            long epoch = i < c.brokerEpochs().size() ? c.brokerEpochs().get(i) : -1;
            if (epoch >= 0 && epoch != metadata.brokerEpoch(id)) {
                throw new ApiException(Errors.INELIGIBLE_REPLICA, "Broker " + id + " epoch " + epoch + " is stale ("
                        + metadata.brokerEpoch(id) + " registered), it cannot join the ISR of " + key);
            }
        }
        return new PartitionRecord(old.leader(), old.leaderEpoch(), List.copyOf(new LinkedHashSet<>(c.newIsr())),
                old.partitionEpoch() + 1, controllerEpoch);
    }

    /** Controller thread: waits for writes sent together (it is a blocking thread of its own, never an event loop). */
    private static void awaitAll(List<CompletableFuture<?>> writes) throws Exception {
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    // ---- controller thread ----

    private void reconcile() {
        try {
            Cache<String, String> cache = metadata.partitionsCache();
            String json = cache.get(ClusterRecords.CONTROLLER_KEY);
            ControllerRecord current = json == null ? null : ClusterRecords.fromJson(json, ControllerRecord.class);
            long now = System.nanoTime();
            if (observedSince == 0 || !Objects.equals(json, observedRecord)) {
                observedRecord = json;
                observedSince = now;
            }
            boolean mine = current != null && current.epoch() == epoch && current.member().equals(metadata.member());
            if (epoch >= 0 && !mine) {
                LOG.log(Level.WARNING, "controller fenced node={0} epoch={1} current={2}", metadata.nodeId(), epoch, current);
                epoch = -1;
            }
            if (epoch >= 0 && (now - observedSince) / 1_000_000 < RECONCILE_INTERVAL_MS / 2) {
                // Renewed moments ago: a renewal is itself a metadata change that triggers a round, so renewing on
                // every round would loop as fast as the cache takes writes.
                electLeaders(cache);
                return;
            }
            if (epoch >= 0) {
                // The renewal proves that the caches still take this controller's writes.
                String renewed = ClusterRecords.toJson(current.renewed());
                if (!bounded(cache.replaceAsync(ClusterRecords.CONTROLLER_KEY, json, renewed))) {
                    LOG.log(Level.WARNING, "controller fenced node={0} epoch={1}: the record changed during renewal",
                            metadata.nodeId(), epoch);
                    epoch = -1;
                    trigger();
                    return;
                }
                observedRecord = renewed;
                observedSince = now;
                electLeaders(cache);
                return;
            }
            long unchangedMs = (now - observedSince) / 1_000_000;
            boolean coordinator = metadata.isCoordinator();
            boolean holderGone = current == null || !metadata.members().contains(current.member());
            // A record naming this node while it is not the controller: it stepped down, nobody renews that record.
            boolean lapsed = current != null && current.member().equals(metadata.member());
            boolean claim = lapsed || (coordinator ? holderGone || unchangedMs >= LEASE_MS : unchangedMs >= 2 * LEASE_MS);
            if (!claim) {
                claimFailingSince = 0;
                return;
            }
            long started = System.nanoTime();
            int next = current == null ? 1 : current.epoch() + 1;
            String claimed = ClusterRecords.toJson(new ControllerRecord(metadata.nodeId(), metadata.member(), next, 0));
            boolean won = json == null ? bounded(cache.putIfAbsentAsync(ClusterRecords.CONTROLLER_KEY, claimed)) == null
                    : bounded(cache.replaceAsync(ClusterRecords.CONTROLLER_KEY, json, claimed));
            if (!won) {
                logClaimFailure(new IllegalStateException("the controller record changed: " + json));
                trigger();
                return;
            }
            epoch = next;
            claimFailingSince = 0;
            observedRecord = claimed;
            observedSince = now;
            LOG.log(Level.INFO, "controller elected node={0} epoch={1} members={2} ms={3} previous={4}",
                    metadata.nodeId(), next, metadata.members().size(), (System.nanoTime() - started) / 1_000_000,
                    current == null ? "none" : current.nodeId() + (lapsed ? " (this node, stepped down)"
                            : holderGone ? " (left the view)" : " (record unchanged for " + unchangedMs + " ms)"));
            electLeaders(cache);
        } catch (RuntimeException e) {
            // DEGRADED (minority side of a split), a stopping cache manager, a timed-out write: not the controller.
            if (epoch >= 0) {
                LOG.log(Level.WARNING, "controller stepped down node={0} epoch={1}: {2}", metadata.nodeId(), epoch,
                        e.toString());
            } else {
                logClaimFailure(e);
            }
            epoch = -1;
        }
    }

    /**
     * A node whose claims keep failing (the record is abandoned and nobody can take it over: no leader elections, no
     * ISR changes): said at WARNING once it has lasted 10 s, then every 30 s; a single failure (a split's minority
     * side, a stop) only at DEBUG.
     */
    private void logClaimFailure(RuntimeException e) {
        long now = System.nanoTime();
        if (claimFailingSince == 0) {
            claimFailingSince = now;
        }
        long failingMs = (now - claimFailingSince) / 1_000_000;
        if (failingMs >= 10_000 && (claimFailureLogged == 0 || now - claimFailureLogged >= 30_000_000_000L)) {
            claimFailureLogged = now;
            LOG.log(Level.WARNING, "controller claim failing node={0} for ms={1}: {2}",
                    metadata.nodeId(), failingMs, e.toString());
        } else {
            LOG.log(Level.DEBUG, () -> "controller claim failed node=" + metadata.nodeId() + ": " + e);
        }
    }

    private void electLeaders(Cache<String, String> cache) {
        Set<Integer> live = metadata.liveBrokerIds();
        for (TopicRecord topic : metadata.topics().values()) {
            boolean unclean = LeaderElection.unclean(topic.configs(), uncleanDefault);
            for (int p = 0; p < topic.partitionCount(); p++) {
                String key = ClusterRecords.partitionKey(topic.name(), p);
                String oldJson = cache.get(key);
                if (oldJson == null) {
                    continue;
                }
                PartitionRecord old = ClusterRecords.fromJson(oldJson, PartitionRecord.class);
                PartitionRecord next = LeaderElection.elect(old, topic.replicas().get(p), live, unclean, epoch);
                if (next == old) {
                    continue;
                }
                if (bounded(cache.replaceAsync(key, oldJson, ClusterRecords.toJson(next)))) {
                    LOG.log(Level.INFO, "leadership changed partition={0} leader={1} leaderEpoch={2} isr={3} controllerEpoch={4}",
                            key, next.leader(), next.leaderEpoch(), next.isr(), epoch);
                } else {
                    trigger();
                }
            }
        }
    }

    /**
     * Waits for a cache write at most {@link #WRITE_TIMEOUT_MS}. A write issued by a broker that was paused through a
     * split (SIGSTOP), with its pre-split topology, was seen to never complete after the heal; a blocking call then
     * kept the controller thread, and the cluster had no controller. Now the round fails (the controller steps down)
     * and the next one issues a new write, which does complete.
     */
    static <T> T bounded(CompletableFuture<T> write) {
        try {
            return write.get(WRITE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cache write not done after " + WRITE_TIMEOUT_MS + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private int requireActive() {
        int e = epoch;
        if (e < 0) {
            throw new ApiException(Errors.NOT_CONTROLLER, "Broker " + metadata.nodeId() + " is not the controller");
        }
        return e;
    }

    private <T> Future<T> onThread(Callable<T> work) {
        Context ctx = Vertx.currentContext();
        Promise<T> promise = ctx == null ? Promise.promise() : ((ContextInternal) ctx).promise();
        try {
            thread.execute(() -> {
                try {
                    promise.complete(work.call());
                } catch (ApiException e) {
                    promise.fail(e);
                } catch (Exception e) {
                    promise.fail(new ApiException(Errors.UNKNOWN_SERVER_ERROR, "controller: " + e));
                }
            });
        } catch (RejectedExecutionException e) {
            promise.fail(new ApiException(Errors.NOT_CONTROLLER, "controller stopped"));
        }
        return promise.future();
    }
}
