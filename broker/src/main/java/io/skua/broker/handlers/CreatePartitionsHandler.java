package io.skua.broker.handlers;

import io.skua.protocol.ApiException;
import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.metadata.TopicService;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.CreatePartitionsRequestData;
import io.skua.protocol.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import io.skua.protocol.message.CreatePartitionsResponseData;
import io.skua.protocol.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CreatePartitions: grows topics. On a single node the only valid manual assignment puts each new partition on
 * this broker alone; anything else is INVALID_REPLICA_ASSIGNMENT. Clustered, the controller checks assignments and
 * spreads unassigned new partitions over the live brokers.
 */
public final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequestData, CreatePartitionsResponseData> {
    private final TopicManager topics;
    private final TopicService admin;

    public CreatePartitionsHandler(TopicManager topics, TopicService admin) {
        this.topics = topics;
        this.admin = admin;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.CREATE_PARTITIONS;
    }

    @Override
    public Future<CreatePartitionsResponseData> handle(RequestContext ctx, CreatePartitionsRequestData request) {
        Set<String> seen = new HashSet<>();
        Set<String> duplicated = new HashSet<>();
        for (CreatePartitionsTopic t : request.topics()) {
            if (!seen.add(t.name())) {
                duplicated.add(t.name());
            }
        }
        List<Future<CreatePartitionsTopicResult>> results = new ArrayList<>();
        for (CreatePartitionsTopic t : request.topics()) {
            results.add(duplicated.contains(t.name())
                    ? failed(t.name(), Errors.INVALID_REQUEST, "Duplicate topic in request.")
                    : grow(t, request.validateOnly()));
        }
        return Future.join(results).map(ignored -> {
            CreatePartitionsResponseData response = new CreatePartitionsResponseData();
            results.forEach(r -> response.results().add(r.result()));
            return response;
        });
    }

    private Future<CreatePartitionsTopicResult> grow(CreatePartitionsTopic t, boolean validateOnly) {
        TopicMetadata topic = topics.topic(t.name());
        if (topic == null) {
            return failed(t.name(), Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + t.name() + "' does not exist.");
        }
        if (t.count() == topic.partitionCount()) {
            return failed(t.name(), Errors.INVALID_PARTITIONS, "Topic already has " + topic.partitionCount()
                    + " partition(s).");
        }
        // checked by the topic service: on a single node each new partition must be on this broker alone; clustered,
        // the controller checks them against the registered brokers and the topic's replication factor
        List<List<Integer>> assignments = t.assignments() == null ? null
                : t.assignments().stream().map(a -> List.copyOf(a.brokerIds())).toList();
        return admin.createPartitions(t.name(), t.count(), assignments, validateOnly).transform(ar -> ar.succeeded()
                ? Future.succeededFuture(new CreatePartitionsTopicResult().setName(t.name()).setErrorCode(Errors.NONE))
                : failed(t.name(), ApiException.codeOf(ar.cause()), ar.cause().getMessage()));
    }

    private static Future<CreatePartitionsTopicResult> failed(String name, short code, String message) {
        return Future.succeededFuture(new CreatePartitionsTopicResult().setName(name).setErrorCode(code)
                .setErrorMessage(message));
    }
}
