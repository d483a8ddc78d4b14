package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.broker.api.RequestContext;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.GroupMessages.GroupError;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.DeleteGroupsRequestData;
import io.skua.protocol.message.DeleteGroupsResponseData;
import io.skua.protocol.message.DeleteGroupsResponseData.DeletableGroupResult;
import io.vertx.core.Future;
import java.util.function.Supplier;

/** DeleteGroups: empty groups are removed with their offsets; a group with members answers NON_EMPTY_GROUP. */
public final class DeleteGroupsHandler implements ApiHandler<DeleteGroupsRequestData, DeleteGroupsResponseData> {
    private final Supplier<GroupCoordinator> groups;

    public DeleteGroupsHandler(Supplier<GroupCoordinator> groups) {
        this.groups = groups;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.DELETE_GROUPS;
    }

    @Override
    public Future<DeleteGroupsResponseData> handle(RequestContext ctx, DeleteGroupsRequestData request) {
        return groups.get().deleteGroups(request.groupsNames()).map(results -> {
            DeleteGroupsResponseData response = new DeleteGroupsResponseData();
            for (GroupError r : results) {
                response.results().add(new DeletableGroupResult().setGroupId(r.groupId()).setErrorCode(r.error()));
            }
            return response;
        });
    }
}
