package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.ElectLeadersRequestData;
import io.skua.protocol.message.ElectLeadersRequestData.TopicPartitions;
import io.skua.protocol.message.ElectLeadersResponseData;
import io.skua.protocol.message.ElectLeadersResponseData.PartitionResult;
import io.skua.protocol.message.ElectLeadersResponseData.ReplicaElectionResult;

import io.vertx.core.Future;

/**
 * ElectLeaders on a single node: this broker leads every partition and is its only (so its preferred) replica, so
 * each named partition answers {@code ELECTION_NOT_NEEDED}, for preferred and unclean elections alike, as Kafka does
 * when the leader is already the preferred one. A request for all partitions (null list) reports none, as Kafka
 * leaves out partitions that needed no election. Unknown partitions answer {@code UNKNOWN_TOPIC_OR_PARTITION}.
 */
public final class ElectLeadersHandler implements ApiHandler<ElectLeadersRequestData, ElectLeadersResponseData> {
    private final TopicManager topics;

    public ElectLeadersHandler(TopicManager topics) {
        this.topics = topics;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.ELECT_LEADERS;
    }

    @Override
    public Future<ElectLeadersResponseData> handle(RequestContext ctx, ElectLeadersRequestData request) {
        ElectLeadersResponseData response = new ElectLeadersResponseData().setErrorCode(Errors.NONE);
        if (request.topicPartitions() == null) {
            return Future.succeededFuture(response);
        }
        for (TopicPartitions tp : request.topicPartitions()) {
            ReplicaElectionResult result = new ReplicaElectionResult().setTopic(tp.topic());
            for (int index : tp.partitions()) {
                boolean exists = topics.partition(tp.topic(), index) != null;
                result.partitionResult().add(new PartitionResult().setPartitionId(index)
                        .setErrorCode(exists ? Errors.ELECTION_NOT_NEEDED : Errors.UNKNOWN_TOPIC_OR_PARTITION)
                        .setErrorMessage(exists ? "Leader election not needed for topic partition."
                                : "The partition does not exist."));
            }
            response.replicaElectionResults().add(result);
        }
        return Future.succeededFuture(response);
    }
}
