package io.skua.broker.cluster;

import io.skua.broker.api.ApiException;
import io.skua.broker.api.Errors;
import io.skua.broker.cluster.ClusterRecords.BrokerRecord;
import io.skua.broker.cluster.ClusterRecords.ControllerRecord;
import io.skua.broker.cluster.ClusterRecords.EndpointRecord;
import io.skua.protocol.ApiKey;
import io.skua.protocol.ApiMessage;
import io.skua.protocol.ByteBufferReader;
import io.skua.protocol.ByteBufferWriter;
import io.skua.protocol.message.RequestHeaderData;
import io.skua.protocol.message.ResponseHeaderData;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Broker-to-controller requests over the controller's own Kafka listener (the first endpoint it advertises), in
 * the Kafka wire protocol: CreateTopics forwarded by brokers that are not the controller, AlterPartition from
 * partition leaders. Not the Vert.x event bus: after a split heals, event-bus handlers of a rejoined node were
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
    private final AtomicInteger correlation = new AtomicInteger();
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    /** The connection and the controller epoch it was made for; guarded by this. */
    private Future<NetSocket> connection;
    private int connectedEpoch = -1;

    private record Pending(ApiKey key, short version, Promise<ApiMessage> promise, long timer) {
    }

    public ControllerClient(Vertx vertx, ClusterMetadata metadata) {
        this.vertx = vertx;
        this.metadata = metadata;
        this.clientId = "skua-broker-" + metadata.nodeId();
        this.client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(5_000));
    }

    /** Sends {@code request} to the controller; the response arrives on the caller's context. */
    @SuppressWarnings("unchecked")
    public <R extends ApiMessage> Future<R> send(ApiKey key, short version, ApiMessage request) {
        return connection().compose(socket -> {
            int id = correlation.incrementAndGet();
            Promise<ApiMessage> promise = Promise.promise();
            long timer = vertx.setTimer(TIMEOUT_MS, t -> {
                Pending p = pending.remove(id);
                if (p != null) {
                    p.promise().tryFail(new ApiException(Errors.REQUEST_TIMED_OUT, key + " to the controller timed out"));
                }
            });
            pending.put(id, new Pending(key, version, promise, timer));
            RequestHeaderData header = new RequestHeaderData().setRequestApiKey(key.id()).setRequestApiVersion(version)
                    .setCorrelationId(id).setClientId(clientId);
            short hv = key.requestHeaderVersion(version);
            int size = header.size(hv) + request.size(version);
            ByteBuffer buf = ByteBuffer.allocate(4 + size).putInt(size);
            ByteBufferWriter writer = new ByteBufferWriter(buf);
            header.write(writer, hv);
            request.write(writer, version);
            socket.write(Buffer.buffer(buf.array())).onFailure(promise::tryFail);
            return promise.future().map(r -> (R) r);
        });
    }

    public Future<Void> close() {
        failAll("broker stopping");
        return client.close();
    }

    private synchronized Future<NetSocket> connection() {
        ControllerRecord controller = metadata.controller();
        BrokerRecord target = controller == null ? null : metadata.brokers().get(controller.nodeId());
        if (target == null || target.endpoints().isEmpty() || !metadata.members().contains(controller.member())) {
            return Future.failedFuture(new ApiException(Errors.NOT_CONTROLLER, "No controller is known"));
        }
        if (connection != null && connectedEpoch == controller.epoch() && !connection.failed()) {
            return connection;
        }
        if (connection != null && connection.succeeded()) {
            connection.result().close();
        }
        EndpointRecord e = target.endpoints().get(0);
        connectedEpoch = controller.epoch();
        Future<NetSocket> made = client.connect(e.port(), e.host()).onSuccess(this::attach);
        connection = made;
        LOG.log(Level.DEBUG, () -> "connecting to controller node=" + controller.nodeId() + " at " + e.host() + ":" + e.port());
        return made;
    }

    private void attach(NetSocket socket) {
        RecordParser parser = RecordParser.newFixed(4);
        int[] expected = {-1};
        parser.handler(buffer -> {
            if (expected[0] < 0) {
                expected[0] = buffer.getInt(0);
                parser.fixedSizeMode(expected[0]);
                return;
            }
            expected[0] = -1;
            parser.fixedSizeMode(4);
            onResponse(ByteBuffer.wrap(buffer.getBytes()));
        });
        socket.handler(parser);
        socket.closeHandler(v -> {
            synchronized (this) {
                if (connection != null && connection.succeeded() && connection.result() == socket) {
                    connection = null;
                }
            }
            failAll("connection to the controller closed");
        });
    }

    private void onResponse(ByteBuffer frame) {
        int id = frame.getInt(0);
        Pending p = pending.remove(id);
        if (p == null) {
            return;
        }
        vertx.cancelTimer(p.timer());
        try {
            ByteBufferReader reader = new ByteBufferReader(frame);
            new ResponseHeaderData(reader, p.key().responseHeaderVersion(p.version()));
            ApiMessage response = p.key().newResponse();
            response.read(reader, p.version());
            p.promise().tryComplete(response);
        } catch (RuntimeException e) {
            p.promise().tryFail(e);
        }
    }

    private void failAll(String why) {
        for (Integer id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                vertx.cancelTimer(p.timer());
                p.promise().tryFail(new ApiException(Errors.NOT_CONTROLLER, why));
            }
        }
    }
}
