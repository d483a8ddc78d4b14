package io.skua.broker.handlers;

import io.skua.protocol.ApiException;
import io.skua.broker.api.ApiHandler;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.broker.metadata.ConfigChange;
import io.skua.broker.metadata.TopicService;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.AlterConfigsRequestData;
import io.skua.protocol.message.AlterConfigsRequestData.AlterConfigsResource;
import io.skua.protocol.message.AlterConfigsRequestData.AlterableConfig;
import io.skua.protocol.message.AlterConfigsResponseData;
import io.skua.protocol.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AlterConfigs (the legacy, non-incremental API): a topic's overrides become exactly the configs given; anything
 * not listed returns to the broker default. Broker resources are refused with INVALID_REQUEST (Skua has no dynamic
 * broker configs; clients report it as an InvalidRequestException for that resource only).
 */
public final class AlterConfigsHandler implements ApiHandler<AlterConfigsRequestData, AlterConfigsResponseData> {
    static final byte TOPIC = 2;
    static final byte BROKER = 4;

    private final TopicService topics;

    public AlterConfigsHandler(TopicService topics) {
        this.topics = topics;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.ALTER_CONFIGS;
    }

    @Override
    public Future<AlterConfigsResponseData> handle(RequestContext ctx, AlterConfigsRequestData request) {
        List<Future<AlterConfigsResourceResponse>> results = new ArrayList<>();
        for (AlterConfigsResource resource : request.resources()) {
            results.add(alter(resource, request.validateOnly()).transform(ar -> Future.succeededFuture(
                    new AlterConfigsResourceResponse()
                            .setResourceType(resource.resourceType())
                            .setResourceName(resource.resourceName())
                            .setErrorCode(ar.succeeded() ? Errors.NONE : ApiException.codeOf(ar.cause()))
                            .setErrorMessage(ar.succeeded() ? null : ar.cause().getMessage()))));
        }
        return Future.join(results).map(ignored -> {
            AlterConfigsResponseData response = new AlterConfigsResponseData();
            results.forEach(r -> response.responses().add(r.result()));
            return response;
        });
    }

    private Future<Void> alter(AlterConfigsResource resource, boolean validateOnly) {
        return switch (resource.resourceType()) {
            case TOPIC -> {
                Map<String, String> configs = new LinkedHashMap<>();
                for (AlterableConfig c : resource.configs()) {
                    if (configs.put(c.name(), c.value()) != null) {
                        yield Future.failedFuture(new ApiException(Errors.INVALID_REQUEST,
                                "Duplicate config key " + c.name() + " in the request."));
                    }
                }
                // alterConfigs validates names and values (INVALID_CONFIG naming the property).
                yield topics.alterConfigs(resource.resourceName(), new ConfigChange.Replace(configs), name -> null,
                        validateOnly).mapEmpty();
            }
            case BROKER -> resource.configs().isEmpty() ? Future.succeededFuture() : Future.failedFuture(
                    brokerConfigsNotSupported());
            default -> Future.failedFuture(new ApiException(Errors.INVALID_REQUEST,
                    "Unsupported resource type " + resource.resourceType() + " in AlterConfigs"));
        };
    }

    static ApiException brokerConfigsNotSupported() {
        return new ApiException(Errors.INVALID_REQUEST, "Skua does not support dynamic broker configs: "
                + "set them in server.properties and restart the broker.");
    }
}
