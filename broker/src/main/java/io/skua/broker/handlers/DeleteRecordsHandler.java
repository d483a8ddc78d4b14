package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.partition.Partition;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.DeleteRecordsRequestData;
import io.skua.protocol.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import io.skua.protocol.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import io.skua.protocol.message.DeleteRecordsResponseData;
import io.skua.protocol.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import io.skua.protocol.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import io.skua.storage.StorageException;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * DeleteRecords: moves each partition's log start offset up to the requested offset ({@code -1}: the high watermark),
 * durably, on the partition's writer; answers the new log start as the low watermark. An offset above the high
 * watermark (or negative other than -1) is {@code OFFSET_OUT_OF_RANGE}; fetches below the new start then get
 * {@code OFFSET_OUT_OF_RANGE} too, and ListOffsets earliest returns it.
 */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequestData, DeleteRecordsResponseData> {
    /** Kafka's "delete up to the high watermark" marker. */
    static final long HIGH_WATERMARK = -1L;

    private final TopicManager topics;

    public DeleteRecordsHandler(TopicManager topics) {
        this.topics = topics;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.DELETE_RECORDS;
    }

    @Override
    public Future<DeleteRecordsResponseData> handle(RequestContext ctx, DeleteRecordsRequestData request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        List<Future<DeleteRecordsPartitionResult>> pending = new ArrayList<>();
        List<DeleteRecordsTopicResult> owners = new ArrayList<>();
        for (DeleteRecordsTopic topic : request.topics()) {
            DeleteRecordsTopicResult result = new DeleteRecordsTopicResult().setName(topic.name());
            response.topics().add(result);
            for (DeleteRecordsPartition p : topic.partitions()) {
                owners.add(result);
                pending.add(delete(topic.name(), p));
            }
        }
        return Future.join(pending).map(ignored -> {
            for (int i = 0; i < pending.size(); i++) {
                owners.get(i).partitions().add(pending.get(i).result());
            }
            return response;
        });
    }

    private Future<DeleteRecordsPartitionResult> delete(String topic, DeleteRecordsPartition p) {
        DeleteRecordsPartitionResult out = new DeleteRecordsPartitionResult()
                .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1);
        Partition partition = topics.partition(topic, p.partitionIndex());
        if (partition == null) {
            return Future.succeededFuture(out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        if (p.offset() < 0 && p.offset() != HIGH_WATERMARK) {
            return Future.succeededFuture(out.setErrorCode(Errors.OFFSET_OUT_OF_RANGE));
        }
        long offset = p.offset() == HIGH_WATERMARK ? partition.highWatermark() : p.offset();
        return partition.deleteRecordsBefore(offset).transform(ar -> Future.succeededFuture(ar.succeeded()
                ? out.setLowWatermark(ar.result())
                : out.setErrorCode(ar.cause() instanceof StorageException e ? e.errorCode()
                        : Errors.UNKNOWN_SERVER_ERROR)));
    }
}
