package io.skua.broker.network;

import io.vertx.core.Context;
import io.vertx.core.net.SocketAddress;

/** What a request handler may know about the connection a request came from. */
public interface ConnectionContext {
    /** Process-unique connection id, for logs and for per-connection state kept by handlers. */
    long connectionId();

    /** The listener the connection was accepted on (e.g. {@code PLAINTEXT}). */
    String listenerName();

    SocketAddress remoteAddress();

    SocketAddress localAddress();

    /** The event-loop context the connection is confined to. */
    Context context();

    /** False once the socket has closed (either side); responses to a closed connection are dropped. */
    boolean isOpen();
}
