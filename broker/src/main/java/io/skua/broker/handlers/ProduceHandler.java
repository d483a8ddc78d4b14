package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.partition.Appends;
import io.skua.broker.partition.DelayedOperations;
import io.skua.broker.partition.Partition;
import io.skua.broker.partition.Replication;
import io.skua.broker.partition.PartitionState;
import io.skua.broker.metadata.ClusterView;
import io.skua.storage.TopicMetadata;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.metadata.TopicNames;
import io.skua.protocol.ApiKey;
import io.skua.protocol.MemoryRecords;
import io.skua.protocol.message.ProduceRequestData;
import io.skua.protocol.message.ProduceRequestData.PartitionProduceData;
import io.skua.protocol.message.ProduceRequestData.TopicProduceData;
import io.skua.protocol.message.ProduceResponseData;
import io.skua.protocol.message.ProduceResponseData.PartitionProduceResponse;
import io.skua.protocol.message.ProduceResponseData.TopicProduceResponse;
import io.skua.storage.AppendResult;
import io.skua.storage.StorageException;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Produce: hands each partition's batches, as they arrived, to the partition's writer (one task per I/O thread for
 * the whole request, see {@link Appends}). Records are never decoded here; storage validates batch headers and CRCs
 * and assigns offsets in place. Advertised from version 0 because librdkafka requires it (KAFKA-18659); versions
 * 0-2 are refused by the dispatcher.
 */
public final class ProduceHandler implements ApiHandler<ProduceRequestData, ProduceResponseData> {
    private final TopicManager topics;
    private final ClusterView cluster;
    private final Replication replication;

