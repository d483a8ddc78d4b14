package io.skua.broker;

import io.skua.broker.lifecycle.Lifecycle;

import io.skua.broker.cluster.ClusterNode;
import io.skua.broker.config.BrokerConfig;
import io.skua.broker.config.Endpoint;
import io.skua.broker.network.VertxAccess;
import io.skua.broker.network.KafkaServer;
import io.skua.broker.network.RequestDispatcher;
import io.skua.broker.network.ServerSettings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One broker, embeddable: {@code SkuaBroker.start(config)} in-process (tests use port 0), {@link #close()} to stop.
 *
 * <p>Start order: data directories, then {@link Lifecycle} components in order, then the listeners. Stop order is
 * the reverse: listeners (connections closed), components, and the Vert.x instance if the broker created it.
 */
public final class SkuaBroker {
    private static final System.Logger LOG = System.getLogger(SkuaBroker.class.getName());

    private final BrokerConfig config;
    private final Vertx vertx;
    private final boolean ownsVertx;
    private final ClusterNode clusterNode;
    private final List<Lifecycle> components;
    private final KafkaServer server;
    private final List<Endpoint> advertised;
    private Future<Void> closing;

    private SkuaBroker(BrokerConfig config, Vertx vertx, boolean ownsVertx, ClusterNode clusterNode,
                       List<Lifecycle> components, KafkaServer server) {
        this.config = config;
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.clusterNode = clusterNode;
        this.components = components;
        this.server = server;
        this.advertised = resolveAdvertised(config.advertisedListeners(), server.boundEndpoints());
    }

    /** Starts a complete broker (every Kafka API Skua serves) with its own Vert.x instance. */
    public static Future<SkuaBroker> start(BrokerConfig config) {
        return builder(config).protocol(KafkaProtocol::create).start();
    }

    public static Builder builder(BrokerConfig config) {
        return new Builder(config);
    }

    /** The Vert.x options a standalone broker runs with. */
    public static VertxOptions vertxOptions(BrokerConfig config) {
        return new VertxOptions()
                .setEventLoopPoolSize(config.numNetworkThreads())
                .setPreferNativeTransport(config.nativeTransportEnabled())
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)
                        .setClassPathResolvingEnabled(false));
    }

    public BrokerConfig config() {
        return config;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Actual port of the first listener (useful with port 0). */
    public int boundPort() {
        return server.port();
    }

    /** Actual port of the named listener. */
    public int boundPort(String listenerName) {
        return server.port(listenerName);
    }

    /** Listeners as bound, port 0 replaced by the actual port. */
    public List<Endpoint> boundListeners() {
        return server.boundEndpoints();
    }

    /** Endpoints to hand to clients (metadata), port 0 replaced by the actual port of the same listener. */
    public List<Endpoint> advertisedListeners() {
        return advertised;
    }

    public KafkaServer server() {
        return server;
    }

    /** The first started component of {@code type} (the topic manager, ...), for diagnostics and tests. */
    public <T> java.util.Optional<T> component(Class<T> type) {
        return components.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** Stops listening, closes connections, stops components, closes Vert.x if owned. Idempotent. */
    public synchronized Future<Void> close() {
        if (closing == null) {
            Future<Void> chain = server.close();
            List<Lifecycle> reversed = new ArrayList<>(components);
            Collections.reverse(reversed);
            for (Lifecycle component : reversed) {
                chain = chain.eventually(component::stop);
            }
            // Contextless: its listeners must not need an event loop of the Vert.x instance being closed.
            Promise<Void> done = Promise.promise();
            chain.onComplete(ar -> {
                Future<Void> last = ownsVertx ? closeVertx(vertx, clusterNode) : Future.succeededFuture();
                last.onComplete(x -> {
                    LOG.log(Level.DEBUG, () -> "broker stopped node=" + config.nodeId());
                    done.handle(ar.failed() ? ar : x);
                });
            });
            closing = done.future();
        }
        return closing;
    }

    /**
     * Closes a Vert.x instance from a thread of its own. Called on one of its event loops, {@code close()} would bind
     * its future to that loop, which is terminated by the time the future completes: nobody would hear of it.
     */
    private static Future<Void> closeVertx(Vertx v, ClusterNode node) {
        Promise<Void> closed = Promise.promise();
        Thread closer = new Thread(() -> v.close().onComplete(ar -> {
            if (node != null) {
                // Vert.x is closed (it is not clustered): now leave JGroups and stop the caches.
                try {
                    node.stop();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cluster stop failed: " + e);
                }
            }
            closed.handle(ar);
        }), "skua-vertx-close");
        closer.setDaemon(true);
        closer.start();
        return closed.future();
    }

    private static List<Endpoint> resolveAdvertised(List<Endpoint> advertised, List<Endpoint> bound) {
        List<Endpoint> resolved = new ArrayList<>();
        for (Endpoint a : advertised) {
            if (a.port() != 0) {
                resolved.add(a);
                continue;
            }
            int port = bound.stream().filter(b -> b.listenerName().equals(a.listenerName())).findFirst()
                    .map(Endpoint::port).orElse(0);
            resolved.add(a.withPort(port));
        }
        return List.copyOf(resolved);
    }

    /** Assembles a broker; the protocol layer supplies the dispatcher and components. */
    public static final class Builder {
        private final BrokerConfig config;
        private Vertx vertx;
        private RequestDispatcher dispatcher = new NoHandlersDispatcher();
        private final List<Lifecycle> components = new ArrayList<>();
        private java.util.function.BiFunction<Vertx, BrokerConfig, KafkaProtocol> protocol;

        private Builder(BrokerConfig config) {
            this.config = config;
        }

        /** Runs on this Vert.x instance (not closed by the broker). Default: a new one, closed by {@link #close()}. */
        public Builder vertx(Vertx vertx) {
            this.vertx = vertx;
            return this;
        }

        public Builder dispatcher(RequestDispatcher dispatcher) {
            this.dispatcher = dispatcher;
            return this;
        }

        /** The protocol layer, made once the Vert.x instance exists: its dispatcher and components. */
        public Builder protocol(java.util.function.BiFunction<Vertx, BrokerConfig, KafkaProtocol> factory) {
            this.protocol = factory;
            return this;
        }

        /** Started in order before the listeners, stopped in reverse after them. */
        public Builder component(Lifecycle component) {
            components.add(component);
            return this;
        }

        public Future<SkuaBroker> start() {
            logIgnoredProperties(config);
            if (vertx == null && config.clustered()) {
                // Clustered: joining takes seconds (discovery, state transfer) and happens off the caller's thread.
                return ClusterNode.startVertx(config, vertxOptions(config)).compose(v -> start(v, true, () -> ClusterNode.of(v)));
            }
            boolean owns = vertx == null;
            return start(owns ? Vertx.vertx(vertxOptions(config)) : vertx, owns, null);
        }

        private Future<SkuaBroker> start(Vertx v, boolean owns, java.util.function.Supplier<ClusterNode> clusterNode) {
            ClusterNode node = clusterNode == null ? null : clusterNode.get();
            VertxAccess.loadEveryContextType(v);
            KafkaProtocol layer = protocol == null ? null : protocol.apply(v, config);
            if (layer != null) {
                dispatcher = layer.dispatcher();
                components.addAll(0, layer.components());
            }
            List<Lifecycle> started = new ArrayList<>();
            ServerSettings settings = new ServerSettings(config.socketRequestMaxBytes(),
                    config.queuedMaxRequestsPerConnection(), config.socketSendBufferBytes(),
                    config.socketReceiveBufferBytes(), config.numNetworkThreads(), config.zeroCopyEnabled());

            Future<Void> ready = v.executeBlocking(() -> {
                for (Path dir : config.logDirs()) {
                    Files.createDirectories(dir);
                }
                return null;
            });
            for (Lifecycle component : components) {
                ready = ready.compose(x -> component.start().onSuccess(y -> started.add(component)));
            }
            Future<SkuaBroker> broker = ready
                    .compose(x -> KafkaServer.start(v, config.listeners(), settings, dispatcher))
                    .map(server -> new SkuaBroker(config, v, owns, node, List.copyOf(components), server))
                    .andThen(ar -> {
                        if (ar.succeeded() && layer != null) {
                            layer.started().accept(ar.result());
                        }
                    });
            // Contextless result: on failure an owned Vert.x is closed, and no listener may depend on its loops.
            Promise<SkuaBroker> result = Promise.promise();
            broker.onComplete(ar -> {
                if (ar.succeeded()) {
                    result.complete(ar.result());
                    return;
                }
                Future<Void> undo = Future.succeededFuture();
                List<Lifecycle> reversed = new ArrayList<>(started);
                Collections.reverse(reversed);
                for (Lifecycle component : reversed) {
                    undo = undo.eventually(component::stop);
                }
                undo.onComplete(x -> (owns ? closeVertx(v, node) : Future.<Void>succeededFuture())
                        .onComplete(y -> result.fail(ar.cause())));
            });
            return result.future();
        }

        private static void logIgnoredProperties(BrokerConfig config) {
            if (!config.unknownProperties().isEmpty()) {
                LOG.log(Level.WARNING, "unknown configuration properties ignored: "
                        + String.join(", ", config.unknownProperties()));
            }
            if (!config.inapplicableProperties().isEmpty()) {
                LOG.log(Level.INFO, "Kafka properties not used by Skua ignored: "
                        + String.join(", ", config.inapplicableProperties()));
            }
        }
    }
}
