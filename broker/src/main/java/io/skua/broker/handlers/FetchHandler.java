package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.partition.DelayedOperations;
import io.skua.broker.partition.Partition;
import io.skua.broker.metadata.ClusterView;
import io.skua.storage.TopicMetadata;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.MemoryRecords;
import io.skua.protocol.message.FetchRequestData;
import io.skua.protocol.message.FetchRequestData.FetchPartition;
import io.skua.protocol.message.FetchRequestData.FetchTopic;
import io.skua.protocol.message.FetchResponseData;
import io.skua.protocol.message.FetchResponseData.FetchableTopicResponse;
import io.skua.protocol.message.FetchResponseData.PartitionData;
import io.skua.storage.FetchSlice;
import io.skua.storage.StorageException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * Fetch: whole batches from each partition's segment files, sent with sendfile. Waits up to
 * {@code max_wait_ms} for {@code min_bytes}, parked in the partitions' {@link DelayedOperations} and woken by appends. Fetch sessions (KIP-227) are declined
 * consistently: every answer carries session id 0, so clients keep sending full fetch requests.
 */
public final class FetchHandler implements ApiHandler<FetchRequestData, FetchResponseData> {
    private final TopicManager topics;
    private final ClusterView cluster;
    private final DelayedOperations delayed;

    public FetchHandler(TopicManager topics, ClusterView cluster, DelayedOperations delayed) {
        this.topics = topics;
        this.delayed = delayed;
        this.cluster = cluster;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.FETCH;
    }

    @Override
    public Future<FetchResponseData> handle(RequestContext ctx, FetchRequestData request) {
        Promise<FetchResponseData> promise = Promise.promise();
        long deadline = System.nanoTime() + Math.max(0, request.maxWaitMs()) * 1_000_000L;
        new Attempt(ctx, request, deadline, promise).run();
        return promise.future();
    }

    /** One fetch, retried when data arrives until min_bytes is met or max_wait_ms passes. */
    private final class Attempt {
        private final RequestContext ctx;
        private final FetchRequestData request;
        private final long deadline;
        private final Promise<FetchResponseData> promise;
        private final boolean byId;
        /** A follower's fetch (replica id >= 0): reads up to the log end and reports its progress to the leader. */
        private final int replicaId;
        /** The follower's broker epoch (Fetch v15+), or -1. */
        private final long replicaEpoch;
        /** Per source of the last run: how far it could be read before the read (to see appends missed). */
        private long[] seen;

        Attempt(RequestContext ctx, FetchRequestData request, long deadline, Promise<FetchResponseData> promise) {
            this.ctx = ctx;
            this.request = request;
            this.deadline = deadline;
            this.promise = promise;
            this.byId = ctx.apiVersion() >= 13;
            this.replicaId = ctx.apiVersion() >= 15 ? request.replicaState().replicaId() : request.replicaId();
            this.replicaEpoch = ctx.apiVersion() >= 15 ? request.replicaState().replicaEpoch() : -1;
        }

        void run() {
            List<Future<PartitionData>> reads = new ArrayList<>();
            List<FetchableTopicResponse> owners = new ArrayList<>();
            List<Partition> sources = new ArrayList<>();
            int count = 0;
            for (FetchTopic wanted : request.topics()) {
                count += wanted.partitions().size();
            }
            seen = new long[count];
            FetchResponseData response = new FetchResponseData().setSessionId(0);
            for (FetchTopic wanted : request.topics()) {
                TopicMetadata topic = byId ? topics.topic(wanted.topicId()) : topics.topic(wanted.topic());
                FetchableTopicResponse topicResponse = new FetchableTopicResponse()
                        .setTopic(wanted.topic()).setTopicId(wanted.topicId());
                response.responses().add(topicResponse);
                for (FetchPartition p : wanted.partitions()) {
                    Partition partition = topic == null ? null : topics.partition(topic.name(), p.partition());
                    owners.add(topicResponse);
                    sources.add(partition);
                    if (partition != null) {
                        seen[sources.size() - 1] = visibleEnd(partition);
                    }
                    if (topic != null && p.partition() >= 0 && p.partition() < topic.partitionCount()
                            && cluster.partitionState(topic.name(), p.partition()).leader() != cluster.nodeId()) {
                        // Clustered: clients and followers fetch from the leader.
                        reads.add(Future.succeededFuture(error(p.partition(), Errors.NOT_LEADER_OR_FOLLOWER)));
                    } else if (partition == null) {
                        reads.add(Future.succeededFuture(error(p.partition(),
                                byId && topic == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION)));
                    } else {
                        reads.add(read(topic, partition, p));
                    }
                }
            }
            Future.join(reads).onComplete(ignored -> {
                long bytes = 0;
                int budget = request.maxBytes() <= 0 ? Integer.MAX_VALUE : request.maxBytes();
                for (int i = 0; i < reads.size(); i++) {
                    PartitionData data = reads.get(i).result();
                    int size = data.records().sizeInBytes();
                    if (size > 0 && bytes > 0 && bytes + size > budget) {
                        // Over the response budget: this partition waits for the next fetch.
                        data.setRecords(MemoryRecords.EMPTY);
                        size = 0;
                    }
                    bytes += size;
                    owners.get(i).partitions().add(data);
                }
                boolean errors = reads.stream().anyMatch(r -> r.result().errorCode() != Errors.NONE);
                if (bytes >= request.minBytes() || errors || System.nanoTime() >= deadline || promise.future().isComplete()) {
                    promise.tryComplete(response);
                } else {
                    park(sources);
                }
            });
        }

