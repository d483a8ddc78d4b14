package io.skua.broker.handlers;

import io.skua.broker.api.ApiException;
import io.skua.broker.api.ApiHandler;
import io.skua.broker.api.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.metadata.BrokerTopicDefaults;
import io.skua.broker.metadata.TopicConfigs;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.IncrementalAlterConfigsRequestData;
import io.skua.protocol.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import io.skua.protocol.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import io.skua.protocol.message.IncrementalAlterConfigsResponseData;
import io.skua.protocol.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * IncrementalAlterConfigs for topics: SET, DELETE (back to the broker default), and APPEND / SUBTRACT for list
 * configs, starting from the topic's override or else the broker-level value. The new override set is then
 * validated and stored as a whole. Broker resources are refused with INVALID_REQUEST, as in AlterConfigs.
 */
public final class IncrementalAlterConfigsHandler
        implements ApiHandler<IncrementalAlterConfigsRequestData, IncrementalAlterConfigsResponseData> {
    static final byte SET = 0;
    static final byte DELETE = 1;
    static final byte APPEND = 2;
    static final byte SUBTRACT = 3;

    private final TopicManager topics;
    private final BrokerTopicDefaults defaults;

    public IncrementalAlterConfigsHandler(TopicManager topics, BrokerTopicDefaults defaults) {
        this.topics = topics;
        this.defaults = defaults;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.INCREMENTAL_ALTER_CONFIGS;
    }

    @Override
    public Future<IncrementalAlterConfigsResponseData> handle(RequestContext ctx, IncrementalAlterConfigsRequestData request) {
        List<Future<AlterConfigsResourceResponse>> results = new ArrayList<>();
        for (AlterConfigsResource resource : request.resources()) {
            Future<Void> done;
            try {
                done = alter(resource, request.validateOnly());
            } catch (ApiException e) {
                done = Future.failedFuture(e);
            }
            results.add(done.transform(ar -> Future.succeededFuture(new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName())
                    .setErrorCode(ar.succeeded() ? Errors.NONE : ApiException.codeOf(ar.cause()))
                    .setErrorMessage(ar.succeeded() ? null : ar.cause().getMessage()))));
        }
        return Future.join(results).map(ignored -> {
            IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
            results.forEach(r -> response.responses().add(r.result()));
            return response;
        });
    }

    private Future<Void> alter(AlterConfigsResource resource, boolean validateOnly) {
        Set<String> names = new HashSet<>();
        for (AlterableConfig c : resource.configs()) {
            if (!names.add(c.name())) {
                throw new ApiException(Errors.INVALID_REQUEST, "Error due to duplicate config keys: " + c.name());
            }
        }
        return switch (resource.resourceType()) {
            case AlterConfigsHandler.TOPIC -> {
                TopicMetadata topic = topics.topic(resource.resourceName());
                if (topic == null) {
                    throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                            "The topic '" + resource.resourceName() + "' does not exist.");
                }
                Map<String, String> configs = new LinkedHashMap<>(topic.configs());
                for (AlterableConfig c : resource.configs()) {
                    apply(configs, c);
                }
                // Applied to the topic as read above; concurrent alters of one topic: the last one wins whole.
                yield topics.setConfigs(topic.name(), configs, validateOnly).mapEmpty();
            }
            case AlterConfigsHandler.BROKER -> resource.configs().isEmpty() ? Future.succeededFuture()
                    : Future.failedFuture(AlterConfigsHandler.brokerConfigsNotSupported());
            default -> throw new ApiException(Errors.INVALID_REQUEST,
                    "Unsupported resource type " + resource.resourceType() + " in IncrementalAlterConfigs");
        };
    }

    private void apply(Map<String, String> configs, AlterableConfig c) {
        TopicConfigs.Def def = TopicConfigs.def(c.name());
        if (def == null) {
            throw new ApiException(Errors.INVALID_CONFIG, "Unknown topic config name: " + c.name());
        }
        switch (c.configOperation()) {
            case SET -> {
                if (c.value() == null) {
                    throw new ApiException(Errors.INVALID_REQUEST, "Null value not supported for: " + c.name());
                }
                configs.put(c.name(), c.value());
            }
            case DELETE -> configs.remove(c.name());
            case APPEND, SUBTRACT -> {
                if (def.type() != TopicConfigs.LIST) {
                    throw new ApiException(Errors.INVALID_CONFIG, "Config value " + (c.configOperation() == APPEND
                            ? "append" : "subtract") + " is not allowed for config key: " + c.name());
                }
                String current = configs.containsKey(c.name()) ? configs.get(c.name()) : defaults.value(c.name());
                Set<String> items = split(current);
                Set<String> change = split(c.value());
                if (c.configOperation() == APPEND) {
                    items.addAll(change);
                } else {
                    items.removeAll(change);
                }
                configs.put(c.name(), String.join(",", items));
            }
            default -> throw new ApiException(Errors.INVALID_REQUEST,
                    "Unknown config operation " + c.configOperation() + " for " + c.name());
        }
    }

    private static Set<String> split(String list) {
        Set<String> items = new LinkedHashSet<>();
        if (list != null) {
            for (String item : list.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return items;
    }
}
