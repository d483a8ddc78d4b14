package io.skua.broker.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.broker.SkuaBroker;
import io.skua.broker.config.BrokerConfig;
import io.skua.broker.testing.KafkaWire;
import io.skua.broker.testing.RawClient;
import io.skua.protocol.ApiKey;
import io.skua.protocol.ApiMessage;
import io.skua.protocol.Errors;
import io.skua.protocol.message.ApiVersionsRequestData;
import io.skua.protocol.message.ApiVersionsResponseData;
import io.skua.protocol.message.ProduceRequestData;
import io.vertx.core.Future;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every handler a single node registers, through the real dispatcher and a real socket, at every version it
 * advertises: a request with the protocol's default field values (empty lists, empty names, zero timeouts) gets a
 * well-formed response of the right type and the connection stays usable. What a handler answers for real requests is
 * tested per API elsewhere (compat-tests with the real clients); this one catches a handler or version that throws,
 * hangs or answers something the codec cannot read back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EveryHandlerTest {
    private SkuaBroker broker;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        broker = await(SkuaBroker.start(BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:0",
                "log.dirs", dir.resolve("data").toString(), "num.network.threads", "1"))));
    }

    @AfterAll
    void stop() throws Exception {
        if (broker != null) {
            await(broker.close());
        }
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The request a client would send with every field at its default, made answerable (acks=0 gets no answer). */
    private static ApiMessage defaultRequest(ApiKey key) {
        ApiMessage request = key.newRequest();
        if (request instanceof ProduceRequestData produce) {
            produce.setAcks((short) 1);
        }
        return request;
    }

    @Test
    void shouldAnswerADefaultRequestAtEveryAdvertisedVersionOfEveryApi() throws Exception {
        // Given the APIs the broker advertises
        ApiVersionsResponseData versions;
        try (KafkaWire wire = new KafkaWire(broker.boundPort())) {
            versions = wire.send(ApiKey.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                    .setClientSoftwareName("skua-test").setClientSoftwareVersion("1"));
        }
        assertEquals(Errors.NONE, versions.errorCode());
        assertTrue(versions.apiKeys().size() > 20, "advertised: " + versions.apiKeys().size());

        // When each gets a default request at each advertised version, on one connection per API
        List<String> answered = new ArrayList<>();
        for (ApiVersionsResponseData.ApiVersion advertised : versions.apiKeys()) {
            ApiKey key = ApiKey.forId(advertised.apiKey());
            assertNotNull(key, "advertised an API key the codec does not know: " + advertised.apiKey());
            try (KafkaWire wire = new KafkaWire(broker.boundPort())) {
                for (short v = advertised.minVersion(); v <= advertised.maxVersion(); v++) {
                    if (v < key.lowestVersion()) {
                        continue; // advertised for old clients' sake but removed by KIP-896 (Produce v0-2): see below
                    }
                    // Then each answers with a response of its own type that decodes completely (send checks the
                    // correlation id and reads the body with the version's schema)
                    ApiMessage response = wire.send(key, v, defaultRequest(key));
                    assertEquals(key.newResponse().getClass(), response.getClass(), key + " v" + v);
                    answered.add(key + " v" + v);
                }
            }
        }
        assertTrue(answered.contains("PRODUCE v3") && answered.contains("FETCH v4"), answered.toString());
    }

    @Test
    void shouldCloseTheConnectionForAnAdvertisedVersionKafka4Removed() throws Exception {
        // Given a version below the codec's lowest (Produce v2: advertised because librdkafka needs v0 listed), written
        // by hand since the codec has no v2 schema: header v1 (key, version, correlation id, null client id), then
        // acks=1, timeout 1000, no topics
        assertTrue(ApiKey.PRODUCE.lowestVersion() > 2);
        ByteBuffer v2 = ByteBuffer.allocate(2 + 2 + 4 + 2 + 2 + 4 + 4).putShort(ApiKey.PRODUCE.id()).putShort((short) 2)
                .putInt(1).putShort((short) -1).putShort((short) 1).putInt(1_000).putInt(0);
        try (RawClient client = new RawClient("127.0.0.1", broker.boundPort())) {
            // When it is sent, Then that connection is closed (Kafka 4 does the same)
            client.writeRaw(RawClient.frame(v2.array()));
            assertTrue(client.awaitClosedByServer());
        }
        // And the broker still serves others
        try (KafkaWire other = new KafkaWire(broker.boundPort())) {
            ApiVersionsResponseData again = other.send(ApiKey.API_VERSIONS, (short) 0, new ApiVersionsRequestData());
            assertFalse(again.apiKeys().isEmpty());
        }
    }
}