    public ProduceHandler(TopicManager topics, ClusterView cluster, Replication replication) {
        this.topics = topics;
        this.cluster = cluster;
        this.replication = replication;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.PRODUCE;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public Future<ProduceResponseData> handle(RequestContext ctx, ProduceRequestData request) {
        short acks = request.acks();
        boolean byId = ctx.apiVersion() >= 13;
        List<Future<PartitionProduceResponse>> pending = new ArrayList<>();
        List<TopicProduceResponse> owners = new ArrayList<>();
        ProduceResponseData response = new ProduceResponseData();
        Appends appends = new Appends(ctx.context());
        for (TopicProduceData topicData : request.topicData()) {
            TopicMetadata topic = byId ? topics.topic(topicData.topicId()) : topics.topic(topicData.name());
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            response.responses().add(topicResponse);
            for (PartitionProduceData data : topicData.partitionData()) {
                Future<PartitionProduceResponse> answer;
                if (acks != 0 && acks != 1 && acks != -1) {
                    answer = Future.succeededFuture(error(data.index(), Errors.INVALID_REQUIRED_ACKS, "acks must be 0, 1 or -1"));
                } else if (request.transactionalId() != null) {
                    answer = Future.succeededFuture(error(data.index(), Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                            "transactions are not supported by this broker"));
                } else if (topic != null && TopicNames.isInternal(topic.name())) {
                    // the coordinators' own logs: a client record there could make a partition unreadable
                    answer = Future.succeededFuture(error(data.index(), Errors.INVALID_TOPIC_EXCEPTION,
                            "Cannot append to internal topic " + topic.name()));
                } else if (topic == null) {
                    answer = Future.succeededFuture(error(data.index(),
                            byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION, null));
                } else {
                    answer = append(ctx, appends, topic, data, acks, request.timeoutMs());
                }
                pending.add(answer);
                owners.add(topicResponse);
            }
        }
        appends.submit();
        if (acks == 0) {
            // No answer, but complete only once the appends are done: the records are views of the request frame,
            // which the connection releases on completion (and the wait bounds the appends in flight per client).
            return Future.join(pending).map(ignored -> null);
        }
        return Future.join(pending).map(ignored -> {
            for (int i = 0; i < pending.size(); i++) {
                owners.get(i).partitionResponses().add(pending.get(i).result());
            }
            return response;
        });
    }

    private Future<PartitionProduceResponse> append(RequestContext ctx, Appends appends, TopicMetadata topic,
                                                    PartitionProduceData data, short acks, int timeoutMs) {
        if (data.index() >= 0 && data.index() < topic.partitionCount()
                && cluster.partitionState(topic.name(), data.index()).leader() != cluster.nodeId()) {
            // Clustered: another broker (or nobody, during an election) leads this partition.
            return Future.succeededFuture(error(data.index(), Errors.NOT_LEADER_OR_FOLLOWER, null));
        }
        Partition partition = topics.partition(topic.name(), data.index());
        if (partition == null) {
            return Future.succeededFuture(error(data.index(), Errors.UNKNOWN_TOPIC_OR_PARTITION, null));
        }
        if (replication.deposed(topic.name(), data.index())) {
            // the controller refused this broker's leader epoch (it stood still meanwhile): not the leader any more
            return Future.succeededFuture(error(data.index(), Errors.NOT_LEADER_OR_FOLLOWER,
                    "this broker's leadership was fenced by a newer leader epoch"));
        }
        if (!(data.records() instanceof MemoryRecords records) || records.sizeInBytes() == 0) {
            return Future.succeededFuture(error(data.index(), Errors.INVALID_RECORD, "no record batches"));
        }
        PartitionState state = cluster.partitionState(topic.name(), data.index());
        int leaderEpoch = state.leaderEpoch();
        int minIsr = Replication.effectiveMinIsr(replication.minInsyncReplicas(topic), state.replicas().size());
        if (acks == -1 && state.isr().size() < minIsr) {
            return Future.succeededFuture(error(data.index(), Errors.NOT_ENOUGH_REPLICAS, "The size of the current ISR "
                    + state.isr() + " is insufficient to satisfy the min.isr requirement of " + minIsr));
        }
        long deadline = System.nanoTime() + Math.max(0, timeoutMs) * 1_000_000L;
        return appends.add(partition, records.buffer(), leaderEpoch).transform(ar -> {
            if (ar.succeeded()) {
                AppendResult r = ar.result();
                PartitionProduceResponse ok = new PartitionProduceResponse()
                        .setIndex(data.index())
                        .setBaseOffset(r.firstOffset())
                        .setLogAppendTimeMs(r.logAppendTime())
                        .setLogStartOffset(r.logStartOffset());
                replication.leaderAppended(topic.name(), data.index());
                if (acks != -1 || partition.soleReplica()) {
                    return Future.succeededFuture(ok);
                }
                return awaitCommit(ctx, topic.name(), partition, leaderEpoch, r.lastOffset() + 1, minIsr, deadline, ok);
            }
            Throwable t = ar.cause();
            short code = t instanceof StorageException se ? se.errorCode() : Errors.UNKNOWN_SERVER_ERROR;
            return Future.succeededFuture(error(data.index(), code, t.getMessage()));
        });
    }

    /**
     * acks=all: parks the request in the partition's delayed operations until the high watermark passes the batch
     * (every ISR member has it) or leadership moves, re-checked on every change of the partition; then answers
     * NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR is below the effective minimum, NOT_LEADER_OR_FOLLOWER if leadership
     * moved, REQUEST_TIMED_OUT when the request's timeout passes first.
     */
    private Future<PartitionProduceResponse> awaitCommit(RequestContext ctx, String topic, Partition partition,
                                                         int leaderEpoch, long endOffset, int minIsr, long deadline,
                                                         PartitionProduceResponse ok) {
        long remainingMs = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
        return partition.await(DelayedOperations.executor(ctx.context()), remainingMs,
                () -> !leads(topic, partition, leaderEpoch) || partition.highWatermark() >= endOffset).map(held -> {
                    PartitionState state = cluster.partitionState(topic, partition.index());
                    if (!leads(topic, partition, leaderEpoch)) {
                        return error(ok.index(), Errors.NOT_LEADER_OR_FOLLOWER, "leadership moved while waiting for replicas");
                    } else if (!held) {
                        return error(ok.index(), Errors.REQUEST_TIMED_OUT, "not replicated to the ISR in time");
                    } else if (state.isr().size() < minIsr) {
                        return error(ok.index(), Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                                "The ISR " + state.isr() + " shrank below min.insync.replicas " + minIsr);
                    }
                    return ok;
                });
    }

    private boolean leads(String topic, Partition partition, int leaderEpoch) {
        PartitionState state = cluster.partitionState(topic, partition.index());
        return state.leader() == cluster.nodeId() && state.leaderEpoch() == leaderEpoch
                && !replication.deposed(topic, partition.index());
    }

    private static PartitionProduceResponse error(int index, short code, String message) {
        return new PartitionProduceResponse()
                .setIndex(index)
                .setErrorCode(code)
                .setErrorMessage(message)
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1);
    }
}
