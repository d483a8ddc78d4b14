package io.skua.broker;

import io.skua.broker.network.ConnectionContext;
import io.skua.broker.network.RequestDispatcher;
import io.skua.broker.network.Response;
import io.skua.protocol.ProtocolException;
import io.vertx.core.Future;

import java.nio.ByteBuffer;

/**
 * Placeholder until the protocol layer is wired in: every request fails, which closes its connection.
 * A client sees the broker accept connections and then drop them.
 */
final class NoHandlersDispatcher implements RequestDispatcher {
    @Override
    public Future<Response> dispatch(ConnectionContext ctx, ByteBuffer frame) {
        return Future.failedFuture(new ProtocolException("no request handlers installed"));
    }
}
