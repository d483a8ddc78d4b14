package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.broker.api.RequestContext;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.GroupMessages.ListedGroup;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.ListGroupsRequestData;
import io.skua.protocol.message.ListGroupsResponseData;
import io.vertx.core.Future;
import java.util.HashSet;
import java.util.function.Supplier;

/** ListGroups: v4+ filter by state, v5+ by type (only "classic" groups exist here). */
public final class ListGroupsHandler implements ApiHandler<ListGroupsRequestData, ListGroupsResponseData> {
    private final Supplier<GroupCoordinator> groups;

    public ListGroupsHandler(Supplier<GroupCoordinator> groups) {
        this.groups = groups;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.LIST_GROUPS;
    }

    @Override
    public Future<ListGroupsResponseData> handle(RequestContext ctx, ListGroupsRequestData request) {
        return groups.get().listGroups(new HashSet<>(request.statesFilter()), new HashSet<>(request.typesFilter()))
                .map(r -> {
                    ListGroupsResponseData response = new ListGroupsResponseData().setErrorCode(r.error());
                    for (ListedGroup g : r.groups()) {
                        response.groups().add(new ListGroupsResponseData.ListedGroup()
                                .setGroupId(g.groupId()).setProtocolType(g.protocolType())
                                .setGroupState(g.state()).setGroupType(g.groupType()));
                    }
                    return response;
                });
    }
}
