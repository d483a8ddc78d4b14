package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.partition.Partition;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.ListOffsetsRequestData;
import io.skua.protocol.message.ListOffsetsRequestData.ListOffsetsPartition;
import io.skua.protocol.message.ListOffsetsRequestData.ListOffsetsTopic;
import io.skua.protocol.message.ListOffsetsResponseData;
import io.skua.protocol.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import io.skua.protocol.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import io.skua.storage.TimestampOffset;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ListOffsets: -1 latest (the high watermark), -2 earliest (log start), -3 the record with the largest
 * timestamp, -4 earliest local (= earliest here), and otherwise the first offset whose timestamp is at or
 * after the target.
 */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequestData, ListOffsetsResponseData> {
    static final long LATEST = -1;
    static final long EARLIEST = -2;
    static final long MAX_TIMESTAMP = -3;

    private final TopicManager topics;
    private final ClusterView cluster;

    public ListOffsetsHandler(TopicManager topics, ClusterView cluster) {
        this.topics = topics;
        this.cluster = cluster;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.LIST_OFFSETS;
    }

    @Override
    public Future<ListOffsetsResponseData> handle(RequestContext ctx, ListOffsetsRequestData request) {
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        List<Future<ListOffsetsPartitionResponse>> pending = new ArrayList<>();
        List<ListOffsetsTopicResponse> owners = new ArrayList<>();
        for (ListOffsetsTopic topic : request.topics()) {
            ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            response.topics().add(topicResponse);
            for (ListOffsetsPartition p : topic.partitions()) {
                owners.add(topicResponse);
                pending.add(answer(topic.name(), p));
            }
        }
        return Future.join(pending).map(ignored -> {
            for (int i = 0; i < pending.size(); i++) {
                owners.get(i).partitions().add(pending.get(i).result());
            }
            return response;
        });
    }

    private Future<ListOffsetsPartitionResponse> answer(String topic, ListOffsetsPartition p) {
        ListOffsetsPartitionResponse out = new ListOffsetsPartitionResponse()
                .setPartitionIndex(p.partitionIndex()).setTimestamp(-1).setOffset(-1);
        var meta = topics.topic(topic);
        if (meta != null && p.partitionIndex() >= 0 && p.partitionIndex() < meta.partitionCount()
                && cluster.partitionState(topic, p.partitionIndex()).leader() != cluster.nodeId()) {
            return Future.succeededFuture(out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER));
        }
        Partition partition = topics.partition(topic, p.partitionIndex());
        if (partition == null) {
            return Future.succeededFuture(out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        int epoch = cluster.partitionState(topic, p.partitionIndex()).leaderEpoch();
        if (p.currentLeaderEpoch() > epoch) {
            return Future.succeededFuture(out.setErrorCode(Errors.UNKNOWN_LEADER_EPOCH));
        }
        if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() < epoch) {
            return Future.succeededFuture(out.setErrorCode(Errors.FENCED_LEADER_EPOCH));
        }
        out.setLeaderEpoch(epoch);
        long ts = p.timestamp();
        if (ts == LATEST) {
            return Future.succeededFuture(out.setOffset(partition.highWatermark()));
        }
        if (ts == MAX_TIMESTAMP) {
            return partition.maxTimestampOffset().map(found -> fill(out, found));
        }
        if (ts < 0) {
            return Future.succeededFuture(out.setOffset(partition.logStartOffset()));
        }
        return partition.offsetForTimestamp(ts).map(found -> fill(out, found));
    }

    private static ListOffsetsPartitionResponse fill(ListOffsetsPartitionResponse out, Optional<TimestampOffset> found) {
        found.ifPresent(f -> out.setOffset(f.offset()).setTimestamp(f.timestamp()));
        return out;
    }
}
