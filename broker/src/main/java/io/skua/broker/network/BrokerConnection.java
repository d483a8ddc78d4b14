package io.skua.broker.network;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
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
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
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
public final class BrokerConnection {
    /** Bounds a response frame (a fetch answer is at most its request's max bytes, far below this). */
    private static final int MAX_RESPONSE_BYTES = 1 << 30;
    private static final UnpooledByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);

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
    public static Future<BrokerConnection> connect(Vertx vertx, NetClient client, String host, int port, String clientId) {
        return client.connect(port, host).map(socket -> {
            BrokerConnection c = new BrokerConnection(vertx, clientId, socket);
            c.attach();
            return c;
        });
    }

    public boolean isClosed() {
        return closed;
    }

    @SuppressWarnings("unchecked")
    public <R extends ApiMessage> Future<R> send(ApiKey key, short version, ApiMessage request, long timeoutMs) {
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

    public void close() {
        if (!closed) {
            closed = true;
            socket.close();
            failAll();
        }
    }

    /**
     * Responses are read from the socket's pooled buffers (no Vert.x heap copy per read) and framed by the broker's
     * own {@link FrameDecoder}; a frame spanning reads is assembled on the heap, one that lies within a read is
     * copied out of it once, since the decoded response (fetched records) outlives the read.
     */
    private void attach() {
        FrameDecoder decoder = new FrameDecoder(MAX_RESPONSE_BYTES, HEAP);
        NetSocketInternal raw = (NetSocketInternal) socket;
        raw.messageHandler(message -> {
            if (closed || !(message instanceof ByteBuf chunk)) {
                ReferenceCountUtil.release(message);
                return;
            }
            decoder.offer(chunk);
            try {
                while (decoder.decodeNext(this::onFrame)) {
                    // one response per frame
                }
            } catch (RuntimeException e) { // an impossible size: the peer is broken
                decoder.fail();
                close();
            }
        });
        socket.closeHandler(v -> {
            closed = true;
            decoder.fail();
            failAll();
        });
        socket.exceptionHandler(t -> close());
    }

    private void onFrame(ByteBuf frame) {
        ByteBuffer bytes;
        if (frame.alloc() == HEAP && frame.hasArray()) { // assembled by the decoder on the unpooled heap: ours to keep
            bytes = ByteBuffer.wrap(frame.array(), frame.arrayOffset() + frame.readerIndex(), frame.readableBytes())
                    .slice();
        } else {
            bytes = ByteBuffer.allocate(frame.readableBytes());
            frame.readBytes(bytes);
            bytes.flip();
        }
        frame.release();
        onResponse(bytes);
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
