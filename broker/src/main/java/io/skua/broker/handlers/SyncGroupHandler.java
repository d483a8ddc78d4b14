package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.broker.api.RequestContext;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.GroupMessages.SyncRequest;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.SyncGroupRequestData;
import io.skua.protocol.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import io.skua.protocol.message.SyncGroupResponseData;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** SyncGroup: protocol type and name are checked from v5 on (passed as null before). */
public final class SyncGroupHandler implements ApiHandler<SyncGroupRequestData, SyncGroupResponseData> {
    private final Supplier<GroupCoordinator> groups;

    public SyncGroupHandler(Supplier<GroupCoordinator> groups) {
        this.groups = groups;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.SYNC_GROUP;
    }

    @Override
    public Future<SyncGroupResponseData> handle(RequestContext ctx, SyncGroupRequestData request) {
        boolean v5 = ctx.apiVersion() >= 5;
        Map<String, byte[]> assignments = new LinkedHashMap<>();
        for (SyncGroupRequestAssignment a : request.assignments()) {
            assignments.put(a.memberId(), a.assignment());
        }
        SyncRequest sync = new SyncRequest(request.groupId(), request.generationId(), request.memberId(),
                request.groupInstanceId(), v5 ? request.protocolType() : null, v5 ? request.protocolName() : null,
                assignments);
        return groups.get().syncGroup(sync).map(r -> new SyncGroupResponseData()
                .setErrorCode(r.error())
                .setProtocolType(r.protocolType())
                .setProtocolName(r.protocolName())
                .setAssignment(r.assignment()));
    }
}
