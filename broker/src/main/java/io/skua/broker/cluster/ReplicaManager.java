package io.skua.broker.cluster;

import io.skua.broker.config.BrokerConfig;
import io.skua.broker.lifecycle.Lifecycle;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.broker.cluster.ClusterRecords.BrokerRecord;
import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.broker.partition.Partition;
import io.skua.broker.partition.PartitionRegistry;
import io.skua.broker.partition.Leadership;
import io.skua.broker.partition.ReplicaControl;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.Uuid;
import io.skua.protocol.message.AlterPartitionRequestData;
import io.skua.protocol.message.AlterPartitionResponseData;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Record replication, Kafka's way. For every partition hosted here it follows the cluster metadata:
 *
 * <ul>
 *   <li><b>leader</b>: gives the partition a {@link Leadership} for the leader epoch (which tracks each follower's log
 *   end, advances the high watermark over the ISR and decides the ISR changes) and sends the ISR changes it asks for
 *   to the controller, batched into AlterPartition requests;</li>
 *   <li><b>follower</b>: a {@link ReplicaFetcher} per leader broker truncates the log by leader epoch
 *   (OffsetForLeaderEpoch), then fetches from the log end and appends what comes back.</li>
 * </ul>
 *
 * A leader whose process stood still for {@link #FREEZE_MS} or more ({@link FreezeWatch}: SIGSTOP, a long GC pause)
 * acknowledges nothing until the controller, asked after the freeze, confirms its leader epoch; a leader that the
 * controller answers NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH (a newer epoch exists) acknowledges nothing under its
 * epoch any more (both in {@link Leadership}).
 *
 * <p>Role changes are applied on this manager's own context ({@link #reconcile}), on every metadata change and every
 * 500 ms; so are the controller's answers. Each {@link Leadership} is also touched by fetch requests on connection
 * event loops and appends on the partitions' writers, and is guarded by its own monitor.
 */
public final class ReplicaManager implements ReplicaControl, Lifecycle {
    private static final System.Logger LOG = System.getLogger(ReplicaManager.class.getName());
    static final long RECONCILE_MS = 500;
    /** v3: the ISR with each member's broker epoch (KIP-903). */
    static final short ALTER_PARTITION_VERSION = 3;
    /**
     * A stall of the whole process at least this long (SIGSTOP, a long GC pause, a stalled VM) may have outlasted
     * failure detection (FD_ALL3 5 s + VERIFY_SUSPECT2 0.5 s): leadership held before it is suspect (see
     * {@link Leadership}).
     */
    static final long FREEZE_MS = 3_000;

    private final Vertx vertx;
    private final ClusterMetadata metadata;
    private final TopicManager topics;
    private final ControllerClient controllerClient;
    private final long lagTimeMaxMs;
    private final int brokerMinIsr;
    private final FreezeWatch freezes = new FreezeWatch(FREEZE_MS);
    /** Partition key -> the leader epoch this broker last acted on (leader or follower); guarded by this. */
    private final Map<String, Integer> roles = new HashMap<>();
    /** Leader node id -> its fetcher; context only. */
    private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>();
    /** ISR changes waiting for the next AlterPartition request, and whether one is in flight; context only. */
    private final List<IsrChange> alterQueue = new ArrayList<>();
    private boolean alterRequestInFlight;
    private Context context;
    private NetClient client;
    private long timer = -1;
    private volatile boolean stopped;

    public ReplicaManager(Vertx vertx, ClusterMetadata metadata, TopicManager topics, ControllerClient controllerClient,
                          long lagTimeMaxMs, int brokerMinIsr) {
        this.vertx = vertx;
        this.metadata = metadata;
        this.topics = topics;
        this.controllerClient = controllerClient;
        this.lagTimeMaxMs = lagTimeMaxMs;
        this.brokerMinIsr = brokerMinIsr;
    }

    @Override
    public Future<Void> start() {
        context = vertx.getOrCreateContext();
        freezes.start();
        topics.partitions().onOpen(this::opened);
        client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(3_000));
        metadata.onChange(change -> {
            if (!stopped) {
                context.runOnContext(v -> reconcile());
            }
        });
        context.runOnContext(v -> {
            timer = vertx.setPeriodic(RECONCILE_MS, id -> reconcile());
            reconcile();
        });
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> stop() {
        stopped = true;
        freezes.stop();
        Future<Void> done = Future.future(p -> context.runOnContext(v -> {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            fetchers.values().forEach(ReplicaFetcher::stop);
            fetchers.clear();
            p.complete();
        }));
        return done.compose(v -> client.close());
    }

    // ---- ReplicaControl (what each partition's Leadership asks of the cluster) ----

    @Override
    public int nodeId() {
        return metadata.nodeId();
    }

    @Override
    public long brokerEpoch(int brokerId) {
        return brokerId == metadata.nodeId() ? metadata.brokerEpoch() : metadata.brokerEpoch(brokerId);
    }

    @Override
    public long replicaLagTimeMaxMs() {
        return lagTimeMaxMs;
    }

    @Override
    public long freezes() {
        return freezes.count();
    }

    @Override
    public void alterIsr(IsrChange change) {
        context.runOnContext(v -> enqueueAlter(change));
    }

    @Override
    public void execute(Runnable task) {
        context.runOnContext(v -> task.run());
    }

    @Override
    public void metadataStale() {
        metadata.startResync();
    }

    // ---- role changes (context) ----

    private void reconcile() {
        if (stopped) {
            return;
        }
        int me = metadata.nodeId();
        Map<Integer, Map<String, ReplicaFetcher.Target>> wanted = new HashMap<>();
        Set<String> hosted = new HashSet<>();
        for (TopicRecord t : metadata.topics().values()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                if (!t.replicas().get(p).contains(me)) {
                    continue;
                }
                String key = ClusterRecords.partitionKey(t.name(), p);
                PartitionRecord record = metadata.partition(t.name(), p);
                Partition partition = topics.partition(t.name(), p);
                TopicMetadata local = topics.topic(t.name());
                if (record == null || partition == null || local == null || !local.id().toString().equals(t.id())) {
                    // not published here yet, or still the copy of a deleted topic of that name; the next round sees it
                    continue;
                }
                hosted.add(key);
                if (applyRole(t, p, record, partition, local) && record.leader() >= 0) {
                    BrokerRecord leader = metadata.brokers().get(record.leader());
                    if (leader != null && metadata.isLive(leader.nodeId()) && !leader.endpoints().isEmpty()) {
                        wanted.computeIfAbsent(record.leader(), k -> new HashMap<>()).put(key,
                                new ReplicaFetcher.Target(t.name(), Uuid.fromString(t.id()), p, partition,
                                        record.leaderEpoch()));
                    }
                }
            }
        }
        synchronized (this) {
            roles.keySet().removeIf(k -> !hosted.contains(k));
        }
        // fetchers: one per leader broker, each told exactly the partitions it should fetch now
        for (var it = fetchers.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            BrokerRecord leader = metadata.brokers().get(e.getKey());
            if (!wanted.containsKey(e.getKey()) || leader == null || !e.getValue().endpoint().equals(endpointOf(leader))) {
                e.getValue().stop();
                it.remove();
            }
        }
        wanted.forEach((leaderId, targets) -> {
            ReplicaFetcher f = fetchers.get(leaderId);
            if (f == null) {
                String endpoint = endpointOf(metadata.brokers().get(leaderId));
                f = new ReplicaFetcher(vertx, client, me, metadata::brokerEpoch, leaderId, endpoint);
                fetchers.put(leaderId, f);
                f.start();
            }
            f.assign(targets);
        });
    }

    /**
     * Any thread: gives {@code partition} this broker's role as {@code record} has it: a {@link Leadership} for the
     * leader epoch (new when the epoch is), or none when another broker leads. Runs in the periodic round and, through
     * {@link PartitionRegistry#onOpen}, for a partition being opened, so that a partition is never served without the
     * role the metadata gives it. Returns true when this broker follows (the caller assigns the fetcher).
     */
    private synchronized boolean applyRole(TopicRecord t, int p, PartitionRecord record, Partition partition,
                                           TopicMetadata local) {
        String key = ClusterRecords.partitionKey(t.name(), p);
        Integer previous = roles.put(key, record.leaderEpoch());
        if (record.leader() == metadata.nodeId()) {
            Leadership leadership = partition.leadership();
            if (leadership == null || leadership.leaderEpoch() != record.leaderEpoch()) {
                leadership = new Leadership(partition, Uuid.fromString(t.id()), record.leaderEpoch(),
                        t.replicas().get(p), record.isr(), record.partitionEpoch(),
                        Leadership.effectiveMinIsr(minIsr(local), t.replicas().get(p).size()), this);
                partition.lead(leadership);
                LOG.log(Level.INFO, "leading partition={0} leaderEpoch={1} isr={2} leo={3} hw={4}", key,
                        record.leaderEpoch(), record.isr(), partition.logEndOffset(), partition.highWatermark());
            } else {
                leadership.minInsyncReplicas(minIsr(local));
            }
            leadership.onMetadata(record.isr(), record.partitionEpoch());
            leadership.maybeConfirmLeadership();
            return false;
        }
        partition.follow(); // parked acks=all requests answer NOT_LEADER_OR_FOLLOWER
        if (previous == null || previous != record.leaderEpoch()) {
            LOG.log(Level.INFO, "following partition={0} leader={1} leaderEpoch={2} leo={3}", key, record.leader(),
                    record.leaderEpoch(), partition.logEndOffset());
        }
        return true;
    }

    /** {@link PartitionRegistry#onOpen}: a hosted partition about to be served gets its role first. */
    private void opened(TopicMetadata local, Partition partition) {
        TopicRecord t = metadata.topics().get(local.name());
        PartitionRecord record = metadata.partition(local.name(), partition.index());
        if (!stopped && t != null && record != null && local.id().toString().equals(t.id())
                && partition.index() < t.partitionCount() && t.replicas().get(partition.index()).contains(metadata.nodeId())) {
            applyRole(t, partition.index(), record, partition, local);
        }
    }

    /** {@code min.insync.replicas} of the topic as this broker has its configs, else the broker default. */
    private int minIsr(TopicMetadata topic) {
        String v = topic.configs().get(BrokerConfig.MIN_INSYNC_REPLICAS);
        try {
            return v == null ? brokerMinIsr : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return brokerMinIsr;
        }
    }

    // ---- AlterPartition batching (context) ----

    private static List<AlterPartitionRequestData.BrokerState> brokerStates(IsrChange change) {
        List<AlterPartitionRequestData.BrokerState> states = new ArrayList<>();
        for (int i = 0; i < change.isr().size(); i++) {
            states.add(new AlterPartitionRequestData.BrokerState().setBrokerId(change.isr().get(i))
                    .setBrokerEpoch(change.brokerEpochs().get(i)));
        }
        return states;
    }

    private void enqueueAlter(IsrChange pending) {
        alterQueue.add(pending);
        sendAlters();
    }

    /**
     * Sends every queued ISR change in one AlterPartition request, unless one is in flight: then they wait for its
     * answer and go together in the next (after a restart, 50 partitions catching up at once make a handful of
     * requests instead of 50). Each partition still has at most one change in flight.
     */
    private void sendAlters() {
        if (alterRequestInFlight || alterQueue.isEmpty() || stopped) {
            return;
        }
        List<IsrChange> batch = new ArrayList<>(alterQueue);
        alterQueue.clear();
        alterRequestInFlight = true;
        AlterPartitionRequestData request = new AlterPartitionRequestData().setBrokerId(metadata.nodeId())
                .setBrokerEpoch(metadata.brokerEpoch());
        Map<Uuid, AlterPartitionRequestData.TopicData> byTopic = new java.util.LinkedHashMap<>();
        for (IsrChange p : batch) {
            byTopic.computeIfAbsent(p.leader().topicId(), id -> {
                AlterPartitionRequestData.TopicData td = new AlterPartitionRequestData.TopicData().setTopicId(id);
                request.topics().add(td);
                return td;
            }).partitions().add(new AlterPartitionRequestData.PartitionData().setPartitionIndex(p.leader().partition().index())
                    .setLeaderEpoch(p.leaderEpoch()).setPartitionEpoch(p.partitionEpoch())
                    .setNewIsrWithEpochs(brokerStates(p)));
        }
        controllerClient.<AlterPartitionResponseData>send(ApiKey.ALTER_PARTITION, ALTER_PARTITION_VERSION, request)
                .onComplete(ar -> {
                    alterRequestInFlight = false;
                    Map<Uuid, List<IsrChange>> pendingByTopic = new HashMap<>();
                    for (IsrChange p : batch) {
                        pendingByTopic.computeIfAbsent(p.leader().topicId(), k -> new ArrayList<>()).add(p);
                    }
                    if (ar.failed() || ar.result().errorCode() != Errors.NONE) {
                        short error = ar.failed() ? ApiException.codeOf(ar.cause()) : ar.result().errorCode();
                        batch.forEach(p -> p.leader().isrChangeDone(p, error));
                    } else {
                        // answers come per topic and partition in the order asked
                        for (AlterPartitionResponseData.TopicData td : ar.result().topics()) {
                            List<IsrChange> asked = pendingByTopic.getOrDefault(td.topicId(), List.of());
                            for (int i = 0; i < td.partitions().size() && i < asked.size(); i++) {
                                var answer = td.partitions().get(i);
                                IsrChange p = asked.get(i);
                                p.leader().isrChangeDone(p, answer.partitionIndex() == p.leader().partition().index()
                                        ? answer.errorCode() : Errors.UNKNOWN_SERVER_ERROR);
                            }
                            pendingByTopic.remove(td.topicId());
                        }
                        // (a partition the controller did not answer for is free to ask again)
                        pendingByTopic.values().forEach(l -> l.forEach(p -> p.leader().isrChangeDone(p, Errors.UNKNOWN_SERVER_ERROR)));
                    }
                    if (batch.size() > 1) {
                        LOG.log(Level.DEBUG, () -> "alter partition batch size=" + batch.size());
                    }
                    sendAlters();
                });
    }

    private static String endpointOf(BrokerRecord b) {
        var e = b.endpoints().get(0);
        return e.host() + ":" + e.port();
    }
}
