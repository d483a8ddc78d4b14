package io.skua.broker.handlers;

import io.skua.protocol.ApiException;
import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.metadata.ClusterView;
import io.skua.broker.metadata.TopicService;
import io.skua.protocol.ApiKey;
import io.skua.protocol.Uuid;
import io.skua.protocol.message.CreateTopicsRequestData;
import io.skua.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.skua.protocol.message.CreateTopicsRequestData.CreatableTopicConfig;
import io.skua.protocol.message.CreateTopicsResponseData;
import io.skua.protocol.message.CreateTopicsResponseData.CreatableTopicResult;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** CreateTopics: -1 partitions / replication factor take the broker defaults (version 4+, used by Streams). */
public final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequestData, CreateTopicsResponseData> {
    private final TopicService topics;
    private final ClusterView cluster;

    public CreateTopicsHandler(TopicService topics, ClusterView cluster) {
        this.topics = topics;
        this.cluster = cluster;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.CREATE_TOPICS;
    }

    @Override
    public Future<CreateTopicsResponseData> handle(RequestContext ctx, CreateTopicsRequestData request) {
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        List<Future<CreatableTopicResult>> results = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Set<String> duplicated = new HashSet<>();
        for (CreatableTopic t : request.topics()) {
            if (!seen.add(t.name())) {
                duplicated.add(t.name());
            }
        }
        for (CreatableTopic t : request.topics()) {
            if (duplicated.contains(t.name())) {
                results.add(Future.succeededFuture(failed(t.name(), Errors.INVALID_REQUEST,
                        "Create topics request from client `" + ctx.clientId() + "` contains multiple entries for the following topics: " + t.name())));
            } else {
                results.add(create(t, request.validateOnly()));
            }
        }
        return Future.join(results).map(ignored -> {
            results.forEach(r -> response.topics().add(r.result()));
            return response;
        });
    }

    private Future<CreatableTopicResult> create(CreatableTopic t, boolean validateOnly) {
        if (!t.assignments().isEmpty()) {
            if (t.numPartitions() != -1 || t.replicationFactor() != -1) {
                return Future.succeededFuture(failed(t.name(), Errors.INVALID_REQUEST,
                        "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time."));
            }
        }
        int partitions = t.assignments().isEmpty() ? t.numPartitions() : t.assignments().size();
        short rf = t.assignments().isEmpty() ? t.replicationFactor()
                : (short) t.assignments().get(0).brokerIds().size();
        Map<String, String> configs = new LinkedHashMap<>();
        for (CreatableTopicConfig c : t.configs()) {
            if (c.value() != null) {
                configs.put(c.name(), c.value());
            }
        }
        return topics.createTopic(t.name(), partitions, rf, configs, validateOnly).transform(ar -> {
            if (ar.failed()) {
                return Future.succeededFuture(failed(t.name(), ApiException.codeOf(ar.cause()), ar.cause().getMessage()));
            }
            var topic = ar.result();
            return Future.succeededFuture(new CreatableTopicResult()
                    .setName(topic.name())
                    .setTopicId(validateOnly ? Uuid.ZERO : topic.id())
                    .setNumPartitions(topic.partitionCount())
                    .setReplicationFactor(validateOnly || rf > 0 ? rf
                            : (short) Math.max(1, cluster.partitionState(topic.name(), 0).replicas().size())));
        });
    }

    private static CreatableTopicResult failed(String name, short code, String message) {
        return new CreatableTopicResult().setName(name).setErrorCode(code).setErrorMessage(message)
                .setTopicId(Uuid.ZERO).setNumPartitions(-1).setReplicationFactor((short) -1);
    }
}
