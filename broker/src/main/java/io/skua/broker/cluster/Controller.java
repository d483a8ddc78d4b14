package io.skua.broker.cluster;

import io.skua.broker.Lifecycle;
import io.skua.broker.api.ApiException;
import io.skua.broker.api.Errors;
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
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.infinispan.Cache;

/**
 * The controller role, which every clustered broker can take: the coordinator of the current JGroups view (its
 * oldest member) becomes controller once it has written a controller record with a higher epoch into the
 * partitions cache. That cache denies writes on the minority side of a split, so an isolated coordinator never
 * gets there, and an isolated former controller fails its next write and steps down.
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

    private final Vertx vertx;
    private final ClusterMetadata metadata;
    private final boolean uncleanDefault;
    private final ExecutorService thread;
    private final AtomicBoolean reconcilePending = new AtomicBoolean();
    private long timer = -1;

    // ---- controller thread only ----
    /** This node's controller epoch, or -1 when it is not the controller. */
    private volatile int epoch = -1;

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
            List<Integer> live = new ArrayList<>(metadata.liveBrokerIds());
            live.sort(null);
            if (replicationFactor > live.size()) {
                throw new ApiException(Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition "
                        + replicationFactor + " time(s): The target replication factor of " + replicationFactor
                        + " cannot be reached because only " + live.size() + " broker(s) are registered.");
            }
            List<List<Integer>> replicas = assign(live, partitionCount, replicationFactor,
                    ThreadLocalRandom.current().nextInt(live.size()));
            TopicRecord topic = new TopicRecord(name, Uuid.randomUuid().toString(), Map.copyOf(configs), replicas);
            if (validateOnly) {
                return topic;
            }
            Map<String, String> states = new HashMap<>();
            for (int p = 0; p < partitionCount; p++) {
                List<Integer> r = replicas.get(p);
                states.put(ClusterRecords.partitionKey(name, p), ClusterRecords.toJson(
                        new PartitionRecord(r.get(0), 0, r, 0, controllerEpoch)));
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
     * A leader asks to change a partition's ISR (AlterPartition). Accepted only from the current leader, with the
     * current leader epoch and partition epoch, and an ISR of live replicas that includes the leader.
     *
     * @return the partition's new state
     */
    public Future<PartitionRecord> alterPartition(int brokerId, String topic, int partition, int leaderEpoch,
                                                  int partitionEpoch, List<Integer> newIsr) {
        return onThread(() -> {
            int controllerEpoch = requireActive();
            TopicRecord t = metadata.topic(topic);
            String key = ClusterRecords.partitionKey(topic, partition);
            String oldJson = metadata.partitionsCache().get(key);
            if (t == null || oldJson == null) {
                throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unknown partition " + key);
            }
            PartitionRecord old = ClusterRecords.fromJson(oldJson, PartitionRecord.class);
            if (old.leader() != brokerId) {
                throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER, "Broker " + brokerId + " does not lead " + key);
            }
            if (leaderEpoch != old.leaderEpoch()) {
                throw new ApiException(Errors.FENCED_LEADER_EPOCH, "Leader epoch " + leaderEpoch + " of " + key
                        + " is not the current " + old.leaderEpoch());
            }
            if (partitionEpoch != old.partitionEpoch()) {
                throw new ApiException(Errors.INVALID_UPDATE_VERSION, "Partition epoch " + partitionEpoch + " of "
                        + key + " is not the current " + old.partitionEpoch());
            }
            List<Integer> replicas = t.replicas().get(partition);
            if (!newIsr.contains(brokerId)) {
                throw new ApiException(Errors.INVALID_REQUEST, "The ISR of " + key + " must include its leader");
            }
            for (int id : newIsr) {
                if (!replicas.contains(id) || !metadata.isLive(id)) {
                    throw new ApiException(Errors.INELIGIBLE_REPLICA, "Broker " + id + " is not a live replica of " + key);
                }
            }
            PartitionRecord next = new PartitionRecord(old.leader(), old.leaderEpoch(),
                    List.copyOf(new LinkedHashSet<>(newIsr)), old.partitionEpoch() + 1, controllerEpoch);
            if (!bounded(metadata.partitionsCache().replaceAsync(key, oldJson, ClusterRecords.toJson(next)))) {
                throw new ApiException(Errors.INVALID_UPDATE_VERSION, "Concurrent change of " + key);
            }
            LOG.log(Level.INFO, "isr changed partition={0} isr={1} partitionEpoch={2}", key, next.isr(),
                    next.partitionEpoch());
            return next;
        });
    }

    /** Round robin from {@code start}: partition p's replicas are live[start+p], live[start+p+1], ... */
    static List<List<Integer>> assign(List<Integer> live, int partitions, int replicationFactor, int start) {
        List<List<Integer>> out = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            List<Integer> r = new ArrayList<>(replicationFactor);
            for (int i = 0; i < replicationFactor; i++) {
                r.add(live.get((start + p + i) % live.size()));
            }
            out.add(List.copyOf(r));
        }
        return List.copyOf(out);
    }

    /**
     * The leadership a partition should have given the live brokers, or {@code current} when nothing changes.
     * Dead replicas leave the ISR; a dead leader is replaced by the first live ISR member in replica order, with
     * a higher leader epoch. With no live ISR member the partition goes leaderless and keeps its last ISR (a
     * returning member of it can lead again without data loss), unless unclean election is enabled.
     */
    static PartitionRecord elect(PartitionRecord current, List<Integer> replicas, Set<Integer> live,
                                 boolean unclean, int controllerEpoch) {
        List<Integer> liveIsr = current.isr().stream().filter(live::contains).toList();
        if (current.leader() >= 0 && live.contains(current.leader())) {
            if (liveIsr.equals(current.isr())) {
                return current;
            }
            return new PartitionRecord(current.leader(), current.leaderEpoch(), liveIsr,
                    current.partitionEpoch() + 1, controllerEpoch);
        }
        for (int candidate : replicas) {
            if (liveIsr.contains(candidate)) {
                return new PartitionRecord(candidate, current.leaderEpoch() + 1, liveIsr,
                        current.partitionEpoch() + 1, controllerEpoch);
            }
        }
        if (unclean) {
            for (int candidate : replicas) {
                if (live.contains(candidate)) {
                    return new PartitionRecord(candidate, current.leaderEpoch() + 1, List.of(candidate),
                            current.partitionEpoch() + 1, controllerEpoch);
                }
            }
        }
        if (current.leader() < 0) {
            return current;
        }
        return new PartitionRecord(-1, current.leaderEpoch() + 1, current.isr(), current.partitionEpoch() + 1,
                controllerEpoch);
    }

    // ---- controller thread ----

    private void reconcile() {
        try {
            if (!metadata.isCoordinator()) {
                if (epoch >= 0) {
                    LOG.log(Level.INFO, "controller resigned node={0} epoch={1}: no longer the coordinator",
                            metadata.nodeId(), epoch);
                    epoch = -1;
                }
                return;
            }
            Cache<String, String> cache = metadata.partitionsCache();
            String json = cache.get(ClusterRecords.CONTROLLER_KEY);
            ControllerRecord current = json == null ? null : ClusterRecords.fromJson(json, ControllerRecord.class);
            if (epoch >= 0 && (current == null || current.epoch() != epoch || !current.member().equals(metadata.member()))) {
                LOG.log(Level.WARNING, "controller fenced node={0} epoch={1} current={2}", metadata.nodeId(), epoch, current);
                epoch = -1;
            }
            if (epoch < 0) {
                long started = System.nanoTime();
                int next = current == null ? 1 : current.epoch() + 1;
                String claim = ClusterRecords.toJson(new ControllerRecord(metadata.nodeId(), metadata.member(), next));
                boolean won = json == null ? bounded(cache.putIfAbsentAsync(ClusterRecords.CONTROLLER_KEY, claim)) == null
                        : bounded(cache.replaceAsync(ClusterRecords.CONTROLLER_KEY, json, claim));
                if (!won) {
                    trigger();
                    return;
                }
                epoch = next;
                LOG.log(Level.INFO, "controller elected node={0} epoch={1} members={2} ms={3}", metadata.nodeId(),
                        next, metadata.members().size(), (System.nanoTime() - started) / 1_000_000);
            }
            electLeaders(cache);
        } catch (RuntimeException e) {
            // DEGRADED (minority side of a split), a stopping cache manager, a timed-out write: not the controller.
            if (epoch >= 0) {
                LOG.log(Level.WARNING, "controller stepped down node={0} epoch={1}: {2}", metadata.nodeId(), epoch,
                        e.toString());
            } else {
                LOG.log(Level.DEBUG, () -> "controller claim failed node=" + metadata.nodeId() + ": " + e);
            }
            epoch = -1;
        }
    }

    private void electLeaders(Cache<String, String> cache) {
        Set<Integer> live = metadata.liveBrokerIds();
        for (TopicRecord topic : metadata.topics().values()) {
            boolean unclean = Boolean.parseBoolean(topic.configs().getOrDefault(
                    "unclean.leader.election.enable", String.valueOf(uncleanDefault)));
            for (int p = 0; p < topic.partitionCount(); p++) {
                String key = ClusterRecords.partitionKey(topic.name(), p);
                String oldJson = cache.get(key);
                if (oldJson == null) {
                    continue;
                }
                PartitionRecord old = ClusterRecords.fromJson(oldJson, PartitionRecord.class);
                PartitionRecord next = elect(old, topic.replicas().get(p), live, unclean, epoch);
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
