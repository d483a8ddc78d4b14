package io.skua.broker.cluster;

import io.skua.broker.network.BrokerConnection;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.skua.broker.cluster.ClusterRecords.BrokerRecord;
import io.skua.broker.cluster.ClusterRecords.ControllerRecord;
import io.skua.broker.cluster.ClusterRecords.EndpointRecord;
import io.skua.protocol.ApiKey;
import io.skua.protocol.ApiMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.lang.System.Logger.Level;

/**
 * Broker-to-controller requests over the controller's own Kafka listener (the first endpoint it advertises), in
 * the Kafka wire protocol: topic changes forwarded by brokers that are not the controller (all through
 * {@link ControllerForwarding}), AlterPartition from partition leaders. Not the Vert.x event bus: after a split heals, event-bus handlers of a rejoined node were
 * unreachable for 40+ s (CLUSTER-NOTES).
 *
 * <p>One connection, to whoever is controller now; it is replaced when the controller changes. A request
 * fails with NOT_CONTROLLER when no controller is known, and times out after {@link #TIMEOUT_MS}.
 */
public final class ControllerClient {
    private static final System.Logger LOG = System.getLogger(ControllerClient.class.getName());
    static final long TIMEOUT_MS = 15_000;

    private final Vertx vertx;
    private final ClusterMetadata metadata;
    private final String clientId;
    private final NetClient client;
    /** The connection and the controller epoch it was made for; guarded by this. */
    private Future<BrokerConnection> connection;
    private int connectedEpoch = -1;

    public ControllerClient(Vertx vertx, ClusterMetadata metadata) {
        this.vertx = vertx;
        this.metadata = metadata;
        this.clientId = "skua-broker-" + metadata.nodeId();
        this.client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(5_000));
    }

    /** Sends {@code request} to the controller; the response arrives on the caller's context. */
    public <R extends ApiMessage> Future<R> send(ApiKey key, short version, ApiMessage request) {
        return connection().compose(c -> c.<R>send(key, version, request, TIMEOUT_MS)).recover(t ->
                t instanceof ApiException e && e.errorCode() == Errors.NETWORK_EXCEPTION
                        ? Future.failedFuture(new ApiException(Errors.NOT_CONTROLLER, "connection to the controller closed"))
                        : Future.failedFuture(t));
    }

    public synchronized Future<Void> close() {
        if (connection != null && connection.succeeded()) {
            connection.result().close();
        }
        return client.close();
    }

    private synchronized Future<BrokerConnection> connection() {
        ControllerRecord controller = metadata.controller();
        BrokerRecord target = controller == null ? null : metadata.brokers().get(controller.nodeId());
        if (target == null || target.endpoints().isEmpty() || !metadata.members().contains(controller.member())) {
            return Future.failedFuture(new ApiException(Errors.NOT_CONTROLLER, "No controller is known"));
        }
        boolean usable = connection != null && !connection.failed()
                && !(connection.succeeded() && connection.result().isClosed());
        if (usable && connectedEpoch == controller.epoch()) {
            return connection;
        }
        if (connection != null && connection.succeeded()) {
            connection.result().close();
        }
        EndpointRecord e = target.endpoints().get(0);
        connectedEpoch = controller.epoch();
        connection = BrokerConnection.connect(vertx, client, e.host(), e.port(), clientId);
        LOG.log(Level.DEBUG, () -> "connecting to controller node=" + controller.nodeId() + " at " + e.host() + ":" + e.port());
        return connection;
    }
}
