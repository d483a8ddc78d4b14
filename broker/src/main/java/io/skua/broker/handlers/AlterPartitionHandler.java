package io.skua.broker.handlers;

import io.skua.broker.cluster.ClusterMetadata;
import io.skua.broker.cluster.Controller;
import io.skua.broker.cluster.ControllerClient;
import io.skua.broker.cluster.IsrChanges;

import io.skua.protocol.ApiException;
import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
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
 * and partition epoch (see {@link IsrChanges}), each partition answered on its own. Leaders send it
 * with {@link ControllerClient}, batching the changes pending at the time.
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
        // Every partition of the request goes to the controller in one call (one pass, one batch of writes).
        List<IsrChanges.IsrChange> changes = new ArrayList<>();
        List<AlterPartitionResponseData.PartitionData> answers = new ArrayList<>();
        for (AlterPartitionRequestData.TopicData topic : request.topics()) {
            AlterPartitionResponseData.TopicData out = new AlterPartitionResponseData.TopicData().setTopicId(topic.topicId());
            response.topics().add(out);
            String name = nameOf(topic.topicId());
            for (AlterPartitionRequestData.PartitionData p : topic.partitions()) {
                AlterPartitionResponseData.PartitionData answer = new AlterPartitionResponseData.PartitionData()
                        .setPartitionIndex(p.partitionIndex());
                out.partitions().add(answer);
                if (name == null) {
                    answer.setErrorCode(Errors.UNKNOWN_TOPIC_ID);
                    continue;
                }
                List<Integer> newIsr = ctx.apiVersion() >= 3
                        ? p.newIsrWithEpochs().stream().map(BrokerState::brokerId).toList() : p.newIsr();
                List<Long> epochs = ctx.apiVersion() >= 3
                        ? p.newIsrWithEpochs().stream().map(BrokerState::brokerEpoch).toList()
                        : newIsr.stream().map(id -> -1L).toList();
                changes.add(new IsrChanges.IsrChange(name, p.partitionIndex(), p.leaderEpoch(), p.partitionEpoch(), newIsr,
                        epochs));
                answers.add(answer);
            }
        }
        if (changes.isEmpty()) {
            return Future.succeededFuture(response);
        }
        return controller.alterPartitions(request.brokerId(), request.brokerEpoch(), changes).transform(ar -> {
            if (ar.failed() && (ApiException.codeOf(ar.cause()) == Errors.STALE_BROKER_EPOCH
                    || ApiException.codeOf(ar.cause()) == Errors.NOT_CONTROLLER)) {
                // about the request as a whole (Kafka answers these at the top level)
                response.topics().clear();
                return Future.succeededFuture(response.setErrorCode(ApiException.codeOf(ar.cause())));
            }
            for (int i = 0; i < answers.size(); i++) {
                AlterPartitionResponseData.PartitionData answer = answers.get(i);
                if (ar.failed()) {
                    answer.setErrorCode(ApiException.codeOf(ar.cause()));
                    continue;
                }
                IsrChanges.IsrResult r = ar.result().get(i);
                if (r.error() != Errors.NONE) {
                    answer.setErrorCode(r.error());
                } else {
                    answer.setLeaderId(r.state().leader()).setLeaderEpoch(r.state().leaderEpoch())
                            .setIsr(r.state().isr()).setPartitionEpoch(r.state().partitionEpoch());
                }
            }
            return Future.succeededFuture(response);
        });
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
