package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.GroupMessages.DescribedGroup;
import io.skua.broker.group.GroupMessages.DescribedMember;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.DescribeGroupsRequestData;
import io.skua.protocol.message.DescribeGroupsResponseData;
import io.skua.protocol.message.DescribeGroupsResponseData.DescribedGroupMember;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * DescribeGroups: members with metadata and assignments while Stable; an unknown group is "Dead" (NONE before v6,
 * GROUP_ID_NOT_FOUND from v6). Authorized operations are not computed (no authorizer): the field keeps its
 * "not requested" default.
 */
public final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequestData, DescribeGroupsResponseData> {
    private final Supplier<GroupCoordinator> groups;

    public DescribeGroupsHandler(Supplier<GroupCoordinator> groups) {
        this.groups = groups;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.DESCRIBE_GROUPS;
    }

    @Override
    public Future<DescribeGroupsResponseData> handle(RequestContext ctx, DescribeGroupsRequestData request) {
        return groups.get().describeGroups(request.groups(), ctx.apiVersion()).map(described -> {
            DescribeGroupsResponseData response = new DescribeGroupsResponseData();
            for (DescribedGroup g : described) {
                DescribeGroupsResponseData.DescribedGroup out = new DescribeGroupsResponseData.DescribedGroup()
                        .setErrorCode(g.error())
                        .setErrorMessage(g.error() == Errors.GROUP_ID_NOT_FOUND
                                ? "Group " + g.groupId() + " not found." : null)
                        .setGroupId(g.groupId())
                        .setGroupState(g.state())
                        .setProtocolType(g.protocolType())
                        .setProtocolData(g.protocolData());
                for (DescribedMember m : g.members()) {
                    out.members().add(new DescribedGroupMember()
                            .setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId())
                            .setClientId(m.clientId()).setClientHost(m.clientHost())
                            .setMemberMetadata(m.metadata()).setMemberAssignment(m.assignment()));
                }
                response.groups().add(out);
            }
            return response;
        });
    }
}
