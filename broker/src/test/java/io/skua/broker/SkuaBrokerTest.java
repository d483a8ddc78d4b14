package io.skua.broker;

import io.skua.broker.lifecycle.Lifecycle;

import io.skua.broker.config.BrokerConfig;
import io.skua.broker.config.ConfigException;
import io.skua.broker.network.Response;
import io.skua.broker.testing.RawClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SkuaBrokerTest {

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static BrokerConfig config(Path dir) {
        return BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", dir.resolve("data").toString(),
                "num.network.threads", "2"));
    }

    @Test
    void shouldStartOnAnEphemeralPortAndStop(@TempDir Path dir) throws Exception {
        // Given / When
        SkuaBroker broker = await(SkuaBroker.start(config(dir)));
        try {
            // Then it listens, advertises the real port and created its data directory
            assertNotEquals(0, broker.boundPort());
            assertEquals(broker.boundPort(), broker.advertisedListeners().get(0).port());
            assertEquals("127.0.0.1", broker.advertisedListeners().get(0).host());
            assertTrue(Files.isDirectory(dir.resolve("data")));

            // And the placeholder dispatcher drops connections that send requests
            try (RawClient client = new RawClient("127.0.0.1", broker.boundPort())) {
                client.send("anything");
                assertTrue(client.awaitClosedByServer());
            }
        } finally {
            await(broker.close());
        }

        // And the port is released
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress("127.0.0.1", broker.boundPort()));
        }
    }

    @Test
    void shouldServeThroughAnInstalledDispatcherAndRunComponentsAroundTheListeners(@TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        List<String> events = new ArrayList<>();
        Lifecycle storage = new Lifecycle() {
            @Override
            public Future<Void> start() {
                events.add("storage started");
                return Future.succeededFuture();
            }

            @Override
            public Future<Void> stop() {
                events.add("storage stopped");
                return Future.succeededFuture();
            }
        };
        try {
            SkuaBroker broker = await(SkuaBroker.builder(config(dir)).vertx(vertx).component(storage)
                    .dispatcher((ctx, frame) -> Future.succeededFuture(Response.of(frame)))
                    .start());
            try (RawClient client = new RawClient("127.0.0.1", broker.boundPort())) {
                client.send("ping");
                assertEquals("ping", client.readString());
            }
            await(broker.close());
            assertEquals(List.of("storage started", "storage stopped"), events);
            // a shared Vert.x instance is left running
            assertEquals("still alive", await(vertx.executeBlocking(() -> "still alive")));
        } finally {
            await(vertx.close());
        }
    }

    @ParameterizedTest(name = "native transport {0}")
    @ValueSource(booleans = {true, false})
    void shouldFailToStartWhenThePortIsTaken(boolean nativeTransport, @TempDir Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            BrokerConfig config = config(dir).with("listeners", "PLAINTEXT://127.0.0.1:" + taken.getLocalPort())
                    .with(BrokerConfig.SKUA_NATIVE_TRANSPORT, Boolean.toString(nativeTransport));
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(SkuaBroker.start(config)));
            assertTrue(e.getCause() instanceof java.net.BindException, e.getCause().toString());
            assertTrue(e.getCause().getMessage().contains("PLAINTEXT") && e.getCause().getMessage()
                    .contains(":" + taken.getLocalPort()), e.getCause().getMessage());
        }
    }

    /** A bind to an address no interface has (TEST-NET-1): nothing is sent, the kernel refuses the bind itself. */
    @ParameterizedTest(name = "native transport {0}")
    @ValueSource(booleans = {true, false})
    void shouldFailToStartOnAnAddressOfNoInterface(boolean nativeTransport, @TempDir Path dir) throws Exception {
        BrokerConfig config = config(dir).with("listeners", "PLAINTEXT://192.0.2.1:0")
                .with(BrokerConfig.SKUA_NATIVE_TRANSPORT, Boolean.toString(nativeTransport));
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(SkuaBroker.start(config)));
        assertTrue(e.getCause() instanceof java.net.BindException, e.getCause().toString());
        assertTrue(e.getCause().getMessage().contains("PLAINTEXT") && e.getCause().getMessage().contains("192.0.2.1"),
                e.getCause().getMessage());
    }

    @Test
    void shouldParseCommandLinesLikeKafkaServerStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "node.id=3\nnum.partitions=2\n");

        CommandLine positional = CommandLine.parse(file.toString(), "--override", "num.partitions=4");
        BrokerConfig config = positional.toConfig();
        assertEquals(3, config.nodeId());
        assertEquals(4, config.numPartitions());

        CommandLine flags = CommandLine.parse("-c", file.toString(), "--override=node.id=9");
        assertEquals(9, flags.toConfig().nodeId());

        assertTrue(CommandLine.parse("--help").help());
        assertTrue(CommandLine.parse().configFile().isEmpty());
        assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse("--nope"));
        assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse("--override"));
        assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse("--override", "novalue"));
        assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse("a.properties", "b.properties"));
        assertThrows(ConfigException.class, () -> CommandLine.parse("--override", "node.id=-3").toConfig());
    }
}
