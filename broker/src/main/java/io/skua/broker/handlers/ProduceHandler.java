package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.partition.Appends;
import io.skua.broker.partition.Partition;
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
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Produce: validates the request, then hands each partition's batches, as they arrived, to the partition layer
 * ({@link Appends}: the leader checks, one append task per I/O thread for the whole request, the acks=all wait) and
 * turns the outcomes into the response. Records are never decoded here; storage validates batch headers and CRCs
 * and assigns offsets in place. Advertised from version 0 because librdkafka requires it (KAFKA-18659); versions
 * 0-2 are refused by the dispatcher.
 */
public final class ProduceHandler implements ApiHandler<ProduceRequestData, ProduceResponseData> {
    private final TopicManager topics;

    public ProduceHandler(TopicManager topics) {
        this.topics = topics;
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
        Appends appends = new Appends(ctx.context(), acks, request.timeoutMs());
        for (TopicProduceData topicData : request.topicData()) {
            TopicMetadata topic = byId ? topics.topic(topicData.topicId()) : topics.topic(topicData.name());
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            response.responses().add(topicResponse);
            for (PartitionProduceData data : topicData.partitionData()) {
                Partition partition = topic == null ? null : topics.partition(topic.name(), data.index());
                PartitionProduceResponse refused = validate(request, byId, topic, partition, data);
                ByteBuffer batches = data.records() instanceof MemoryRecords records ? records.buffer() : null;
                pending.add(refused != null ? Future.succeededFuture(refused) : appends.add(partition, batches)
                        .transform(ar -> Future.succeededFuture(answer(data.index(), ar.result(), ar.cause()))));
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

    /**
     * The answer for a partition the request cannot append to, or null when it goes to the partition layer (which
     * checks leadership, then that there are record batches).
     */
    private PartitionProduceResponse validate(ProduceRequestData request, boolean byId, TopicMetadata topic,
                                              Partition partition, PartitionProduceData data) {
        short acks = request.acks();
        if (acks != 0 && acks != 1 && acks != -1) {
            return error(data.index(), Errors.INVALID_REQUIRED_ACKS, "acks must be 0, 1 or -1");
        } else if (request.transactionalId() != null) {
            return error(data.index(), Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
                    "transactions are not supported by this broker");
        } else if (topic != null && TopicNames.isInternal(topic.name())) {
            // the coordinators' own logs: a client record there could make a partition unreadable
            return error(data.index(), Errors.INVALID_TOPIC_EXCEPTION, "Cannot append to internal topic " + topic.name());
        } else if (topic == null) {
            return error(data.index(), byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
        } else if (data.index() < 0 || data.index() >= topic.partitionCount()) {
            return error(data.index(), Errors.UNKNOWN_TOPIC_OR_PARTITION, null);
        } else if (partition == null) {
            // clustered: this broker hosts no replica of the partition
            return error(data.index(), Errors.NOT_LEADER_OR_FOLLOWER, null);
        }
        return null;
    }

    private static PartitionProduceResponse answer(int index, AppendResult r, Throwable failure) {
        if (failure == null) {
            return new PartitionProduceResponse()
                    .setIndex(index)
                    .setBaseOffset(r.firstOffset())
                    .setLogAppendTimeMs(r.logAppendTime())
                    .setLogStartOffset(r.logStartOffset());
        }
        short code = failure instanceof StorageException se ? se.errorCode() : ApiException.codeOf(failure);
        return error(index, code, failure.getMessage());
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
