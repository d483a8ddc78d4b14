package io.skua.broker;

import io.skua.broker.config.BrokerConfig;
import io.skua.protocol.message.ApiVersionsResponseData;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthCheckTest {

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldReportHealthyWhenTheBrokerAnswersApiVersions(@TempDir Path dir) throws Exception {
        // Given a running broker
        SkuaBroker broker = await(SkuaBroker.start(BrokerConfig.of(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", dir.toString(), "num.network.threads", "1"))));
        try {
            // When the health check asks for its API versions
            ApiVersionsResponseData response = HealthCheck.apiVersions("127.0.0.1", broker.boundPort());

            // Then it gets a list that includes ApiVersions itself
            assertTrue(response.apiKeys().stream().anyMatch(k -> k.apiKey() == 18), response.toString());
        } finally {
            await(broker.close());
        }
    }

    @Test
    void shouldFailWhenNothingListens() throws Exception {
        // Given a port nobody listens on
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }

        // When / Then
        int closedPort = port;
        assertThrows(IOException.class, () -> HealthCheck.apiVersions("127.0.0.1", closedPort));
    }
}
