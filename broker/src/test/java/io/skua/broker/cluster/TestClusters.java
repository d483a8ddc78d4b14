package io.skua.broker.cluster;

import io.skua.broker.config.BrokerConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Configurations of an in-JVM test cluster: each broker on 127.0.0.1 with its own JGroups port and data directory. */
final class TestClusters {
    private TestClusters() {
    }

    /**
     * Node id (1..n) -> configuration: an ephemeral Kafka listener, one network thread, data in {@code dir/b<id>},
     * a free JGroups port each, all of them as seeds, and a cluster name of {@code prefix} and the first port (so
     * that concurrent tests never join each other); {@code extra} is added to every broker's properties.
     */
    static Map<Integer, BrokerConfig> configs(Path dir, int n, String prefix, Map<String, String> extra)
            throws IOException {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                ports.add(s.getLocalPort());
            }
        }
        String seeds = ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
        Map<Integer, BrokerConfig> configs = new LinkedHashMap<>();
        for (int id = 1; id <= n; id++) {
            Map<String, String> props = new HashMap<>(extra);
            props.put("node.id", String.valueOf(id));
            props.put("listeners", "PLAINTEXT://127.0.0.1:0");
            props.put("log.dirs", dir.resolve("b" + id).toString());
            props.put("num.network.threads", "1");
            props.put("cluster.bind", "127.0.0.1:" + ports.get(id - 1));
            props.put("cluster.seeds", seeds);
            props.put("cluster.name", prefix + "-" + ports.get(0));
            configs.put(id, BrokerConfig.of(props));
        }
        return configs;
    }
}
