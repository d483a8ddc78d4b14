package io.skua.broker.handlers;

import io.skua.protocol.ApiException;
import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.Node;
import io.skua.broker.partition.PartitionState;
import io.skua.storage.TopicMetadata;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.metadata.TopicNames;
import io.skua.broker.metadata.TopicService;
import io.skua.protocol.ApiKey;
import io.skua.protocol.Uuid;
import io.skua.protocol.message.MetadataRequestData;
import io.skua.protocol.message.MetadataRequestData.MetadataRequestTopic;
import io.skua.protocol.message.MetadataResponseData;
import io.skua.protocol.message.MetadataResponseData.MetadataResponseBroker;
import io.skua.protocol.message.MetadataResponseData.MetadataResponsePartition;
import io.skua.protocol.message.MetadataResponseData.MetadataResponseTopic;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/** Metadata: live brokers, and per topic its id and partition leadership; creates topics when allowed. */
public final class MetadataHandler implements ApiHandler<MetadataRequestData, MetadataResponseData> {
    private final TopicManager topics;
    private final TopicService admin;
    private final ClusterView cluster;
    private final boolean autoCreate;

    public MetadataHandler(TopicManager topics, TopicService admin, ClusterView cluster, boolean autoCreate) {
        this.topics = topics;
        this.admin = admin;
        this.cluster = cluster;
        this.autoCreate = autoCreate;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.METADATA;
    }

    @Override
    public Future<MetadataResponseData> handle(RequestContext ctx, MetadataRequestData request) {
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(cluster.clusterId())
                .setControllerId(cluster.controllerId());
        for (Node node : cluster.liveBrokers(ctx.listenerName())) {
            response.brokers().add(new MetadataResponseBroker()
                    .setNodeId(node.id()).setHost(node.host()).setPort(node.port()).setRack(node.rack()));
        }
        if (request.topics() == null || (ctx.apiVersion() == 0 && request.topics().isEmpty())) {
            for (TopicMetadata topic : topics.topics()) {
                response.topics().add(describe(topic));
            }
            return Future.succeededFuture(response);
        }
        List<Future<MetadataResponseTopic>> answers = new ArrayList<>();
        boolean create = autoCreate && request.allowAutoTopicCreation();
        for (MetadataRequestTopic wanted : request.topics()) {
            answers.add(answer(wanted, create));
        }
        return Future.join(answers).transform(ignored -> {
            for (Future<MetadataResponseTopic> answer : answers) {
                response.topics().add(answer.result());
            }
            return Future.succeededFuture(response);
        });
    }

    private Future<MetadataResponseTopic> answer(MetadataRequestTopic wanted, boolean create) {
        if (wanted.name() == null) {
            Uuid id = wanted.topicId();
            TopicMetadata byId = id == null ? null : topics.topic(id);
            return Future.succeededFuture(byId != null ? describe(byId) : new MetadataResponseTopic()
                    .setTopicId(id).setErrorCode(Errors.UNKNOWN_TOPIC_ID));
        }
        TopicMetadata topic = topics.topic(wanted.name());
        if (topic != null) {
            return Future.succeededFuture(describe(topic));
        }
        if (!create) {
            return Future.succeededFuture(error(wanted.name(), Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        return admin.createTopic(wanted.name(), -1, (short) -1, java.util.Map.of(), false)
                .map(this::describe)
                .otherwise(t -> {
                    short code = ApiException.codeOf(t);
                    // Another request created it first: describe what exists.
                    TopicMetadata raced = topics.topic(wanted.name());
                    return raced != null && code == Errors.TOPIC_ALREADY_EXISTS
                            ? describe(raced) : error(wanted.name(), code);
                });
    }

    private static MetadataResponseTopic error(String name, short code) {
        return new MetadataResponseTopic().setName(name).setErrorCode(code).setTopicId(Uuid.ZERO);
    }

    private MetadataResponseTopic describe(TopicMetadata topic) {
        MetadataResponseTopic out = new MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.id())
                .setIsInternal(TopicNames.isInternal(topic.name()));
        for (int p = 0; p < topic.partitionCount(); p++) {
            PartitionState state = cluster.partitionState(topic.name(), p);
            out.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setErrorCode(state.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE : Errors.NONE)
                    .setLeaderId(state.leader())
                    .setLeaderEpoch(state.leaderEpoch())
                    .setReplicaNodes(state.replicas())
                    .setIsrNodes(state.isr())
                    .setOfflineReplicas(state.offline()));
        }
        return out;
    }
}
