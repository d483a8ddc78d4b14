package io.skua.broker.network;

import io.vertx.core.Future;

import java.nio.ByteBuffer;

/**
 * The seam between the network layer and the protocol layer. Called on the connection's event loop, once per
 * request frame, in the order the frames arrived.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@code frame} is the exact request payload (request header + body, size prefix removed), usually a view
 *       of pooled direct memory that the connection reuses once the returned future completes. The request may
 *       refer to it (zero-copy {@code records}) until then; anything kept longer must be copied.</li>
 *   <li>The returned future may complete on any thread; the connection hops back to its event loop. Responses are
 *       written in request order whatever the completion order.</li>
 *   <li>A request that expects no response ({@code acks=0}) completes with {@link Response#none()}, once the work
 *       that reads the frame is done. Until then it holds a place in the request order (and counts against the
 *       connection's in-flight limit); a future returned already completed with it holds none.</li>
 *   <li>A thrown exception or a failed future closes the connection (logged once). Known protocol errors must be
 *       turned into error responses before this point.</li>
 *   <li>Must not block.</li>
 * </ul>
 */
@FunctionalInterface
public interface RequestDispatcher {
    Future<Response> dispatch(ConnectionContext ctx, ByteBuffer frame);
}
