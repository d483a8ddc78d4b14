package io.skua.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Apache Kafka 4.3.1 from its Maven Central jars, KRaft, every node a combined broker + controller.
 * A single node is formatted {@code --standalone} (dynamic quorum of one); a cluster has a static quorum
 * ({@code controller.quorum.voters} listing every node) and each node's log dir is formatted with the
 * same cluster id.
 */
final class KafkaBroker extends Broker {
  private Path propsFile;

  KafkaBroker(BenchConfig cfg, Membership member, List<String> jvmOpts, Path dataDir, Path logFile) {
    super("kafka", cfg, member, jvmOpts, dataDir, logFile);
  }

  @Override
  void prepare() throws Exception {
    int controllerPort = member.peerPort();
    Files.createDirectories(dataDir);
    Path logDirs = dataDir.resolve("logs");
    propsFile = dataDir.resolve("server.properties");
    List<String> props = new ArrayList<>(List.of(
        "# written by skua bench/run",
        "process.roles=broker,controller",
        "node.id=" + member.nodeId()));
    if (member.clustered()) {
      List<String> voters = new ArrayList<>();
      List<String> peers = member.peerAddresses();
      for (int i = 0; i < peers.size(); i++) {
        voters.add((i + 1) + "@" + peers.get(i));
      }
      props.add("controller.quorum.voters=" + String.join(",", voters));
    } else {
      props.add("controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort);
    }
    // Internal topics: replicated over the whole cluster (Kafka's defaults for three brokers), 1 alone.
    int rf = Math.min(3, member.size());
    int minIsr = Math.min(2, member.size());
    props.addAll(List.of(
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + logDirs,
        "num.partitions=1",
        "offsets.topic.replication.factor=" + rf,
        "transaction.state.log.replication.factor=" + rf,
        "transaction.state.log.min.isr=" + minIsr,
        "share.coordinator.state.topic.replication.factor=" + rf,
        "share.coordinator.state.topic.min.isr=" + minIsr,
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        ""));
    Files.writeString(propsFile, String.join("\n", props));
    List<String> fmt = new ArrayList<>();
    fmt.add(cfg.javaBin);
    fmt.addAll(cfg.toolJvmOpts);
    fmt.addAll(List.of("-cp", cfg.toolClasspath, "kafka.tools.StorageTool", "format",
        "-t", member.clusterId(), "-c", propsFile.toString()));
    if (!member.clustered()) {
      fmt.add("--standalone");
    }
    String fmtLog = member.clustered() ? "kafka-" + member.nodeId() + "-format.log" : "kafka-format.log";
    Tools.Run r = Tools.run(fmt, logFile.resolveSibling(fmtLog), 120);
    if (r.exitCode() != 0) {
      throw new IOException("kafka-storage format failed for " + label() + " (exit " + r.exitCode() + "):\n" + r.tail());
    }
  }

  @Override
  List<String> command() {
    List<String> cmd = jvm();
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    cmd.addAll(List.of("-cp", cfg.toolClasspath, "kafka.Kafka", propsFile.toString()));
    return cmd;
  }
}
