package io.skua.broker.handlers;

import io.skua.protocol.ApiException;
import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.metadata.TopicService;
import io.skua.protocol.ApiKey;
import io.skua.protocol.Uuid;
import io.skua.protocol.message.DeleteTopicsRequestData;
import io.skua.protocol.message.DeleteTopicsRequestData.DeleteTopicState;
import io.skua.protocol.message.DeleteTopicsResponseData;
import io.skua.protocol.message.DeleteTopicsResponseData.DeletableTopicResult;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * DeleteTopics: by name (versions 1-5, and 6 with a name) or by topic id (version 6). The answer comes once the
 * topic's files are gone, so a topic of the same name can be created right after (with a new id and an empty log).
 */
public final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequestData, DeleteTopicsResponseData> {
    private final TopicManager topics;
    private final TopicService admin;

    public DeleteTopicsHandler(TopicManager topics, TopicService admin) {
        this.topics = topics;
        this.admin = admin;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.DELETE_TOPICS;
    }

    @Override
    public Future<DeleteTopicsResponseData> handle(RequestContext ctx, DeleteTopicsRequestData request) {
        List<DeleteTopicState> wanted = new ArrayList<>();
        if (ctx.apiVersion() >= 6) {
            wanted.addAll(request.topics());
        } else {
            for (String name : request.topicNames()) {
                wanted.add(new DeleteTopicState().setName(name).setTopicId(Uuid.ZERO));
            }
        }
        Set<String> seenNames = new HashSet<>();
        Set<Uuid> seenIds = new HashSet<>();
        Set<Object> duplicated = new HashSet<>();
        for (DeleteTopicState t : wanted) {
            if (t.name() != null && !seenNames.add(t.name())) {
                duplicated.add(t.name());
            }
            if (t.name() == null && !seenIds.add(t.topicId())) {
                duplicated.add(t.topicId());
            }
        }
        List<Future<DeletableTopicResult>> results = new ArrayList<>();
        for (DeleteTopicState t : wanted) {
            results.add(delete(t, duplicated));
        }
        return Future.join(results).map(ignored -> {
            DeleteTopicsResponseData response = new DeleteTopicsResponseData();
            results.forEach(r -> response.responses().add(r.result()));
            return response;
        });
    }

    private Future<DeletableTopicResult> delete(DeleteTopicState wanted, Set<Object> duplicated) {
        boolean hasId = wanted.topicId() != null && !wanted.topicId().equals(Uuid.ZERO);
        DeletableTopicResult result = new DeletableTopicResult()
                .setName(wanted.name())
                .setTopicId(hasId ? wanted.topicId() : Uuid.ZERO);
        if (wanted.name() != null && hasId) {
            return failed(result, Errors.INVALID_REQUEST, "You may not specify both topic name and topic id.");
        }
        if (wanted.name() == null && !hasId) {
            return failed(result, Errors.INVALID_REQUEST, "Neither topic name nor id were specified.");
        }
        if (duplicated.contains(wanted.name() != null ? wanted.name() : wanted.topicId())) {
            return failed(result, Errors.INVALID_REQUEST, "Duplicate topic " + (wanted.name() != null
                    ? "name " + wanted.name() : "id " + wanted.topicId()) + " in the request.");
        }
        TopicMetadata topic = hasId ? topics.topic(wanted.topicId()) : topics.topic(wanted.name());
        if (topic == null) {
            return hasId
                    ? failed(result, Errors.UNKNOWN_TOPIC_ID, "This server does not host topic id " + wanted.topicId() + ".")
                    : failed(result, Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.");
        }
        result.setName(topic.name()).setTopicId(topic.id());
        return admin.deleteTopic(topic.name(), hasId ? topic.id() : null).transform(ar -> ar.succeeded()
                ? Future.succeededFuture(result)
                : failed(result, ApiException.codeOf(ar.cause()), ar.cause().getMessage()));
    }

    private static Future<DeletableTopicResult> failed(DeletableTopicResult result, short code, String message) {
        return Future.succeededFuture(result.setErrorCode(code).setErrorMessage(message));
    }
}
