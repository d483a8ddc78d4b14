package io.skua.broker.network;

import io.skua.broker.config.Endpoint;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The listening side of the broker: every configured endpoint, connections spread over
 * {@link ServerSettings#instances()} event loops.
 *
 * <p>Start is two-phase: one instance binds the ports (so a bind failure is reported once and the actual ports are
 * known), then the other instances join the same server sockets (Vert.x server sharing).
 */
public final class KafkaServer {
    private static final System.Logger LOG = System.getLogger(KafkaServer.class.getName());
    /** Vert.x shares an ephemeral port between servers listening on the same negative port: one id per endpoint. */
    private static final AtomicInteger EPHEMERAL_IDS = new AtomicInteger();

    private final Vertx vertx;
    private final List<String> deploymentIds;
    private final List<Endpoint> boundEndpoints;
    private final AtomicInteger connectionCount;
    private Future<Void> closing;

    private KafkaServer(Vertx vertx, List<String> deploymentIds, List<Endpoint> boundEndpoints,
                        AtomicInteger connectionCount) {
        this.vertx = vertx;
        this.deploymentIds = deploymentIds;
        this.boundEndpoints = boundEndpoints;
        this.connectionCount = connectionCount;
    }

    public static Future<KafkaServer> start(Vertx vertx, List<Endpoint> endpoints, ServerSettings settings,
                                            RequestDispatcher dispatcher) {
        if (endpoints.isEmpty()) {
            return Future.failedFuture(new IllegalArgumentException("no listeners"));
        }
        AtomicInteger connections = new AtomicInteger();
        int[] listenPorts = new int[endpoints.size()];
        for (int i = 0; i < listenPorts.length; i++) {
            int port = endpoints.get(i).port();
            listenPorts[i] = port == 0 ? -EPHEMERAL_IDS.incrementAndGet() : port;
        }
        ListenerVerticle first = new ListenerVerticle(endpoints, listenPorts, settings, dispatcher, connections);
        return vertx.deployVerticle(first).compose(firstId -> {
            List<Endpoint> bound = first.boundEndpoints();
            int more = settings.instances() - 1;
            if (more == 0) {
                return Future.succeededFuture(new KafkaServer(vertx, List.of(firstId), bound, connections));
            }
            return vertx.deployVerticle(() -> new ListenerVerticle(endpoints, listenPorts, settings, dispatcher, connections),
                            new DeploymentOptions().setInstances(more))
                    .map(otherId -> new KafkaServer(vertx, List.of(firstId, otherId), bound, connections))
                    .recover(err -> vertx.undeploy(firstId).transform(ignored -> Future.failedFuture(err)));
        }).onSuccess(server -> LOG.log(System.Logger.Level.DEBUG,
                () -> "listening endpoints=" + server.boundEndpoints + " instances=" + settings.instances()));
    }

    /** The endpoints as bound: same order as configured, port 0 replaced by the actual port. */
    public List<Endpoint> boundEndpoints() {
        return boundEndpoints;
    }

    /** Actual port of the first listener. */
    public int port() {
        return boundEndpoints.get(0).port();
    }

    /** Actual port of the named listener. */
    public int port(String listenerName) {
        return boundEndpoints.stream().filter(e -> e.listenerName().equals(listenerName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no listener " + listenerName)).port();
    }

    /** Connections currently open, over all instances. */
    public int connectionCount() {
        return connectionCount.get();
    }

    /** Stops listening and closes every connection. Idempotent. */
    public synchronized Future<Void> close() {
        if (closing == null) {
            List<String> ids = new ArrayList<>(deploymentIds);
            Collections.reverse(ids);
            Future<Void> chain = Future.succeededFuture();
            for (String id : ids) {
                chain = chain.eventually(() -> vertx.undeploy(id));
            }
            closing = chain;
        }
        return closing;
    }
}
