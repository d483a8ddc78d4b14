package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.ListPartitionReassignmentsRequestData;
import io.skua.protocol.message.ListPartitionReassignmentsResponseData;
import io.vertx.core.Future;

/**
 * ListPartitionReassignments: a single node never reassigns replicas, so none is ever in progress: an empty list,
 * whatever topics are asked about (Kafka also lists only ongoing reassignments).
 */
public final class ListPartitionReassignmentsHandler
        implements ApiHandler<ListPartitionReassignmentsRequestData, ListPartitionReassignmentsResponseData> {

    @Override
    public ApiKey apiKey() {
        return ApiKey.LIST_PARTITION_REASSIGNMENTS;
    }

    @Override
    public Future<ListPartitionReassignmentsResponseData> handle(RequestContext ctx,
                                                                 ListPartitionReassignmentsRequestData request) {
        return Future.succeededFuture(new ListPartitionReassignmentsResponseData().setErrorCode(Errors.NONE));
    }
}
