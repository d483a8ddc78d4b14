package io.skua.broker.network;

import io.skua.broker.config.Endpoint;
import io.skua.broker.config.SecurityProtocol;
import io.skua.broker.testing.Await;
import io.skua.broker.testing.LogCapture;
import io.skua.broker.testing.RawClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaServerTest {
    private Vertx vertx;
    private KafkaServer server;
    private final List<RawClient> clients = new ArrayList<>();

    /** Requests seen by the dispatcher, in arrival order. */
    private final List<String> dispatched = new CopyOnWriteArrayList<>();
    /** Promises of requests the test completes itself ("hold:" requests). */
    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();

    record Held(String payload, Promise<Response> promise) {
    }

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (RawClient client : clients) {
            client.close();
        }
        if (server != null) {
            await(server.close());
        }
        await(vertx.close());
    }

    // ---- helpers ----

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Endpoint plaintext(int port) {
        return new Endpoint("PLAINTEXT", SecurityProtocol.PLAINTEXT, "127.0.0.1", port);
    }

    private static String text(ByteBuffer frame) {
        return StandardCharsets.UTF_8.decode(frame.duplicate()).toString();
    }

    private static Response echo(String text) {
        return Response.of(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The scripted dispatcher: "hold:x" is completed later by the test, "none" expects no response,
     * "boom" throws, anything else is echoed at once.
     */
    private Future<Response> scripted(ConnectionContext ctx, ByteBuffer frame) {
        String payload = text(frame);
        dispatched.add(payload);
        if (payload.startsWith("hold:")) {
            Promise<Response> promise = Promise.promise();
            held.add(new Held(payload, promise));
            return promise.future();
        }
        if (payload.equals("none")) {
            return Future.succeededFuture(Response.none());
        }
        if (payload.equals("boom")) {
            throw new IllegalStateException("boom");
        }
        return Future.succeededFuture(echo(payload));
    }

    private void start(ServerSettings settings, RequestDispatcher dispatcher) throws Exception {
        server = await(KafkaServer.start(vertx, List.of(plaintext(0)), settings, dispatcher));
    }

    private void start(ServerSettings settings) throws Exception {
        start(settings, this::scripted);
    }

    private static ServerSettings settings() {
        return ServerSettings.defaults().withInstances(2);
    }

    private RawClient connect() throws Exception {
        RawClient client = new RawClient("127.0.0.1", server.port());
        clients.add(client);
        return client;
    }

    // ---- framing ----

    @Test
    void shouldReportTheEphemeralPortItBound() throws Exception {
        start(settings());
        assertNotEquals(0, server.port());
        assertEquals(server.port(), server.port("PLAINTEXT"));
        assertEquals(server.port(), server.boundEndpoints().get(0).port());
    }

    @Test
    void shouldDecodeFramesSplitAcrossManyWrites() throws Exception {
        // Given
        start(settings());
        RawClient client = connect();
        byte[] wire = RawClient.frame("a frame that arrives in pieces");

        // When it is written one byte at a time
        for (byte b : wire) {
            client.writeRaw(new byte[] {b});
        }

        // Then
        assertEquals("a frame that arrives in pieces", client.readString());
    }

    @Test
    void shouldAnswerManyFramesWrittenAtOnceInOrder() throws Exception {
        // Given
        start(settings());
        RawClient client = connect();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 500; i++) {
            wire.write(RawClient.frame("request-" + i));
        }

        // When
        client.writeRaw(wire.toByteArray());

        // Then
        for (int i = 0; i < 500; i++) {
            assertEquals("request-" + i, client.readString());
        }
    }

    @Test
    void shouldCloseConnectionOnOversizedPrefix() throws Exception {
        // Given a 1 KiB limit
        try (LogCapture logs = new LogCapture("io.skua.broker.network", Level.WARNING)) {
            start(settings().withMaxRequestBytes(1024));
            RawClient bad = connect();
            RawClient good = connect();

            // When a client declares 1025 bytes (and sends nothing more)
            bad.writeRaw(ByteBuffer.allocate(4).putInt(1025).array());

            // Then the connection is closed, with one log line naming address and size
            assertTrue(bad.awaitClosedByServer());
            Await.until("warning logged", () -> logs.messages().size() == 1);
            String line = logs.messages().get(0);
            assertTrue(line.contains("size=1025"), line);
            assertTrue(line.contains("remote=127.0.0.1:" + bad.socket().getLocalPort()), line);

            // And other connections are unaffected
            good.send("still here");
            assertEquals("still here", good.readString());
            Await.until("bad connection removed", () -> server.connectionCount() == 1);
        }
    }

    @Test
    void shouldCloseConnectionOnHugePrefixWithoutWaitingForItsBytes() throws Exception {
        start(settings());
        RawClient client = connect();
        client.writeRaw(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
        assertTrue(client.awaitClosedByServer());
    }

    @Test
    void shouldCloseConnectionOnNegativeSize() throws Exception {
        start(settings());
        RawClient client = connect();
        client.send("ok");
        assertEquals("ok", client.readString());

        client.writeRaw(ByteBuffer.allocate(4).putInt(-5).array());

        assertTrue(client.awaitClosedByServer());
    }

    // ---- ordering ----

    @Test
    void shouldWriteResponsesInRequestOrderWhenHandlersCompleteOutOfOrder() throws Exception {
        // Given three held requests and one immediate one
        start(settings());
        RawClient client = connect();
        client.send("hold:1");
        client.send("hold:2");
        client.send("hold:3");
        client.send("now:4");
        Await.until("all dispatched", () -> dispatched.size() == 4);

        // When the held ones complete in reverse order, from a foreign thread
        List<Held> promises = new ArrayList<>(held);
        ExecutorService foreign = Executors.newSingleThreadExecutor();
        try {
            for (int i = promises.size() - 1; i >= 0; i--) {
                Held h = promises.get(i);
                foreign.submit(() -> h.promise().complete(echo(h.payload()))).get();
            }
        } finally {
            foreign.shutdown();
        }

        // Then responses come back in request order
        assertEquals("hold:1", client.readString());
        assertEquals("hold:2", client.readString());
        assertEquals("hold:3", client.readString());
        assertEquals("now:4", client.readString());
    }

    @Test
    void shouldSkipRequestsThatExpectNoResponse() throws Exception {
        // Given an acks=0-style request between two held ones, and one completed later with none
        start(settings());
        RawClient client = connect();
        client.send("hold:a");
        client.send("none");
        client.send("hold:late-none");
        client.send("b");
        Await.until("all dispatched", () -> dispatched.size() == 4);

        // When
        List<Held> promises = new ArrayList<>(held);
        promises.get(1).promise().complete(Response.none());
        promises.get(0).promise().complete(echo("a"));

        // Then only the requests with a response are answered, in order
        assertEquals("a", client.readString());
        assertEquals("b", client.readString());
        client.send("c");
        assertEquals("c", client.readString());
    }

    @Test
    void shouldNotLetImmediateNoResponseRequestsCountAsInFlight() throws Exception {
        // Given an in-flight limit of 2
        start(settings().withMaxInFlight(2));
        RawClient client = connect();

        // When 100 fire-and-forget requests arrive, then a normal one
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            wire.write(RawClient.frame("none"));
        }
        wire.write(RawClient.frame("done"));
        client.writeRaw(wire.toByteArray());

        // Then the normal one is answered
        assertEquals("done", client.readString());
        assertEquals(101, dispatched.size());
    }

    // ---- backpressure ----

    @Test
    void shouldPauseReadingAtTheInFlightLimit() throws Exception {
        // Given a limit of 4 and a dispatcher that holds every request
        start(settings().withMaxInFlight(4));
        RawClient client = connect();

        // When 20 requests arrive in one write
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 20; i++) {
            wire.write(RawClient.frame("hold:" + i));
        }
        client.writeRaw(wire.toByteArray());

        // Then only 4 are dispatched, and it stays so
        Await.until("4 dispatched", () -> dispatched.size() == 4);
        Await.holds("no more dispatched while 4 are in flight", Duration.ofMillis(200), () -> dispatched.size() == 4);

        // When the held requests complete, reading resumes until all are answered in order
        for (int answered = 0; answered < 20; answered++) {
            Await.until("a held request", () -> !held.isEmpty());
            Held h = held.poll();
            h.promise().complete(echo(h.payload()));
            assertEquals("hold:" + answered, client.readString());
            int limit = answered + 1 + 4;
            assertTrue(dispatched.size() <= limit, "dispatched " + dispatched.size() + " > " + limit);
        }
        assertEquals(20, dispatched.size());
    }

    @Test
    void shouldPauseReadingWhileTheClientDoesNotReadResponses() throws Exception {
        // Given 256 KiB responses and a client that stops reading
        byte[] big = new byte[256 * 1024];
        AtomicInteger count = new AtomicInteger();
        start(settings().withMaxInFlight(1000),
                (ctx, frame) -> {
                    count.incrementAndGet();
                    return Future.succeededFuture(Response.of(ByteBuffer.wrap(big)));
                });
        RawClient client = connect();
        client.socket().setReceiveBufferSize(64 * 1024);
        int requests = 400; // 100 MiB of responses, far beyond socket buffers
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < requests; i++) {
                    client.send("r" + i);
                }
            } catch (Exception ignored) {
                // closed at teardown
            }
        });
        writer.start();

        // Then the server stops dispatching well before all requests are read
        Await.until("some dispatched", () -> count.get() > 0);
        Await.holds("dispatch stalls while responses pile up", Duration.ofMillis(300), () -> count.get() < requests);

        // When the client reads, everything is answered
        for (int i = 0; i < requests; i++) {
            assertEquals(big.length, client.readFrame().length);
        }
        writer.join(10_000);
        assertEquals(requests, count.get());
    }

    // ---- failures ----

    @Test
    void shouldDropResponsesQuietlyWhenTheClientVanishesMidRequest() throws Exception {
        try (LogCapture logs = new LogCapture("io.skua", Level.WARNING)) {
            // Given a client with held requests and a second, healthy client
            start(settings());
            RawClient leaving = connect();
            RawClient staying = connect();
            leaving.send("hold:1");
            leaving.send("hold:2");
            Await.until("both dispatched", () -> held.size() == 2);

            // When the first client disconnects and its requests complete afterwards
            leaving.close();
            Await.until("connection gone", () -> server.connectionCount() == 1);
            for (Held h : held) {
                h.promise().complete(echo(h.payload()));
            }

            // Then the other client is served and nothing was logged above INFO
            staying.send("hello");
            assertEquals("hello", staying.readString());
            assertEquals(List.of(), logs.messages());
        }
    }

    @Test
    void shouldCloseOnlyTheConnectionWhoseDispatchFailed() throws Exception {
        try (LogCapture logs = new LogCapture("io.skua.broker.network", Level.WARNING)) {
            start(settings());
            RawClient failing = connect();
            RawClient healthy = connect();
            failing.send("hold:never-answered");
            failing.send("boom");
            failing.send("after");

            assertTrue(failing.awaitClosedByServer());
            healthy.send("fine");
            assertEquals("fine", healthy.readString());
            Await.until("one warning", () -> logs.messages().size() == 1);
            assertTrue(logs.messages().get(0).contains("dispatch failed"), logs.messages().get(0));
            // the held request completing after the close is dropped quietly
            held.forEach(h -> h.promise().complete(echo("late")));
            assertEquals(1, logs.messages().size());
        }
    }

    @Test
    void shouldCloseTheConnectionWhenTheFutureFails() throws Exception {
        start(settings(), (ctx, frame) -> Future.failedFuture(new RuntimeException("handler failed")));
        RawClient client = connect();
        client.send("x");
        assertTrue(client.awaitClosedByServer());
    }

    // ---- responses with file parts ----

    /** Replaces the test's Vert.x with one on the given transport ("nio" or "epoll", which must load here). */
    private void useTransport(String transport) throws Exception {
        await(vertx.close());
        vertx = Vertx.builder().withTransport(transport.equals("epoll") ? Transport.EPOLL : Transport.NIO).build();
        assertEquals(transport.equals("epoll"), vertx.isNativeTransportEnabled(), "transport " + transport);
    }

    @ParameterizedTest(name = "transport={0} zeroCopy={1}")
    @CsvSource({"nio,true", "nio,false", "epoll,true", "epoll,false"})
    void shouldSendFilePartsBetweenInMemoryParts(String transport, boolean zeroCopy, @TempDir Path dir)
            throws Exception {
        // Given a file and a dispatcher answering with head + file region + tail
        useTransport(transport);
        Path file = dir.resolve("00000000000000000000.log");
        byte[] content = new byte[3 * 1024 * 1024 + 7];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        Files.write(file, content);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            int position = 5;
            int count = content.length - 10;
            BiFunction<ConnectionContext, ByteBuffer, Future<Response>> answer = (ctx, frame) ->
                    Future.succeededFuture(Response.of(List.of(
                            new ResponsePart.Bytes(ByteBuffer.wrap("head".getBytes(StandardCharsets.UTF_8))),
                            new ResponsePart.FileRegion(channel, position, count),
                            new ResponsePart.Bytes(ByteBuffer.wrap("tail".getBytes(StandardCharsets.UTF_8))))));
            start(settings().withZeroCopy(zeroCopy), answer::apply);
            RawClient client = connect();

            // When two requests are answered
            client.send("fetch");
            client.send("fetch");
            byte[] first = client.readFrame();
            byte[] second = client.readFrame();

            // Then each frame is head + the region + tail, size prefix included
            byte[] expected = new byte[4 + count + 4];
            System.arraycopy("head".getBytes(StandardCharsets.UTF_8), 0, expected, 0, 4);
            System.arraycopy(content, position, expected, 4, count);
            System.arraycopy("tail".getBytes(StandardCharsets.UTF_8), 0, expected, 4 + count, 4);
            assertArrayEquals(expected, first);
            assertArrayEquals(expected, second);

            // And the storage-owned channel is still open
            assertTrue(channel.isOpen());
        }
    }

    @ParameterizedTest(name = "transport={0}")
    @ValueSource(strings = {"nio", "epoll"})
    void shouldCloseOnlyTheConnectionWhoseFileRegionOutlivedTheFile(String transport, @TempDir Path dir)
            throws Exception {
        // Given a response whose file region reaches past the end of the file (the segment was truncated after
        // the fetch read it), and a small echo for every other request
        useTransport(transport);
        Path file = dir.resolve("00000000000000000000.log");
        Files.write(file, new byte[1000]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            BiFunction<ConnectionContext, ByteBuffer, Future<Response>> answer = (ctx, frame) ->
                    text(frame).equals("stale")
                            ? Future.succeededFuture(Response.of(List.of(
                                    new ResponsePart.Bytes(ByteBuffer.wrap("head".getBytes(StandardCharsets.UTF_8))),
                                    new ResponsePart.FileRegion(channel, 500, 4000))))
                            : Future.succeededFuture(echo(text(frame)));
            start(settings(), answer::apply);
            RawClient victim = connect();
            RawClient bystander = connect();

            // When the stale region is sent
            victim.send("stale");

            // Then that connection is closed (the transport does not spin on a short file)
            assertTrue(victim.awaitClosedByServer());
            // And another client is still answered, and the storage-owned channel is still open
            bystander.send("ping");
            assertEquals("ping", new String(bystander.readFrame(), StandardCharsets.UTF_8));
            assertTrue(channel.isOpen());
        }
    }

    // ---- listeners and event loops ----

    @Test
    void shouldSpreadConnectionsOverEventLoops() throws Exception {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        start(ServerSettings.defaults().withInstances(4), (ctx, frame) -> {
            threads.add(Thread.currentThread().getName());
            return Future.succeededFuture(echo("ok"));
        });
        for (int i = 0; i < 8; i++) {
            RawClient client = connect();
            client.send("x");
            assertEquals("ok", client.readString());
        }
        assertTrue(threads.size() > 1, "threads=" + threads);
        assertEquals(8, server.connectionCount());
    }

    @Test
    void shouldListenOnEveryEndpoint() throws Exception {
        Endpoint a = new Endpoint("PLAINTEXT", SecurityProtocol.PLAINTEXT, "127.0.0.1", 0);
        Endpoint b = new Endpoint("INTERNAL", SecurityProtocol.PLAINTEXT, "127.0.0.1", 0);
        Set<String> listeners = new HashSet<>();
        server = await(KafkaServer.start(vertx, List.of(a, b), settings(), (ctx, frame) -> {
            synchronized (listeners) {
                listeners.add(ctx.listenerName());
            }
            return Future.succeededFuture(echo(ctx.listenerName()));
        }));

        try (RawClient ca = new RawClient("127.0.0.1", server.port("PLAINTEXT"));
             RawClient cb = new RawClient("127.0.0.1", server.port("INTERNAL"))) {
            ca.send("x");
            cb.send("x");
            assertEquals("PLAINTEXT", ca.readString());
            assertEquals("INTERNAL", cb.readString());
        }
        assertNotEquals(server.port("PLAINTEXT"), server.port("INTERNAL"));
    }

    @Test
    void shouldDescribeTheConnectionToTheDispatcher() throws Exception {
        List<ConnectionContext> seen = new CopyOnWriteArrayList<>();
        start(settings(), (ctx, frame) -> {
            seen.add(ctx);
            assertTrue(ctx.context().isEventLoopContext());
            return Future.succeededFuture(echo("ok"));
        });
        RawClient first = connect();
        RawClient second = connect();
        first.send("a");
        second.send("b");
        first.send("c");
        assertEquals("ok", first.readString());
        assertEquals("ok", second.readString());
        assertEquals("ok", first.readString());

        assertEquals(3, seen.size());
        ConnectionContext a = seen.stream().filter(c -> c.remoteAddress().port() == first.socket().getLocalPort())
                .findFirst().orElseThrow();
        ConnectionContext b = seen.stream().filter(c -> c.remoteAddress().port() == second.socket().getLocalPort())
                .findFirst().orElseThrow();
        assertNotEquals(a.connectionId(), b.connectionId());
        assertEquals("PLAINTEXT", a.listenerName());
        assertEquals(server.port(), a.localAddress().port());
        assertTrue(a.isOpen());

        first.close();
        Await.until("closed seen by the context", () -> !a.isOpen());
        assertTrue(b.isOpen());
    }

    @Test
    void shouldCloseConnectionsOnServerClose() throws Exception {
        start(settings());
        RawClient client = connect();
        client.send("hold:x");
        Await.until("dispatched", () -> held.size() == 1);

        await(server.close());

        assertTrue(client.awaitClosedByServer());
        held.forEach(h -> h.promise().complete(echo("late")));
    }
}
