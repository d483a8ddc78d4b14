package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.GroupMessages.LeaveMemberResult;
import io.skua.broker.group.GroupMessages.MemberIdentity;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.LeaveGroupRequestData;
import io.skua.protocol.message.LeaveGroupResponseData;
import io.skua.protocol.message.LeaveGroupResponseData.MemberResponse;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * LeaveGroup: v0-2 carry one member id, whose error becomes the top-level error; v3+ a batch of members
 * (static ones by instance id), each answered on its own.
 */
public final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequestData, LeaveGroupResponseData> {
    private final Supplier<GroupCoordinator> groups;

    public LeaveGroupHandler(Supplier<GroupCoordinator> groups) {
        this.groups = groups;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.LEAVE_GROUP;
    }

    @Override
    public Future<LeaveGroupResponseData> handle(RequestContext ctx, LeaveGroupRequestData request) {
        boolean batched = ctx.apiVersion() >= 3;
        List<MemberIdentity> leaving = new ArrayList<>();
        if (batched) {
            for (LeaveGroupRequestData.MemberIdentity m : request.members()) {
                leaving.add(new MemberIdentity(m.memberId(), m.groupInstanceId()));
            }
        } else {
            leaving.add(new MemberIdentity(request.memberId(), null));
        }
        return groups.get().leaveGroup(request.groupId(), leaving).map(r -> {
            LeaveGroupResponseData response = new LeaveGroupResponseData().setErrorCode(r.error());
            if (batched) {
                for (LeaveMemberResult m : r.members()) {
                    response.members().add(new MemberResponse().setMemberId(m.memberId())
                            .setGroupInstanceId(m.groupInstanceId()).setErrorCode(m.error()));
                }
            } else if (r.error() == Errors.NONE && !r.members().isEmpty()) {
                response.setErrorCode(r.members().get(0).error());
            }
            return response;
        });
    }
}
