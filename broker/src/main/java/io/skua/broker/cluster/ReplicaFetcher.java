package io.skua.broker.cluster;

import io.skua.broker.network.BrokerConnection;

import io.skua.protocol.Errors;
import io.skua.broker.partition.LeaderEpochCache;
import io.skua.broker.partition.Partition;
import io.skua.protocol.ApiKey;
import io.skua.protocol.MemoryRecords;
import io.skua.protocol.Uuid;
import io.skua.protocol.message.FetchRequestData;
import io.skua.protocol.message.FetchResponseData;
import io.skua.protocol.message.OffsetForLeaderEpochRequestData;
import io.skua.protocol.message.OffsetForLeaderEpochResponseData;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fetcher of one follower broker from one leader broker: a loop over one plain TCP connection to the leader's
 * Kafka listener. A partition new to the fetcher (or whose leader epoch changed) is first truncated: the follower
 * sends OffsetForLeaderEpoch with its latest epoch and cuts its log at the returned end offset (at most its own log
 * end; KIP-101/279). Then Fetch requests (v15, replica id in ReplicaState) from each partition's log end; the answer
 * is appended with {@code AppendOrigin.REPLICATION} and the leader's high watermark taken over.
 *
 * <p>Runs on the context it was started on (the {@link ReplicaManager}'s); {@link #assign} and {@link #stop} too.
 */
final class ReplicaFetcher {
    private static final System.Logger LOG = System.getLogger(ReplicaFetcher.class.getName());
    static final short FETCH_VERSION = 15;
    static final short EPOCH_VERSION = 4;
    static final int MAX_WAIT_MS = 500;
    static final int PARTITION_MAX_BYTES = 4 * 1024 * 1024;
    static final long REQUEST_TIMEOUT_MS = 10_000;
    static final long BACKOFF_MS = 200;

    /** A partition to fetch: what the metadata says now. */
    record Target(String topic, Uuid topicId, int index, Partition partition, int leaderEpoch) {
    }

    private static final class State {
        final Target target;
        boolean truncated;
        /** A partition whose last answer was an error waits until then; the others keep fetching. */
        long retryAtNanos;

        State(Target target) {
            this.target = target;
        }
    }

    private final Vertx vertx;
    private final NetClient client;
    private final int nodeId;
    private final int leaderId;
    private final String endpoint;
    /** This broker's epoch, sent with every fetch: the leader names it when it adds this broker to an ISR. */
    private final java.util.function.LongSupplier brokerEpoch;
    private final Map<String, State> partitions = new LinkedHashMap<>();
    private BrokerConnection connection;
    private boolean stopped;
    private boolean running;

    ReplicaFetcher(Vertx vertx, NetClient client, int nodeId, java.util.function.LongSupplier brokerEpoch, int leaderId,
                   String endpoint) {
        this.vertx = vertx;
        this.brokerEpoch = brokerEpoch;
        this.client = client;
        this.nodeId = nodeId;
        this.leaderId = leaderId;
        this.endpoint = endpoint;
    }

    String endpoint() {
        return endpoint;
    }

    void start() {
        LOG.log(Level.INFO, "replica fetcher started node={0} leader={1} at {2}", nodeId, leaderId, endpoint);
        loop();
    }

    void stop() {
        stopped = true;
        if (connection != null) {
            connection.close();
        }
        LOG.log(Level.INFO, "replica fetcher stopped node={0} leader={1}", nodeId, leaderId);
    }

    /** The partitions to fetch from now on; a new one, or one with another leader epoch, is truncated first. */
    void assign(Map<String, Target> targets) {
        partitions.keySet().removeIf(k -> !targets.containsKey(k));
        targets.forEach((key, t) -> {
            State s = partitions.get(key);
            if (s == null || s.target.leaderEpoch() != t.leaderEpoch() || s.target.partition() != t.partition()) {
                partitions.put(key, new State(t));
            }
        });
    }

    private void loop() {
        if (stopped || running) {
            return;
        }
        running = true;
        round().onComplete(ar -> {
            running = false;
            if (stopped) {
                return;
            }
            if (ar.failed()) {
                LOG.log(Level.DEBUG, () -> "replica fetch from " + leaderId + " failed: " + ar.cause());
                vertx.setTimer(BACKOFF_MS, t -> loop());
            } else if (Boolean.TRUE.equals(ar.result())) {
                loop();
            } else {
                vertx.setTimer(BACKOFF_MS, t -> loop());
            }
        });
    }

    /** One request round; true when the next one may follow at once. */
    private Future<Boolean> round() {
        if (partitions.isEmpty()) {
            return Future.succeededFuture(false);
        }
        return connection().compose(c -> {
            long now = System.nanoTime();
            List<State> ready = partitions.values().stream().filter(s -> s.retryAtNanos <= now).toList();
            if (ready.isEmpty()) {
                return Future.succeededFuture(false);
            }
            List<State> untruncated = ready.stream().filter(s -> !s.truncated).toList();
            return untruncated.isEmpty() ? fetch(c, ready) : truncate(c, untruncated);
        });
    }

    private Future<BrokerConnection> connection() {
        if (connection != null && !connection.isClosed()) {
            return Future.succeededFuture(connection);
        }
        int colon = endpoint.lastIndexOf(':');
        return BrokerConnection.connect(vertx, client, endpoint.substring(0, colon),
                Integer.parseInt(endpoint.substring(colon + 1)), "skua-replica-" + nodeId).onSuccess(c -> {
                    connection = c;
                    if (stopped) {
                        c.close();
                    }
                });
    }

    // ---- truncation ----

    private Future<Boolean> truncate(BrokerConnection c, List<State> states) {
        OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setReplicaId(nodeId);
        Map<String, OffsetForLeaderEpochRequestData.OffsetForLeaderTopic> byTopic = new LinkedHashMap<>();
        List<Future<Long>> local = new ArrayList<>();
        List<State> asked = new ArrayList<>();
        for (State s : states) {
            Partition p = s.target.partition();
            int latest = p.epochs().latestEpoch();
            if (latest == LeaderEpochCache.UNDEFINED_EPOCH) {
                // no epoch history: an empty log keeps nothing to cut; old data without history keeps the committed part
                State st = s;
                local.add(p.logEndOffset() == 0 ? Future.succeededFuture(0L)
                        : p.truncateTo(p.highWatermark()).onSuccess(leo -> st.truncated = true));
                if (p.logEndOffset() == 0) {
                    s.truncated = true;
                }
                continue;
            }
            byTopic.computeIfAbsent(s.target.topic(), t -> {
                var topic = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(t);
                request.topics().add(topic);
                return topic;
            }).partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                    .setPartition(s.target.index()).setCurrentLeaderEpoch(s.target.leaderEpoch()).setLeaderEpoch(latest));
            asked.add(s);
        }
        if (asked.isEmpty()) {
            return Future.join(local).map(true);
        }
        return c.<OffsetForLeaderEpochResponseData>send(ApiKey.OFFSET_FOR_LEADER_EPOCH, EPOCH_VERSION, request,
                REQUEST_TIMEOUT_MS).compose(response -> {
            Map<String, OffsetForLeaderEpochResponseData.EpochEndOffset> answers = new HashMap<>();
            for (var t : response.topics()) {
                for (var p : t.partitions()) {
                    answers.put(ClusterRecords.partitionKey(t.topic(), p.partition()), p);
                }
            }
            for (State s : asked) {
                var answer = answers.get(ClusterRecords.partitionKey(s.target.topic(), s.target.index()));
                if (answer == null || answer.errorCode() != Errors.NONE) {
                    // e.g. the leader has not seen its new epoch yet: ask again after a pause
                    s.retryAtNanos = System.nanoTime() + BACKOFF_MS * 1_000_000L;
                    continue;
                }
                Partition p = s.target.partition();
                long leo = p.logEndOffset();
                long target;
                if (answer.leaderEpoch() == LeaderEpochCache.UNDEFINED_EPOCH) {
                    target = p.highWatermark();
                } else {
                    long own = p.epochs().endOffsetFor(answer.leaderEpoch(), leo).endOffset();
                    target = Math.min(answer.endOffset(), own < 0 ? leo : own);
                }
                long to = Math.min(target, leo);
                local.add(p.truncateTo(to).onSuccess(newEnd -> {
                    s.truncated = true;
                    if (newEnd < leo) {
                        LOG.log(Level.INFO, "truncated partition={0}-{1} leaderEpoch={2} from={3} to={4}",
                                s.target.topic(), s.target.index(), s.target.leaderEpoch(), leo, newEnd);
                    }
                }));
            }
            return Future.join(local).map(true);
        });
    }

    // ---- fetch ----

    private Future<Boolean> fetch(BrokerConnection c, List<State> ready) {
        FetchRequestData request = new FetchRequestData()
                .setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(nodeId)
                        .setReplicaEpoch(brokerEpoch.getAsLong()))
                .setMaxWaitMs(MAX_WAIT_MS).setMinBytes(1).setMaxBytes(16 * 1024 * 1024)
                .setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
        Map<Uuid, FetchRequestData.FetchTopic> byTopic = new LinkedHashMap<>();
        Map<String, State> sent = new HashMap<>();
        for (State s : ready) {
            Target t = s.target;
            byTopic.computeIfAbsent(t.topicId(), id -> {
                var topic = new FetchRequestData.FetchTopic().setTopicId(id).setTopic(t.topic());
                request.topics().add(topic);
                return topic;
            }).partitions().add(new FetchRequestData.FetchPartition().setPartition(t.index())
                    .setCurrentLeaderEpoch(t.leaderEpoch()).setFetchOffset(t.partition().logEndOffset())
                    .setLogStartOffset(-1).setLastFetchedEpoch(-1).setPartitionMaxBytes(PARTITION_MAX_BYTES));
            sent.put(t.topicId() + "/" + t.index(), s);
        }
        return c.<FetchResponseData>send(ApiKey.FETCH, FETCH_VERSION, request, REQUEST_TIMEOUT_MS).compose(response -> {
            List<Future<Long>> appends = new ArrayList<>();
            boolean ok = response.errorCode() == Errors.NONE;
            if (!ok) {
                ready.forEach(s -> s.retryAtNanos = System.nanoTime() + BACKOFF_MS * 1_000_000L);
            }
            for (var topic : response.responses()) {
                for (var data : topic.partitions()) {
                    State s = sent.get(topic.topicId() + "/" + data.partitionIndex());
                    if (s == null || partitions.get(ClusterRecords.partitionKey(s.target.topic(), s.target.index())) != s) {
                        continue; // reassigned meanwhile
                    }
                    if (data.errorCode() == Errors.OFFSET_OUT_OF_RANGE) {
                        long fetched = s.target.partition().logEndOffset();
                        if (data.logStartOffset() > fetched) {
                            // behind the leader's log start (retention, DeleteRecords): start over from there
                            LOG.log(Level.INFO, "restarting log partition={0}-{1} at the leader''s log start {2}",
                                    s.target.topic(), s.target.index(), data.logStartOffset());
                            appends.add(s.target.partition().restartAt(data.logStartOffset()));
                        } else {
                            s.truncated = false; // ahead of the leader: truncate by epoch again
                        }
                        continue;
                    }
                    if (data.errorCode() != Errors.NONE) {
                        // not leader / fenced / unknown epoch: this partition waits for the metadata to move on
                        s.retryAtNanos = System.nanoTime() + BACKOFF_MS * 1_000_000L;
                        continue;
                    }
                    MemoryRecords records = data.records() instanceof MemoryRecords m ? m : MemoryRecords.EMPTY;
                    appends.add(s.target.partition().appendReplicated(records.buffer(), data.highWatermark()));
                }
            }
            boolean next = ok;
            return Future.join(appends).transform(ar -> {
                if (ar.failed()) {
                    LOG.log(Level.WARNING, "replicated append failed (leader {0}): {1}", leaderId, ar.cause().toString());
                    return Future.succeededFuture(false);
                }
                return Future.succeededFuture(next);
            });
        });
    }
}
