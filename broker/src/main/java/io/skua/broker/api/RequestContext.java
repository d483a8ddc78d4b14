package io.skua.broker.api;

import io.skua.protocol.ApiKey;
import io.vertx.core.Context;

/** What a handler knows about the request beyond its body: the decoded header and the connection. */
public record RequestContext(
        ApiKey apiKey,
        short apiVersion,
        int correlationId,
        String clientId,
        String remoteAddress,
        String listenerName,
        Context context) {
}
