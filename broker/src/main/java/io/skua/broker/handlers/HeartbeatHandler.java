package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.broker.api.RequestContext;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.GroupMessages.HeartbeatRequest;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.HeartbeatRequestData;
import io.skua.protocol.message.HeartbeatResponseData;
import io.vertx.core.Future;
import java.util.function.Supplier;

/** Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
public final class HeartbeatHandler implements ApiHandler<HeartbeatRequestData, HeartbeatResponseData> {
    private final Supplier<GroupCoordinator> groups;

    public HeartbeatHandler(Supplier<GroupCoordinator> groups) {
        this.groups = groups;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.HEARTBEAT;
    }

    @Override
    public Future<HeartbeatResponseData> handle(RequestContext ctx, HeartbeatRequestData request) {
        return groups.get().heartbeat(new HeartbeatRequest(request.groupId(), request.generationId(),
                        request.memberId(), request.groupInstanceId()))
                .map(error -> new HeartbeatResponseData().setErrorCode(error));
    }
}
