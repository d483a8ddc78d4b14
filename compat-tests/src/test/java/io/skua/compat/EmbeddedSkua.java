package io.skua.compat;

import io.skua.broker.SkuaBroker;
import io.skua.broker.config.BrokerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Skua broker started in-process on an ephemeral port with its data in a given directory: either started by the
 * test ({@link #start(Path, Map)}, closed with try-with-resources) or, as a JUnit extension, one fresh broker per
 * test on its own temporary directory:
 * <pre>{@code
 * @RegisterExtension
 * final EmbeddedSkua skua = EmbeddedSkua.perTest(Map.of("num.partitions", "3"));
 * }</pre>
 * The extension starts the broker before the class's {@code @BeforeEach} methods and stops it (and deletes its data)
 * after its {@code @AfterEach} methods.
 */
final class EmbeddedSkua implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
    private final Map<String, String> extra;
    private Path dataDir;
    private Map<String, String> overrides;
    private SkuaBroker broker;

    private EmbeddedSkua(Map<String, String> extra) {
        this.extra = extra;
    }

    static EmbeddedSkua start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    static EmbeddedSkua start(Path dataDir, Map<String, String> extra) {
        EmbeddedSkua skua = new EmbeddedSkua(extra);
        skua.startOn(dataDir);
        return skua;
    }

    /** A broker per test, on a temporary directory of its own; register with {@code @RegisterExtension}. */
    static EmbeddedSkua perTest() {
        return perTest(Map.of());
    }

    static EmbeddedSkua perTest(Map<String, String> extra) {
        return new EmbeddedSkua(extra);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        startOn(Files.createTempDirectory("skua-test-"));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private void startOn(Path dir) {
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", dir.toString());
        props.putAll(extra);
        dataDir = dir;
        overrides = props;
        startBroker();
    }

    private void startBroker() {
        broker = await(SkuaBroker.start(BrokerConfig.of(overrides)));
    }

    /** Stops cleanly and starts again on the same data directory (a new ephemeral port). */
    void restart() {
        await(broker.close());
        startBroker();
    }

    String bootstrap() {
        return "127.0.0.1:" + broker.boundPort();
    }

    int port() {
        return broker.boundPort();
    }

    Path dataDir() {
        return dataDir;
    }

    Properties clientProps() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        return p;
    }

    static <T> T await(io.vertx.core.Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (broker != null) {
            await(broker.close());
            broker = null;
        }
    }
}
