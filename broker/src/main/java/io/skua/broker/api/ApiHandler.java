package io.skua.broker.api;

import io.skua.protocol.ApiKey;
import io.skua.protocol.ApiMessage;
import io.vertx.core.Future;

/**
 * Serves one Kafka API. Runs on the connection's event loop: it never blocks, and storage work goes
 * through the partition's executor. Errors are answered in the response's own error fields; a failed
 * future closes the connection.
 */
public interface ApiHandler<Q extends ApiMessage, R extends ApiMessage> {
    ApiKey apiKey();

    /** The lowest version served; ApiVersions advertises exactly [minVersion, maxVersion]. */
    default short minVersion() {
        return apiKey().lowestVersion();
    }

    /** The highest stable version in the specs: an unstable latest version is never advertised. */
    default short maxVersion() {
        ApiKey key = apiKey();
        return key.latestVersionUnstable() ? (short) (key.highestVersion() - 1) : key.highestVersion();
    }

    /** Completes with the response, or with null when the request gets no response (acks=0 produce). */
    Future<R> handle(RequestContext ctx, Q request);
}
