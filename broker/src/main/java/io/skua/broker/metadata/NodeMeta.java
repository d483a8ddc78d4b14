package io.skua.broker.metadata;

import io.skua.protocol.Uuid;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * {@code meta.properties} in the data directory, as Kafka keeps it: the cluster id (made on first start) and
 * the node id the data belongs to. Starting with another node.id on the same data fails.
 */
public record NodeMeta(String clusterId, int nodeId) {
    public static final String FILE = "meta.properties";

    /** Blocking: reads or creates the file. */
    public static NodeMeta loadOrCreate(Path dataDir, int nodeId) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(r);
                }
                int stored = Integer.parseInt(p.getProperty("node.id", String.valueOf(nodeId)));
                if (stored != nodeId) {
                    throw new IllegalStateException("The data in " + dataDir + " belongs to node.id=" + stored
                            + ", but this broker is node.id=" + nodeId);
                }
                return new NodeMeta(p.getProperty("cluster.id"), nodeId);
            }
            NodeMeta meta = new NodeMeta(Uuid.randomUuid().toString(), nodeId);
            Properties p = new Properties();
            p.setProperty("version", "1");
            p.setProperty("cluster.id", meta.clusterId());
            p.setProperty("node.id", String.valueOf(nodeId));
            Path tmp = dataDir.resolve(FILE + ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "Skua broker identity");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return meta;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write " + file, e);
        }
    }
}
