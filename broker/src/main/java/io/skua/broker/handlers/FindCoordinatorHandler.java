package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.GroupMessages.CoordinatorResult;
import io.skua.broker.group.OffsetsTopicLog;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.Node;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.FindCoordinatorRequestData;
import io.skua.protocol.message.FindCoordinatorResponseData;
import io.skua.protocol.message.FindCoordinatorResponseData.Coordinator;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * FindCoordinator: v0-3 carry one key, v4+ a batch. Group keys are served by this node once their
 * {@code __consumer_offsets} partition is being loaded or served (single node: it leads every partition);
 * transaction keys answer COORDINATOR_NOT_AVAILABLE until there is a transaction coordinator.
 */
public final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequestData, FindCoordinatorResponseData> {
    private final Supplier<GroupCoordinator> groups;
    private final ClusterView cluster;

    public FindCoordinatorHandler(Supplier<GroupCoordinator> groups, ClusterView cluster) {
        this.groups = groups;
        this.cluster = cluster;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.FIND_COORDINATOR;
    }

    @Override
    public Future<FindCoordinatorResponseData> handle(RequestContext ctx, FindCoordinatorRequestData request) {
        boolean batched = ctx.apiVersion() >= 4;
        List<String> keys = batched ? request.coordinatorKeys() : Collections.singletonList(request.key());
        byte keyType = request.keyType();
        Future<List<Coordinator>> answers;
        GroupCoordinator coordinator = groups.get();
        if (keyType == GroupCoordinator.KEY_TYPE_TRANSACTION || coordinator == null) {
            List<Coordinator> out = new ArrayList<>();
            String why = coordinator == null ? "The group coordinator is still starting."
                    : "No transaction coordinator on this broker";
            for (String key : keys) {
                out.add(failed(key, Errors.COORDINATOR_NOT_AVAILABLE, why));
            }
            answers = Future.succeededFuture(out);
        } else {
            answers = coordinator.findCoordinator(keyType, keys).map(results -> {
                List<Coordinator> out = new ArrayList<>(results.size());
                for (CoordinatorResult r : results) {
                    out.add(answer(ctx, r));
                }
                return out;
            });
        }
        return answers.map(coordinators -> {
            FindCoordinatorResponseData response = new FindCoordinatorResponseData();
            if (batched) {
                return response.setCoordinators(coordinators);
            }
            Coordinator c = coordinators.get(0);
            return response.setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage())
                    .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
        });
    }

    private Coordinator answer(RequestContext ctx, CoordinatorResult r) {
        if (r.error() == Errors.NOT_COORDINATOR) {
            // Clustered: the coordinator is the leader of the group's offsets partition, if that is another live broker.
            int leader = cluster.partitionState(OffsetsTopicLog.TOPIC, r.partition()).leader();
            if (leader >= 0 && leader != cluster.nodeId()) {
                for (Node node : cluster.liveBrokers(ctx.listenerName())) {
                    if (node.id() == leader) {
                        return new Coordinator().setKey(r.key()).setNodeId(node.id()).setHost(node.host())
                                .setPort(node.port());
                    }
                }
            }
            // not (yet) loading its partition here: clients look again later
            return failed(r.key(), Errors.COORDINATOR_NOT_AVAILABLE, "The coordinator is not available.");
        }
        if (r.error() != Errors.NONE) {
            return failed(r.key(), r.error(), null);
        }
        for (Node node : cluster.liveBrokers(ctx.listenerName())) {
            if (node.id() == cluster.nodeId()) {
                return new Coordinator().setKey(r.key()).setNodeId(node.id()).setHost(node.host()).setPort(node.port());
            }
        }
        return failed(r.key(), Errors.COORDINATOR_NOT_AVAILABLE, "No endpoint for listener " + ctx.listenerName());
    }

    private static Coordinator failed(String key, short error, String message) {
        return new Coordinator().setKey(key == null ? "" : key).setErrorCode(error).setErrorMessage(message)
                .setNodeId(-1).setHost("").setPort(-1);
    }
}
