package io.skua.broker.cluster;

import io.skua.broker.lifecycle.Lifecycle;
import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.broker.cluster.IsrChanges.IsrChange;
import io.skua.broker.cluster.IsrChanges.IsrResult;
import io.skua.broker.cluster.MetadataStore.Versioned;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.protocol.Uuid;
import io.skua.broker.partition.DelayedOperations;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * The controller role, which every clustered broker can take: a small coordinator of single-purpose parts that all
 * run on one controller thread.
 *
 * <ul>
 *   <li>{@link ControllerLease}: claims, renews and loses the role (the controller record and its epoch);
 *   <li>{@link LeaderElection}: who leads each partition given the live brokers (pure), applied here every round;
 *   <li>{@link TopicAdmin}: topic create / delete / new partitions / config changes, placed by
 *       {@link ReplicaAssignment} (pure);
 *   <li>{@link IsrChanges}: ISR changes leaders ask for (AlterPartition);
 *   <li>{@link MetadataStore}: every cache read and write, each bounded in time.
 * </ul>
 *
 * <p>The controller alone writes leaders and ISRs. Each partition record carries the controller epoch that wrote it
 * (brokers ignore records of a replaced controller) and a partition epoch that every change bumps; writes are
 * conditional on the record read, so a concurrent writer loses instead of overwriting.
 *
 * <p>A round (lease, then leader election) runs on every metadata change other than a partition record, and every
 * {@link #RECONCILE_INTERVAL_MS} regardless, coalesced. Threading: everything that touches the caches runs on the
 * controller thread (blocking Infinispan calls, never on an event loop); public methods return futures completed on
 * the caller's context.
 */
public final class Controller implements Lifecycle {
    private static final System.Logger LOG = System.getLogger(Controller.class.getName());
    /** Re-checks leadership this often even without events (a missed event costs at most this much). */
    static final long RECONCILE_INTERVAL_MS = 2_000;

    private final Vertx vertx;
    private final ClusterMetadata metadata;
    private final MetadataStore store;
    private final boolean uncleanDefault;
    private final ControllerLease lease;
    private final TopicAdmin topics;
    private final IsrChanges isr;
    private final ExecutorService thread;
    private final AtomicBoolean reconcilePending = new AtomicBoolean();
    private long timer = -1;

    public Controller(Vertx vertx, ClusterMetadata metadata, boolean uncleanLeaderElection) {
        this.vertx = vertx;
        this.metadata = metadata;
        this.store = metadata.store();
        this.uncleanDefault = uncleanLeaderElection;
        this.lease = new ControllerLease(store, metadata, this::trigger);
        this.topics = new TopicAdmin(store, metadata);
        this.isr = new IsrChanges(store, metadata);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "skua-controller-" + metadata.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Future<Void> start() {
        metadata.onChange(change -> {
            if (!(change instanceof MetadataChange.Partition)) {
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
        return lease.epoch() >= 0;
    }

    public int epoch() {
        return lease.epoch();
    }

    /** Asks for a round soon; calls while one is pending coalesce. */
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

    /** Creates a topic ({@link TopicAdmin#create}). */
    public Future<TopicRecord> createTopic(String name, int partitionCount, short replicationFactor,
                                           Map<String, String> configs, boolean validateOnly) {
        return asController(epoch -> topics.create(epoch, name, partitionCount, replicationFactor, configs, validateOnly));
    }

    /**
     * Deletes a topic ({@link TopicAdmin#delete}).
     *
     * @param id the topic id the request named, or null to delete whichever topic has the name now
     */
    public Future<TopicRecord> deleteTopic(String name, Uuid id) {
        return asController(epoch -> topics.delete(epoch, name, id));
    }

    /**
     * Adds partitions to a topic ({@link TopicAdmin#createPartitions}).
     *
     * @param assignments the new partitions' replicas, or null
     */
    public Future<TopicRecord> createPartitions(String name, int newCount, List<List<Integer>> assignments,
                                                boolean validateOnly) {
        return asController(epoch -> topics.createPartitions(epoch, name, newCount, assignments, validateOnly));
    }

    /** Changes a topic's config overrides ({@link TopicAdmin#alterConfigs}). */
    public Future<TopicRecord> alterTopicConfigs(String name, UnaryOperator<Map<String, String>> change,
                                                 boolean validateOnly) {
        return asController(epoch -> topics.alterConfigs(epoch, name, change, validateOnly));
    }

    /**
     * A leader asks to change partitions' ISRs (AlterPartition, {@link IsrChanges#alter}).
     *
     * @return one result per change, in order
     */
    public Future<List<IsrResult>> alterPartitions(int brokerId, long brokerEpoch, List<IsrChange> changes) {
        return asController(epoch -> isr.alter(epoch, brokerId, brokerEpoch, changes));
    }

    // ---- controller thread ----

    private void reconcile() {
        try {
            if (lease.round()) {
                electLeaders(lease.epoch());
            }
        } catch (RuntimeException e) {
            lease.lost(e);
        }
    }

    /** Writes the leadership {@link LeaderElection#elect} decides for every partition whose record it changes. */
    private void electLeaders(int controllerEpoch) {
        Set<Integer> live = metadata.liveBrokerIds();
        for (TopicRecord topic : metadata.topics().values()) {
            boolean unclean = LeaderElection.unclean(topic.configs(), uncleanDefault);
            for (int p = 0; p < topic.partitionCount(); p++) {
                Versioned<PartitionRecord> old = store.partition(topic.name(), p);
                if (old == null) {
                    continue;
                }
                PartitionRecord next = LeaderElection.elect(old.value(), topic.replicas().get(p), live, unclean,
                        controllerEpoch);
                if (next == old.value()) {
                    continue;
                }
                if (store.replacePartition(topic.name(), p, old, next)) {
                    LOG.log(Level.INFO, "leadership changed partition={0} leader={1} leaderEpoch={2} isr={3} controllerEpoch={4}",
                            ClusterRecords.partitionKey(topic.name(), p), next.leader(), next.leaderEpoch(), next.isr(),
                            controllerEpoch);
                } else {
                    trigger();
                }
            }
        }
    }

    /**
     * Runs {@code work} on the controller thread with this node's controller epoch; NOT_CONTROLLER when it is not the
     * controller (or the controller stopped). An ApiException fails the future as it is, any other failure as
     * UNKNOWN_SERVER_ERROR.
     */
    private <T> Future<T> asController(IntFunction<T> work) {
        Promise<T> promise = Promise.promise();
        // the future completes on the caller's context (or on the controller thread when called from outside Vert.x)
        Executor back = DelayedOperations.callerContext();
        try {
            thread.execute(() -> {
                try {
                    int epoch = lease.epoch();
                    if (epoch < 0) {
                        throw new ApiException(Errors.NOT_CONTROLLER, "Broker " + metadata.nodeId() + " is not the controller");
                    }
                    T result = work.apply(epoch);
                    back.execute(() -> promise.complete(result));
                } catch (ApiException e) {
                    back.execute(() -> promise.fail(e));
                } catch (Exception e) {
                    back.execute(() -> promise.fail(new ApiException(Errors.UNKNOWN_SERVER_ERROR, "controller: " + e)));
                }
            });
        } catch (RejectedExecutionException e) {
            promise.fail(new ApiException(Errors.NOT_CONTROLLER, "controller stopped"));
        }
        return promise.future();
    }
}
