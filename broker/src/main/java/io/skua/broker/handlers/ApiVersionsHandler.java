package io.skua.broker.handlers;

import io.skua.broker.api.ApiHandler;
import io.skua.broker.api.ApiRegistry;
import io.skua.protocol.Errors;
import io.skua.broker.api.RequestContext;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.ApiVersionsRequestData;
import io.skua.protocol.message.ApiVersionsResponseData;
import io.skua.protocol.message.ApiVersionsResponseData.ApiVersion;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** ApiVersions: the versions of every registered handler, computed from the registry. */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequestData, ApiVersionsResponseData> {
    private final ApiRegistry registry;

    public ApiVersionsHandler(ApiRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ApiKey apiKey() {
        return ApiKey.API_VERSIONS;
    }

    @Override
    public Future<ApiVersionsResponseData> handle(RequestContext ctx, ApiVersionsRequestData request) {
        return Future.succeededFuture(response(Errors.NONE));
    }

    /** The answer, also used for KIP-511 (an unsupported ApiVersions version gets the list and an error). */
    public ApiVersionsResponseData response(short errorCode) {
        List<ApiVersion> versions = new ArrayList<>();
        registry.handlers().stream()
                .sorted(Comparator.comparingInt(h -> h.apiKey().id()))
                .forEach(h -> versions.add(new ApiVersion()
                        .setApiKey(h.apiKey().id())
                        .setMinVersion(h.minVersion())
                        .setMaxVersion(h.maxVersion())));
        return new ApiVersionsResponseData().setErrorCode(errorCode).setApiKeys(versions);
    }
}
