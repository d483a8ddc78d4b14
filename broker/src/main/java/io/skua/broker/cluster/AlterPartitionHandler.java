package io.skua.broker.cluster;

import io.skua.broker.api.ApiException;
import io.skua.broker.api.ApiHandler;
import io.skua.broker.api.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.protocol.ApiKey;
import io.skua.protocol.Uuid;
import io.skua.protocol.message.AlterPartitionRequestData;
import io.skua.protocol.message.AlterPartitionRequestData.BrokerState;
import io.skua.protocol.message.AlterPartitionResponseData;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * AlterPartition (controller side): a partition leader asks to change the ISR (a follower caught up, or one fell
 * behind). Only the active controller answers; the change is checked against the current leader, leader epoch
 * and partition epoch (see {@link Controller#alterPartition}). Leaders send it with {@link ControllerClient}.
 */
public final class AlterPartitionHandler implements ApiHandler<AlterPartitionRequestData, AlterPartitionResponseData> {
    private final Controller controller;
    private final ClusterMetadata metadata;

    public AlterPartitionHandler(Controller controller, ClusterMetadata metadata) {
        this.controller = controller;
        this.metadata = metadata;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.ALTER_PARTITION;
    }

    @Override
    public Future<AlterPartitionResponseData> handle(RequestContext ctx, AlterPartitionRequestData request) {
        AlterPartitionResponseData response = new AlterPartitionResponseData();
        if (!controller.isActive()) {
            return Future.succeededFuture(response.setErrorCode(Errors.NOT_CONTROLLER));
        }
        List<Future<AlterPartitionResponseData.PartitionData>> pending = new ArrayList<>();
        List<AlterPartitionResponseData.TopicData> owners = new ArrayList<>();
        for (AlterPartitionRequestData.TopicData topic : request.topics()) {
            AlterPartitionResponseData.TopicData out = new AlterPartitionResponseData.TopicData().setTopicId(topic.topicId());
            response.topics().add(out);
            String name = nameOf(topic.topicId());
            for (AlterPartitionRequestData.PartitionData p : topic.partitions()) {
                owners.add(out);
                pending.add(alter(request.brokerId(), name, p, ctx.apiVersion()));
            }
        }
        return Future.join(pending).map(x -> {
            for (int i = 0; i < pending.size(); i++) {
                owners.get(i).partitions().add(pending.get(i).result());
            }
            return response;
        });
    }

    private Future<AlterPartitionResponseData.PartitionData> alter(int brokerId, String topic,
                                                                  AlterPartitionRequestData.PartitionData p,
                                                                  short version) {
        AlterPartitionResponseData.PartitionData out = new AlterPartitionResponseData.PartitionData()
                .setPartitionIndex(p.partitionIndex());
        if (topic == null) {
            return Future.succeededFuture(out.setErrorCode(Errors.UNKNOWN_TOPIC_ID));
        }
        List<Integer> newIsr = version >= 3 ? p.newIsrWithEpochs().stream().map(BrokerState::brokerId).toList()
                : p.newIsr();
        return controller.alterPartition(brokerId, topic, p.partitionIndex(), p.leaderEpoch(), p.partitionEpoch(), newIsr)
                .map(state -> out.setLeaderId(state.leader()).setLeaderEpoch(state.leaderEpoch())
                        .setIsr(state.isr()).setPartitionEpoch(state.partitionEpoch()))
                .otherwise(t -> out.setErrorCode(ApiException.codeOf(t)));
    }

    private String nameOf(Uuid id) {
        for (TopicRecord t : metadata.topics().values()) {
            if (Uuid.fromString(t.id()).equals(id)) {
                return t.name();
            }
        }
        return null;
    }
}
