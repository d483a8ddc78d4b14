package io.skua.compat;

import io.skua.broker.SkuaBroker;
import io.skua.broker.config.BrokerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** A Skua broker started in-process on an ephemeral port with its data in a given directory. */
final class EmbeddedSkua implements AutoCloseable {
    private final Path dataDir;
    private final Map<String, String> overrides;
    private SkuaBroker broker;

    private EmbeddedSkua(Path dataDir, Map<String, String> overrides) {
        this.dataDir = dataDir;
        this.overrides = overrides;
    }

    static EmbeddedSkua start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    static EmbeddedSkua start(Path dataDir, Map<String, String> extra) {
        Map<String, String> props = new HashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:0");
        props.put("log.dirs", dataDir.toString());
        props.putAll(extra);
        EmbeddedSkua skua = new EmbeddedSkua(dataDir, props);
        skua.startBroker();
        return skua;
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
