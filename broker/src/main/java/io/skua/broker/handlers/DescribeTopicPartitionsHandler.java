package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.partition.PartitionState;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.metadata.TopicNames;
import io.skua.protocol.ApiKey;
import io.skua.protocol.Uuid;
import io.skua.protocol.message.DescribeTopicPartitionsRequestData;
import io.skua.protocol.message.DescribeTopicPartitionsRequestData.TopicRequest;
import io.skua.protocol.message.DescribeTopicPartitionsResponseData;
import io.skua.protocol.message.DescribeTopicPartitionsResponseData.Cursor;
import io.skua.protocol.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import io.skua.protocol.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * DescribeTopicPartitions (KIP-966; {@code kafka-topics --describe} and Admin.describeTopics use it in 4.x): the named
 * topics, or every topic when none is named, sorted by name, starting at the request's cursor, with at most
 * {@code responsePartitionLimit} partitions; when the limit cuts a topic or leaves topics out, {@code nextCursor}
 * names the first partition not returned. Each partition has its leader, epoch, replicas and ISR; eligible leader
 * replicas and last known ELR are empty (no ELR on a single node). Unknown named topics answer
 * {@code UNKNOWN_TOPIC_OR_PARTITION}.
 */
public final class DescribeTopicPartitionsHandler
        implements ApiHandler<DescribeTopicPartitionsRequestData, DescribeTopicPartitionsResponseData> {
    private final TopicManager topics;
    private final ClusterView cluster;

    public DescribeTopicPartitionsHandler(TopicManager topics, ClusterView cluster) {
        this.topics = topics;
        this.cluster = cluster;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.DESCRIBE_TOPIC_PARTITIONS;
    }

    @Override
    public Future<DescribeTopicPartitionsResponseData> handle(RequestContext ctx,
                                                              DescribeTopicPartitionsRequestData request) {
        TreeSet<String> names = new TreeSet<>();
        if (request.topics().isEmpty()) {
            topics.topics().forEach(t -> names.add(t.name()));
        } else {
            request.topics().stream().map(TopicRequest::name).forEach(names::add);
        }
        var cursor = request.cursor();
        String startTopic = cursor == null ? null : cursor.topicName();
        int startPartition = cursor == null ? 0 : Math.max(0, cursor.partitionIndex());
        int budget = request.responsePartitionLimit() > 0 ? request.responsePartitionLimit() : Integer.MAX_VALUE;
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        for (String name : startTopic == null ? names : names.tailSet(startTopic, true)) {
            int from = name.equals(startTopic) ? startPartition : 0;
            TopicMetadata topic = topics.topic(name);
            if (topic == null) {
                response.topics().add(new DescribeTopicPartitionsResponseTopic().setName(name)
                        .setTopicId(Uuid.ZERO).setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION));
                continue;
            }
            if (budget == 0) {
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(from));
                break;
            }
            DescribeTopicPartitionsResponseTopic out = new DescribeTopicPartitionsResponseTopic().setName(name)
                    .setTopicId(topic.id()).setIsInternal(TopicNames.isInternal(name));
            response.topics().add(out);
            int p = from;
            for (; p < topic.partitionCount() && budget > 0; p++, budget--) {
                out.partitions().add(partition(name, p));
            }
            if (p < topic.partitionCount()) {
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(p));
                break;
            }
        }
        return Future.succeededFuture(response);
    }

    private DescribeTopicPartitionsResponsePartition partition(String topic, int index) {
        PartitionState state = cluster.partitionState(topic, index);
        return new DescribeTopicPartitionsResponsePartition().setPartitionIndex(index)
                .setLeaderId(state.leader()).setLeaderEpoch(state.leaderEpoch())
                .setReplicaNodes(new ArrayList<>(state.replicas())).setIsrNodes(new ArrayList<>(state.isr()))
                .setEligibleLeaderReplicas(new ArrayList<>()).setLastKnownElr(new ArrayList<>())
                .setOfflineReplicas(new ArrayList<>(state.offline()));
    }
}
