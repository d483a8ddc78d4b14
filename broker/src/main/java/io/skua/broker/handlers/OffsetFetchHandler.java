package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.group.GroupCoordinator;
import io.skua.broker.group.GroupMessages.FetchedOffset;
import io.skua.broker.group.GroupMessages.OffsetFetchGroup;
import io.skua.broker.group.GroupMessages.OffsetFetchGroupResult;
import io.skua.broker.group.GroupMessages.TopicPartition;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.OffsetFetchRequestData;
import io.skua.protocol.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import io.skua.protocol.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import io.skua.protocol.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import io.skua.protocol.message.OffsetFetchResponseData;
import io.skua.protocol.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import io.skua.protocol.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import io.skua.protocol.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import io.skua.protocol.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import io.skua.protocol.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * OffsetFetch (v1-10): v1-7 ask for one group, v8+ for a batch; null topics mean "every committed offset"
 * (v2+). v10 addresses topics by id: unknown ids answer UNKNOWN_TOPIC_ID, and committed offsets of topics that no
 * longer exist are left out. v1 has no top-level error, so a group error is repeated on each partition.
 */
public final class OffsetFetchHandler implements ApiHandler<OffsetFetchRequestData, OffsetFetchResponseData> {
    private final Supplier<GroupCoordinator> groups;
    private final TopicManager topics;

    public OffsetFetchHandler(Supplier<GroupCoordinator> groups, TopicManager topics) {
        this.groups = groups;
        this.topics = topics;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.OFFSET_FETCH;
    }

    @Override
    public Future<OffsetFetchResponseData> handle(RequestContext ctx, OffsetFetchRequestData request) {
        short version = ctx.apiVersion();
        return version >= 8 ? batched(request, version >= 10) : single(request, version);
    }

    private Future<OffsetFetchResponseData> single(OffsetFetchRequestData request, short version) {
        List<TopicPartition> wanted = null;
        if (request.topics() != null) {
            wanted = new ArrayList<>();
            for (OffsetFetchRequestTopic t : request.topics()) {
                for (int p : t.partitionIndexes()) {
                    wanted.add(new TopicPartition(t.name(), p));
                }
            }
        }
        List<TopicPartition> asked = wanted;
        boolean requireStable = version >= 7 && request.requireStable();
        return groups.get().fetchOffsets(List.of(new OffsetFetchGroup(request.groupId(), wanted)), requireStable)
                .map(results -> {
                    OffsetFetchGroupResult r = results.get(0);
                    OffsetFetchResponseData response = new OffsetFetchResponseData();
                    List<FetchedOffset> fetched = r.partitions();
                    if (r.error() != Errors.NONE) {
                        response.setErrorCode(r.error());
                        if (version >= 2 || asked == null) {
                            return response;
                        }
                        fetched = new ArrayList<>();
                        for (TopicPartition tp : asked) {
                            fetched.add(new FetchedOffset(tp.topic(), tp.partition(), -1, -1, "", r.error()));
                        }
                    }
                    for (Map.Entry<String, List<FetchedOffset>> e : byTopic(fetched).entrySet()) {
                        OffsetFetchResponseTopic topic = new OffsetFetchResponseTopic().setName(e.getKey());
                        for (FetchedOffset o : e.getValue()) {
                            topic.partitions().add(new OffsetFetchResponsePartition()
                                    .setPartitionIndex(o.partition()).setCommittedOffset(o.offset())
                                    .setCommittedLeaderEpoch(o.leaderEpoch()).setMetadata(o.metadata())
                                    .setErrorCode(o.error()));
                        }
                        response.topics().add(topic);
                    }
                    return response;
                });
    }

    private Future<OffsetFetchResponseData> batched(OffsetFetchRequestData request, boolean byId) {
        List<OffsetFetchGroup> asks = new ArrayList<>();
        // per group: the partitions of topic ids we do not know, answered UNKNOWN_TOPIC_ID without asking
        List<List<OffsetFetchResponseTopics>> unknownIds = new ArrayList<>();
        for (OffsetFetchRequestGroup g : request.groups()) {
            List<OffsetFetchResponseTopics> unknown = new ArrayList<>();
            List<TopicPartition> wanted = null;
            if (g.topics() != null) {
                wanted = new ArrayList<>();
                for (OffsetFetchRequestTopics t : g.topics()) {
                    String name = t.name();
                    if (byId) {
                        TopicMetadata topic = topics.topic(t.topicId());
                        if (topic == null) {
                            OffsetFetchResponseTopics out = new OffsetFetchResponseTopics().setTopicId(t.topicId());
                            for (int p : t.partitionIndexes()) {
                                out.partitions().add(new OffsetFetchResponsePartitions().setPartitionIndex(p)
                                        .setCommittedOffset(-1).setMetadata("").setErrorCode(Errors.UNKNOWN_TOPIC_ID));
                            }
                            unknown.add(out);
                            continue;
                        }
                        name = topic.name();
                    }
                    for (int p : t.partitionIndexes()) {
                        wanted.add(new TopicPartition(name, p));
                    }
                }
            }
            asks.add(new OffsetFetchGroup(g.groupId(), wanted));
            unknownIds.add(unknown);
        }
        return groups.get().fetchOffsets(asks, request.requireStable()).map(results -> {
            OffsetFetchResponseData response = new OffsetFetchResponseData();
            for (int i = 0; i < results.size(); i++) {
                OffsetFetchGroupResult r = results.get(i);
                OffsetFetchResponseGroup group = new OffsetFetchResponseGroup().setGroupId(r.groupId())
                        .setErrorCode(r.error());
                response.groups().add(group);
                if (r.error() != Errors.NONE) {
                    continue;
                }
                for (Map.Entry<String, List<FetchedOffset>> e : byTopic(r.partitions()).entrySet()) {
                    OffsetFetchResponseTopics topic = new OffsetFetchResponseTopics().setName(e.getKey());
                    if (byId) {
                        TopicMetadata meta = topics.topic(e.getKey());
                        if (meta == null) {
                            continue;
                        }
                        topic.setTopicId(meta.id());
                    }
                    for (FetchedOffset o : e.getValue()) {
                        topic.partitions().add(new OffsetFetchResponsePartitions()
                                .setPartitionIndex(o.partition()).setCommittedOffset(o.offset())
                                .setCommittedLeaderEpoch(o.leaderEpoch()).setMetadata(o.metadata())
                                .setErrorCode(o.error()));
                    }
                    group.topics().add(topic);
                }
                group.topics().addAll(unknownIds.get(i));
            }
            return response;
        });
    }

    private static Map<String, List<FetchedOffset>> byTopic(List<FetchedOffset> fetched) {
        Map<String, List<FetchedOffset>> out = new LinkedHashMap<>();
        for (FetchedOffset o : fetched) {
            out.computeIfAbsent(o.topic(), t -> new ArrayList<>()).add(o);
        }
        return out;
    }
}
