package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.partition.Partition;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.DescribeProducersRequestData;
import io.skua.protocol.message.DescribeProducersRequestData.TopicRequest;
import io.skua.protocol.message.DescribeProducersResponseData;
import io.skua.protocol.message.DescribeProducersResponseData.PartitionResponse;
import io.skua.protocol.message.DescribeProducersResponseData.ProducerState;
import io.skua.protocol.message.DescribeProducersResponseData.TopicResponse;
import io.skua.storage.ActiveProducer;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * DescribeProducers: the idempotent producers each partition's storage remembers (read on the partition's writer,
 * which owns producer state): id, epoch, last sequence and last timestamp. Skua has no transactions yet, so the
 * coordinator epoch and current transaction start offset are always -1.
 */
public final class DescribeProducersHandler
        implements ApiHandler<DescribeProducersRequestData, DescribeProducersResponseData> {
    private final TopicManager topics;

    public DescribeProducersHandler(TopicManager topics) {
        this.topics = topics;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.DESCRIBE_PRODUCERS;
    }

    @Override
    public Future<DescribeProducersResponseData> handle(RequestContext ctx, DescribeProducersRequestData request) {
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        List<Future<PartitionResponse>> pending = new ArrayList<>();
        List<TopicResponse> owners = new ArrayList<>();
        for (TopicRequest topic : request.topics()) {
            TopicResponse out = new TopicResponse().setName(topic.name());
            response.topics().add(out);
            for (int index : topic.partitionIndexes()) {
                owners.add(out);
                pending.add(describe(topic.name(), index));
            }
        }
        return Future.join(pending).map(ignored -> {
            for (int i = 0; i < pending.size(); i++) {
                owners.get(i).partitions().add(pending.get(i).result());
            }
            return response;
        });
    }

    private Future<PartitionResponse> describe(String topic, int index) {
        PartitionResponse out = new PartitionResponse().setPartitionIndex(index);
        Partition partition = topics.partition(topic, index);
        if (partition == null) {
            return Future.succeededFuture(out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION)
                    .setErrorMessage("This server does not host this topic-partition."));
        }
        return partition.activeProducers().transform(ar -> {
            if (ar.failed()) {
                return Future.succeededFuture(out.setErrorCode(Errors.KAFKA_STORAGE_ERROR)
                        .setErrorMessage(ar.cause().getMessage()));
            }
            for (ActiveProducer p : ar.result()) {
                out.activeProducers().add(new ProducerState().setProducerId(p.producerId())
                        .setProducerEpoch(p.producerEpoch()).setLastSequence(p.lastSequence())
                        .setLastTimestamp(p.lastTimestamp()).setCoordinatorEpoch(-1).setCurrentTxnStartOffset(-1));
            }
            return Future.succeededFuture(out);
        });
    }
}
