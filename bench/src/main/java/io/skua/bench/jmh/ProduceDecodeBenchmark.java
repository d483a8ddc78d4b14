package io.skua.bench.jmh;

import io.skua.broker.api.ApiHandler;
import io.skua.broker.api.ApiRegistry;
import io.skua.broker.api.KafkaDispatcher;
import io.skua.broker.api.RequestContext;
import io.skua.broker.handlers.ApiVersionsHandler;
import io.skua.broker.network.ConnectionContext;
import io.skua.broker.network.Response;
import io.skua.protocol.Errors;
import io.skua.protocol.ApiKey;
import io.skua.protocol.ApiMessage;
import io.skua.protocol.ByteBufferReader;
import io.skua.protocol.message.ProduceRequestData;
import io.skua.protocol.message.ProduceResponseData;
import io.skua.protocol.message.RequestHeaderData;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding a Produce request frame (request header + body) as {@link KafkaDispatcher} does, for one topic with 1 or 6
 * partitions, each carrying a ~16 KiB batch of 100-byte records. Records are not copied: the generated reader hands
 * out a view of the frame, so the cost should not grow with the batch size, only with the partition count.
 *
 * <ul>
 *   <li>{@code decode}: {@link RequestHeaderData} + {@link ProduceRequestData#read} on the frame, nothing else.</li>
 *   <li>{@code dispatch}: the whole {@link KafkaDispatcher#dispatch} path (API key/version checks, handler lookup,
 *       decoding, trailing-bytes check, {@link RequestContext}) with a Produce handler that only keeps the request
 *       and answers "no response", so no storage work and no response encoding is measured.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProduceDecodeBenchmark {
    @Param({"1", "6"})
    public int partitions;

    private short version;
    private short headerVersion;
    private ByteBuffer frame;
    private KafkaDispatcher dispatcher;
    private ConnectionContext conn;
    private ProduceHandlerStub handler;

    @Setup(Level.Trial)
    public void setup() {
        version = BenchData.servedVersion(ApiKey.PRODUCE);
        headerVersion = ApiKey.PRODUCE.requestHeaderVersion(version);
        frame = BenchData.produceRequestFrame(version, partitions, BenchData.recordBatch(1));
        handler = new ProduceHandlerStub();
        ApiRegistry registry = new ApiRegistry().register(handler);
        dispatcher = new KafkaDispatcher(registry,
                () -> new ApiVersionsHandler(registry).response(Errors.UNSUPPORTED_VERSION));
        conn = new StubConnection();
        // Fail here, not in the measurement, if the frame does not decode to what was written.
        ProduceRequestData decoded = decode();
        int parts = decoded.topicData().get(0).partitionData().size();
        int bytes = decoded.topicData().get(0).partitionData().get(0).records().sizeInBytes();
        if (parts != partitions || bytes < BenchData.BATCH_BYTES - 256) {
            throw new IllegalStateException("decoded " + parts + " partitions, first batch " + bytes + " bytes");
        }
        dispatch();
        if (handler.last == null) {
            throw new IllegalStateException("the dispatcher did not reach the handler");
        }
    }

    @Benchmark
    public ProduceRequestData decode() {
        ByteBufferReader reader = new ByteBufferReader(frame.duplicate());
        RequestHeaderData header = new RequestHeaderData(reader, headerVersion);
        ProduceRequestData request = new ProduceRequestData();
        request.read(reader, version);
        if (reader.remaining() != 0 || header.correlationId() != 42) {
            throw new IllegalStateException("bad frame");
        }
        return request;
    }

    @Benchmark
    public Future<Response> dispatch() {
        return dispatcher.dispatch(conn, frame.duplicate());
    }

    /** Keeps the decoded request (so it cannot be optimised away) and answers "no response", like acks=0. */
    static final class ProduceHandlerStub implements ApiHandler<ProduceRequestData, ProduceResponseData> {
        ProduceRequestData last;

        @Override
        public ApiKey apiKey() {
            return ApiKey.PRODUCE;
        }

        @Override
        public Future<ProduceResponseData> handle(RequestContext ctx, ProduceRequestData request) {
            last = request;
            return Future.succeededFuture(null);
        }
    }

    static final class StubConnection implements ConnectionContext {
        private final SocketAddress remote = SocketAddress.inetSocketAddress(50123, "127.0.0.1");
        private final SocketAddress local = SocketAddress.inetSocketAddress(9092, "127.0.0.1");

        @Override
        public long connectionId() {
            return 1;
        }

        @Override
        public String listenerName() {
            return "PLAINTEXT";
        }

        @Override
        public SocketAddress remoteAddress() {
            return remote;
        }

        @Override
        public SocketAddress localAddress() {
            return local;
        }

        @Override
        public Context context() {
            return null;
        }

        @Override
        public boolean isOpen() {
            return true;
        }
    }
}
