package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.GroupMessages.PartitionError;
import io.skua.broker.group.GroupMessages.TopicPartition;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.OffsetDeleteRequestData;
import io.skua.protocol.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import io.skua.protocol.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import io.skua.protocol.message.OffsetDeleteResponseData;
import io.skua.protocol.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import io.skua.protocol.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * OffsetDelete: removes committed offsets of an empty group. A group-level error (NON_EMPTY_GROUP,
 * GROUP_ID_NOT_FOUND, ...) is answered at the top with no topics, as Kafka does.
 */
public final class OffsetDeleteHandler implements ApiHandler<OffsetDeleteRequestData, OffsetDeleteResponseData> {
    private final Supplier<GroupCoordinator> groups;

    public OffsetDeleteHandler(Supplier<GroupCoordinator> groups) {
        this.groups = groups;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.OFFSET_DELETE;
    }

    @Override
    public Future<OffsetDeleteResponseData> handle(RequestContext ctx, OffsetDeleteRequestData request) {
        List<TopicPartition> toDelete = new ArrayList<>();
        for (OffsetDeleteRequestTopic t : request.topics()) {
            for (OffsetDeleteRequestPartition p : t.partitions()) {
                toDelete.add(new TopicPartition(t.name(), p.partitionIndex()));
            }
        }
        return groups.get().deleteOffsets(request.groupId(), toDelete).map(r -> {
            OffsetDeleteResponseData response = new OffsetDeleteResponseData().setErrorCode(r.error());
            if (r.error() != Errors.NONE) {
                return response;
            }
            Map<TopicPartition, Short> errors = new HashMap<>();
            for (PartitionError e : r.partitions()) {
                errors.put(new TopicPartition(e.topic(), e.partition()), e.error());
            }
            for (OffsetDeleteRequestTopic t : request.topics()) {
                OffsetDeleteResponseTopic out = new OffsetDeleteResponseTopic().setName(t.name());
                for (OffsetDeleteRequestPartition p : t.partitions()) {
                    out.partitions().add(new OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setErrorCode(errors.getOrDefault(new TopicPartition(t.name(), p.partitionIndex()),
                                    Errors.NONE)));
                }
                response.topics().add(out);
            }
            return response;
        });
    }
}
