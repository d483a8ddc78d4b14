package io.skua.broker.network;

import io.netty.channel.unix.Errors;
import io.skua.broker.config.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;

import java.net.BindException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One instance per event loop: listens on every endpoint (Vert.x shares a host:port between instances and
 * spreads accepted connections round-robin over them), and owns the connections accepted on its loop.
 *
 * <p>Vert.x shares a server between instances only for a positive port, or for the same negative port, which
 * binds one ephemeral port for every instance that uses it. Port 0 is never shared, so an ephemeral endpoint is
 * listened on with a process-unique negative port.
 */
final class ListenerVerticle extends VerticleBase {
    private final List<Endpoint> endpoints;
    /** Port passed to listen() per endpoint: the configured one, or a negative id for a shared ephemeral port. */
    private final int[] listenPorts;
    private final ServerSettings settings;
    private final RequestDispatcher dispatcher;
    private final AtomicInteger connectionCount;

    // ---- event-loop state: confined to this verticle's context ----
    private final List<NetServer> servers = new ArrayList<>();
    private final List<Endpoint> bound = new ArrayList<>();
    private final Set<Connection> connections = new HashSet<>();
    // ---- end of event-loop state ----

    ListenerVerticle(List<Endpoint> endpoints, int[] listenPorts, ServerSettings settings,
                     RequestDispatcher dispatcher, AtomicInteger connectionCount) {
        this.endpoints = List.copyOf(endpoints);
        this.listenPorts = listenPorts.clone();
        this.settings = settings;
        this.dispatcher = dispatcher;
        this.connectionCount = connectionCount;
    }

    @Override
    public Future<?> start() {
        List<Future<NetServer>> listening = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint endpoint = endpoints.get(i);
            NetServerOptions options = new NetServerOptions()
                    .setHost(endpoint.bindHost())
                    .setPort(listenPorts[i])
                    .setTcpNoDelay(true)
                    .setReuseAddress(true);
            if (settings.sendBufferBytes() > 0) {
                options.setSendBufferSize(settings.sendBufferBytes());
            }
            if (settings.receiveBufferBytes() > 0) {
                options.setReceiveBufferSize(settings.receiveBufferBytes());
            }
            NetServer server = vertx.createNetServer(options);
            server.connectHandler(socket -> {
                Connection connection = new Connection(endpoint.listenerName(), socket, dispatcher, settings,
                        this::onConnectionClosed);
                connections.add(connection);
                connectionCount.incrementAndGet();
                connection.start();
            });
            servers.add(server);
            listening.add(server.listen().recover(err -> Future.failedFuture(bindFailure(endpoint, err))));
        }
        return Future.all(listening).map(all -> {
            for (int i = 0; i < endpoints.size(); i++) {
                bound.add(endpoints.get(i).withPort(servers.get(i).actualPort()));
            }
            return null;
        });
    }

    /** Linux errno values (the same on x86-64 and arm64) of a bind to a taken or a foreign address. */
    private static final int EADDRINUSE = 98;
    private static final int EADDRNOTAVAIL = 99;

    /**
     * The JDK reports a taken or foreign address as a {@link BindException}; Netty's native transport as an
     * {@code IOException} carrying the errno, with the system's message (localised where the system is). Both come out
     * as a {@code BindException} naming the listener.
     */
    static Throwable bindFailure(Endpoint endpoint, Throwable err) {
        String message = String.valueOf(err.getMessage());
        boolean addressError = err instanceof BindException
                || err instanceof Errors.NativeIoException nativeError
                        && (-nativeError.expectedErr() == EADDRINUSE || -nativeError.expectedErr() == EADDRNOTAVAIL);
        if (!addressError) {
            return err;
        }
        BindException e = new BindException("listener " + endpoint.listenerName() + " cannot bind "
                + endpoint.bindHost() + ":" + endpoint.port() + ": " + message);
        e.initCause(err);
        return e;
    }

    private void onConnectionClosed(Connection connection) {
        if (connections.remove(connection)) {
            connectionCount.decrementAndGet();
        }
    }

    /** Endpoints with their actual ports; valid once started. */
    List<Endpoint> boundEndpoints() {
        return List.copyOf(bound);
    }

    @Override
    public Future<?> stop() {
        List<Future<Void>> closing = new ArrayList<>();
        for (NetServer server : servers) {
            closing.add(server.close());
        }
        for (Connection connection : List.copyOf(connections)) {
            closing.add(connection.close());
        }
        return Future.join(closing);
    }
}
