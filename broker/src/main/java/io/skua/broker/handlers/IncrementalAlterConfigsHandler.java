package io.skua.broker.handlers;

import io.skua.protocol.ApiException;
import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.metadata.BrokerTopicDefaults;
import io.skua.broker.metadata.ConfigChange;
import io.skua.broker.metadata.TopicService;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.IncrementalAlterConfigsRequestData;
import io.skua.protocol.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import io.skua.protocol.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import io.skua.protocol.message.IncrementalAlterConfigsResponseData;
import io.skua.protocol.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * IncrementalAlterConfigs for topics: SET, DELETE (back to the broker default), and APPEND / SUBTRACT for list
 * configs, starting from the topic's override or else the broker-level value. The new override set is then
 * validated and stored as a whole. Broker resources are refused with INVALID_REQUEST, as in AlterConfigs.
 */
public final class IncrementalAlterConfigsHandler
        implements ApiHandler<IncrementalAlterConfigsRequestData, IncrementalAlterConfigsResponseData> {
    private final TopicService topics;
    private final BrokerTopicDefaults defaults;

    public IncrementalAlterConfigsHandler(TopicService topics, BrokerTopicDefaults defaults) {
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
                List<ConfigChange.Op> ops = new ArrayList<>();
                for (AlterableConfig c : resource.configs()) {
                    ops.add(new ConfigChange.Op(c.name(), c.configOperation(), c.value()));
                }
                // Applied to the topic as it is when the change is made (clustered: by the controller).
                yield topics.alterConfigs(resource.resourceName(), new ConfigChange.Edit(ops), defaults::value,
                        validateOnly).mapEmpty();
            }
            case AlterConfigsHandler.BROKER -> resource.configs().isEmpty() ? Future.succeededFuture()
                    : Future.failedFuture(AlterConfigsHandler.brokerConfigsNotSupported());
            default -> throw new ApiException(Errors.INVALID_REQUEST,
                    "Unsupported resource type " + resource.resourceType() + " in IncrementalAlterConfigs");
        };
    }
}
