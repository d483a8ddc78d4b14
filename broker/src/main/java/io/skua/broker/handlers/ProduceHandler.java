package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.broker.api.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.log.Partition;
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
 * Produce: hands each partition's batches, as they arrived, to the partition's writer. Records are never
 * decoded here; storage validates batch headers and CRCs and assigns offsets in place. Advertised from
 * version 0 because librdkafka requires it (KAFKA-18659); versions 0-2 are refused by the dispatcher.
 */
public final class ProduceHandler implements ApiHandler<ProduceRequestData, ProduceResponseData> {
    private final TopicManager topics;
    private final ClusterView cluster;

    public ProduceHandler(TopicManager topics, ClusterView cluster) {
        this.topics = topics;
        this.cluster = cluster;
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
                    answer = append(topic, data);
                }
                pending.add(answer);
                owners.add(topicResponse);
            }
        }
        if (acks == 0) {
            return Future.succeededFuture(null);
        }
        return Future.join(pending).map(ignored -> {
            for (int i = 0; i < pending.size(); i++) {
                owners.get(i).partitionResponses().add(pending.get(i).result());
            }
            return response;
        });
    }

    private Future<PartitionProduceResponse> append(TopicMetadata topic, PartitionProduceData data) {
        if (data.index() >= 0 && data.index() < topic.partitionCount()
                && cluster.partitionState(topic.name(), data.index()).leader() != cluster.nodeId()) {
            // Clustered: another broker (or nobody, during an election) leads this partition.
            return Future.succeededFuture(error(data.index(), Errors.NOT_LEADER_OR_FOLLOWER, null));
        }
        Partition partition = topics.partition(topic.name(), data.index());
        if (partition == null) {
            return Future.succeededFuture(error(data.index(), Errors.UNKNOWN_TOPIC_OR_PARTITION, null));
        }
        if (!(data.records() instanceof MemoryRecords records) || records.sizeInBytes() == 0) {
            return Future.succeededFuture(error(data.index(), Errors.INVALID_RECORD, "no record batches"));
        }
        int leaderEpoch = cluster.partitionState(topic.name(), data.index()).leaderEpoch();
        return partition.append(records.buffer(), leaderEpoch).transform(ar -> {
            if (ar.succeeded()) {
                AppendResult r = ar.result();
                return Future.succeededFuture(new PartitionProduceResponse()
                        .setIndex(data.index())
                        .setBaseOffset(r.firstOffset())
                        .setLogAppendTimeMs(r.logAppendTime())
                        .setLogStartOffset(r.logStartOffset()));
            }
            Throwable t = ar.cause();
            short code = t instanceof StorageException se ? se.errorCode() : Errors.UNKNOWN_SERVER_ERROR;
            return Future.succeededFuture(error(data.index(), code, t.getMessage()));
        });
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
