package io.skua.broker.cluster;

import io.skua.broker.api.ApiException;
import io.skua.broker.api.Errors;
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
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One plain TCP connection to another broker's Kafka listener, speaking the Kafka wire protocol with Skua's codec:
 * length-prefixed frames, correlation ids, responses decoded with the request's api key and version. Requests may be
 * pipelined, from any thread; each fails after its own timeout, and all pending ones fail when the connection
 * closes. Used by the replica fetchers (Fetch, OffsetForLeaderEpoch to the partition leader) and the
 * {@link ControllerClient}.
 */
final class BrokerConnection {
    private final Vertx vertx;
    private final String clientId;
    private final NetSocket socket;
    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger correlation = new AtomicInteger();
    private volatile boolean closed;

    private record Pending(ApiKey key, short version, Promise<ApiMessage> promise, long timer) {
    }

    private BrokerConnection(Vertx vertx, String clientId, NetSocket socket) {
        this.vertx = vertx;
        this.clientId = clientId;
        this.socket = socket;
    }

    /** Connects; the returned connection's callbacks run on the caller's context. */
    static Future<BrokerConnection> connect(Vertx vertx, NetClient client, String host, int port, String clientId) {
        return client.connect(port, host).map(socket -> {
            BrokerConnection c = new BrokerConnection(vertx, clientId, socket);
            c.attach();
            return c;
        });
    }

    boolean isClosed() {
        return closed;
    }

    @SuppressWarnings("unchecked")
    <R extends ApiMessage> Future<R> send(ApiKey key, short version, ApiMessage request, long timeoutMs) {
        if (closed) {
            return Future.failedFuture(new ApiException(Errors.NETWORK_EXCEPTION, "connection closed"));
        }
        int id = correlation.incrementAndGet();
        Promise<ApiMessage> promise = Promise.promise();
        long timer = vertx.setTimer(timeoutMs, t -> {
            Pending p = pending.remove(id);
            if (p != null) {
                p.promise().tryFail(new ApiException(Errors.REQUEST_TIMED_OUT, key + " timed out"));
                close(); // a late answer would be out of order for nobody, but the peer is likely gone
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
    }

    void close() {
        if (!closed) {
            closed = true;
            socket.close();
            failAll();
        }
    }

    private void attach() {
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
            closed = true;
            failAll();
        });
        socket.exceptionHandler(t -> close());
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

    private void failAll() {
        for (Integer id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                vertx.cancelTimer(p.timer());
                p.promise().tryFail(new ApiException(Errors.NETWORK_EXCEPTION, "connection closed"));
            }
        }
    }
}
