package io.skua.broker.api;

import io.skua.broker.network.ConnectionContext;
import io.skua.broker.network.RequestDispatcher;
import io.skua.broker.network.Response;
import io.skua.protocol.ApiKey;
import io.skua.protocol.ApiMessage;
import io.skua.protocol.ByteBufferReader;
import io.skua.protocol.ProtocolException;
import io.skua.protocol.message.RequestHeaderData;
import io.vertx.core.Future;
import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * Turns request frames into handler calls: decodes the header (its version follows from the API key and
 * version), checks the version against the handler, decodes the body with the generated class, and encodes
 * the handler's answer. Anything malformed throws {@link ProtocolException}, which closes that connection.
 */
public final class KafkaDispatcher implements RequestDispatcher {
    private final ApiRegistry registry;
    /** The ApiVersions answer for an unsupported ApiVersions version (UNSUPPORTED_VERSION with the supported list). */
    private final Supplier<ApiMessage> unsupportedApiVersions;

    public KafkaDispatcher(ApiRegistry registry, Supplier<ApiMessage> unsupportedApiVersions) {
        this.registry = registry;
        this.unsupportedApiVersions = unsupportedApiVersions;
    }

    @Override
    public Future<Response> dispatch(ConnectionContext conn, ByteBuffer frame) {
        if (frame.remaining() < 8) {
            throw new ProtocolException("request of " + frame.remaining() + " bytes is shorter than a request header");
        }
        int start = frame.position();
        short keyId = frame.getShort(start);
        short version = frame.getShort(start + 2);
        ApiKey key = ApiKey.forId(keyId);
        ApiHandler<ApiMessage, ApiMessage> handler = key == null ? null : handlerFor(key);
        if (handler == null) {
            throw new ProtocolException("unknown or unserved API key " + keyId);
        }
        if (version < handler.minVersion() || version > handler.maxVersion()) {
            if (key == ApiKey.API_VERSIONS) {
                // KIP-511: answer in version 0 with the supported list, so the client can pick a version.
                int correlationId = frame.getInt(start + 4);
                return Future.succeededFuture(ResponseEncoder.encode(correlationId, (short) 0,
                        unsupportedApiVersions.get(), (short) 0));
            }
            throw new ProtocolException(key + " version " + version + " is not supported (supported "
                    + handler.minVersion() + "-" + handler.maxVersion() + ")");
        }
        if (version < key.lowestVersion()) {
            // Advertised for old clients' sake (Produce v0-2, KAFKA-18659) but removed by KIP-896.
            throw new ProtocolException(key + " version " + version + " was removed in Kafka 4 (KIP-896)");
        }
        ByteBufferReader reader = new ByteBufferReader(frame);
        RequestHeaderData header = new RequestHeaderData(reader, key.requestHeaderVersion(version));
        ApiMessage request = key.newRequest();
        request.read(reader, version);
        if (reader.remaining() != 0) {
            throw new ProtocolException(key + " v" + version + " request has " + reader.remaining() + " trailing bytes");
        }
        RequestContext ctx = new RequestContext(key, version, header.correlationId(), header.clientId(),
                String.valueOf(conn.remoteAddress()), conn.listenerName(), conn.context());
        short responseHeaderVersion = key.responseHeaderVersion(version);
        return handler.handle(ctx, request).map(response -> response == null
                ? Response.none()
                : ResponseEncoder.encode(header.correlationId(), responseHeaderVersion, response, version));
    }

    @SuppressWarnings("unchecked")
    private ApiHandler<ApiMessage, ApiMessage> handlerFor(ApiKey key) {
        return (ApiHandler<ApiMessage, ApiMessage>) registry.handler(key);
    }
}
