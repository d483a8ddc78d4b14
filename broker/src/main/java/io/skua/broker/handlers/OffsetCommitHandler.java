package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.GroupMessages.OffsetCommitRequest;
import io.skua.broker.group.GroupMessages.PartitionError;
import io.skua.broker.group.GroupMessages.PartitionOffset;
import io.skua.broker.group.GroupMessages.TopicPartition;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.OffsetCommitRequestData;
import io.skua.protocol.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import io.skua.protocol.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import io.skua.protocol.message.OffsetCommitResponseData;
import io.skua.protocol.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import io.skua.protocol.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * OffsetCommit (v2-10): v2-4 may carry a retention time, v6+ leader epochs, v7+ an instance id; v10 addresses
 * topics by id, which are resolved to names here (an unknown id answers UNKNOWN_TOPIC_ID). The response mirrors
 * the request's topics and partitions.
 */
public final class OffsetCommitHandler implements ApiHandler<OffsetCommitRequestData, OffsetCommitResponseData> {
    private final Supplier<GroupCoordinator> groups;
    private final TopicManager topics;

    public OffsetCommitHandler(Supplier<GroupCoordinator> groups, TopicManager topics) {
        this.groups = groups;
        this.topics = topics;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.OFFSET_COMMIT;
    }

    @Override
    public Future<OffsetCommitResponseData> handle(RequestContext ctx, OffsetCommitRequestData request) {
        short version = ctx.apiVersion();
        boolean byId = version >= 10;
        List<PartitionOffset> offsets = new ArrayList<>();
        List<String> names = new ArrayList<>(request.topics().size()); // per request topic; null = unknown id
        for (OffsetCommitRequestTopic t : request.topics()) {
            String name = t.name();
            if (byId) {
                TopicMetadata topic = topics.topic(t.topicId());
                name = topic == null ? null : topic.name();
            }
            names.add(name);
            if (name == null) {
                continue;
            }
            for (OffsetCommitRequestPartition p : t.partitions()) {
                offsets.add(new PartitionOffset(name, p.partitionIndex(), p.committedOffset(),
                        p.committedLeaderEpoch(), p.committedMetadata()));
            }
        }
        long retention = version <= 4 ? request.retentionTimeMs() : -1L;
        OffsetCommitRequest commit = new OffsetCommitRequest(request.groupId(), request.generationIdOrMemberEpoch(),
                request.memberId(), request.groupInstanceId(), retention, offsets, version);
        Future<List<PartitionError>> results = offsets.isEmpty() && request.groupId() != null
                ? Future.succeededFuture(List.of()) : groups.get().commitOffsets(commit);
        return results.map(errors -> {
            Map<TopicPartition, Short> byPartition = new HashMap<>();
            for (PartitionError e : errors) {
                byPartition.put(new TopicPartition(e.topic(), e.partition()), e.error());
            }
            OffsetCommitResponseData response = new OffsetCommitResponseData();
            for (int i = 0; i < request.topics().size(); i++) {
                OffsetCommitRequestTopic t = request.topics().get(i);
                String name = names.get(i);
                OffsetCommitResponseTopic out = new OffsetCommitResponseTopic().setName(t.name()).setTopicId(t.topicId());
                for (OffsetCommitRequestPartition p : t.partitions()) {
                    short error = name == null ? Errors.UNKNOWN_TOPIC_ID
                            : byPartition.getOrDefault(new TopicPartition(name, p.partitionIndex()), Errors.NONE);
                    out.partitions().add(new OffsetCommitResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setErrorCode(error));
                }
                response.topics().add(out);
            }
            return response;
        });
    }
}