        private Future<PartitionData> read(TopicMetadata topic, Partition partition, FetchPartition p) {
            int epoch = cluster.partitionState(topic.name(), p.partition()).leaderEpoch();
            if (p.currentLeaderEpoch() > epoch) {
                return Future.succeededFuture(error(p.partition(), Errors.UNKNOWN_LEADER_EPOCH));
            }
            if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() < epoch) {
                return Future.succeededFuture(error(p.partition(), Errors.FENCED_LEADER_EPOCH));
            }
            int max = Math.max(0, Math.min(p.partitionMaxBytes(), request.maxBytes() <= 0 ? Integer.MAX_VALUE : request.maxBytes()));
            Future<FetchSlice> slice = replicaId >= 0
                    // a follower's fetch offset is its log end: record it (high watermark, ISR), then read to the log end
                    ? partition.followerFetched(replicaId, replicaEpoch, p.fetchOffset())
                            .compose(v -> partition.readUpTo(p.fetchOffset(), max, Long.MAX_VALUE))
                    : partition.read(p.fetchOffset(), max);
            return slice.transform(ar -> {
                PartitionData data = new PartitionData()
                        .setPartitionIndex(p.partition())
                        .setHighWatermark(partition.highWatermark())
                        .setLastStableOffset(partition.highWatermark())
                        .setLogStartOffset(partition.logStartOffset())
                        .setPreferredReadReplica(-1);
                if (ar.succeeded()) {
                    data.setRecords(ar.result().isEmpty() ? MemoryRecords.EMPTY : ar.result());
                } else {
                    Throwable t = ar.cause();
                    data.setErrorCode(t instanceof StorageException se ? se.errorCode() : Errors.UNKNOWN_SERVER_ERROR)
                            .setRecords(MemoryRecords.EMPTY);
                }
                return Future.succeededFuture(data);
            });
        }

        /** How far this fetch may read: the log end for a follower, the high watermark for a consumer. */
        private long visibleEnd(Partition partition) {
            return replicaId >= 0 ? partition.logEndOffset() : partition.highWatermark();
        }

        /**
         * Parks the fetch in the partitions' delayed operations until one of them can be read further, stops being
         * this broker's to serve (deleted, leadership moved), or the deadline passes; then fetches once more.
         */
        private void park(List<Partition> sources) {
            long remainingMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
            List<Partition> watched = new ArrayList<>();
            for (Partition partition : sources) {
                if (partition != null && !watched.contains(partition)) {
                    watched.add(partition);
                }
            }
            delayed.await(DelayedOperations.executor(ctx.context()), watched, remainingMs, () -> changed(sources))
                    .onComplete(ignored -> run());
        }

        /** Whether a partition read last time moved on since (more data, or it is no longer served here). */
        private boolean changed(List<Partition> sources) {
            for (int i = 0; i < sources.size(); i++) {
                Partition source = sources.get(i);
                if (source != null && (visibleEnd(source) != seen[i]
                        || topics.partition(source.topic(), source.index()) != source
                        || cluster.partitionState(source.topic(), source.index()).leader() != cluster.nodeId())) {
                    return true;
                }
            }
            return false;
        }
    }

    private static PartitionData error(int partition, short code) {
        return new PartitionData()
                .setPartitionIndex(partition)
                .setErrorCode(code)
                .setHighWatermark(-1)
                .setLastStableOffset(-1)
                .setLogStartOffset(-1)
                .setPreferredReadReplica(-1)
                .setRecords(MemoryRecords.EMPTY);
    }
}
