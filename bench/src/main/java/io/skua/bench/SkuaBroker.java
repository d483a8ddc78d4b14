package io.skua.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Skua from broker/target/skua.jar, configured only through overrides (Kafka's property names where Kafka
 * has one). A cluster member also gets {@code node.id}, {@code cluster.bind} on its peer port,
 * {@code cluster.seeds} listing every member and a {@code cluster.name} unique to the run.
 */
final class SkuaBroker extends Broker {
  SkuaBroker(BenchConfig cfg, Membership member, List<String> jvmOpts, Path dataDir, Path logFile) {
    super("skua", cfg, member, jvmOpts, dataDir, logFile);
  }

  @Override
  void prepare() throws Exception {
    Files.createDirectories(dataDir.resolve("logs"));
  }

  @Override
  List<String> command() {
    List<String> cmd = jvm();
    cmd.addAll(List.of("-jar", cfg.skuaJar.toString(),
        "--override", "listeners=PLAINTEXT://127.0.0.1:" + port,
        "--override", "log.dirs=" + dataDir.resolve("logs"),
        // the same broker settings the Kafka run's server.properties has
        "--override", "num.partitions=1",
        "--override", "group.initial.rebalance.delay.ms=0",
        "--override", "auto.create.topics.enable=false"));
    if (member.clustered()) {
      cmd.addAll(List.of(
          "--override", "node.id=" + member.nodeId(),
          "--override", "cluster.bind=127.0.0.1:" + member.peerPort(),
          "--override", "cluster.seeds=" + String.join(",", member.peerAddresses()),
          "--override", "cluster.name=skua-bench-" + member.clusterId()));
    }
    for (String o : cfg.skuaExtraOverrides) {
      cmd.add("--override");
      cmd.add(o);
    }
    return cmd;
  }
}
