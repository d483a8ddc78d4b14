package io.skua.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Brokers of one system on 127.0.0.1 formed into one cluster: distinct client ports, peer ports and data
 * directories, started together, stopped together. Every member gets the same JVM options.
 */
final class Cluster implements Target {

  /**
   * Milliseconds from spawning the first process to: every broker answering ApiVersions; every broker
   * listed by DescribeCluster; the first replicated topic created with a leader and a full ISR on every
   * partition.
   */
  record Formation(double allServingMs, double allRegisteredMs, double topicReadyMs) {}

  final String name;
  final List<Broker> brokers;
  final Path dataDir;

  private Cluster(String name, List<Broker> brokers, Path dataDir) {
    this.name = name;
    this.brokers = brokers;
    this.dataDir = dataDir;
  }

  /** {@code size} members of {@code name} ("skua" or "kafka"), data under {@code dataDir/node-N}. */
  static Cluster of(String name, int size, BenchConfig cfg, Path dataDir, Path logDir) throws IOException {
    List<Broker> brokers = new ArrayList<>();
    for (Broker.Membership m : Broker.Membership.of(size)) {
      Path data = dataDir.resolve("node-" + m.nodeId());
      Path log = logDir.resolve(name + "-" + m.nodeId() + "-broker.log");
      brokers.add(name.equals("kafka")
          ? new KafkaBroker(cfg, m, cfg.clusterBrokerJvmOpts, data, log)
          : new SkuaBroker(cfg, m, cfg.clusterBrokerJvmOpts, data, log));
    }
    return new Cluster(name, List.copyOf(brokers), dataDir);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String bootstrap() {
    return String.join(",", brokers.stream().map(Broker::bootstrap).toList());
  }

  /** Writes configs, formats storage (Kafka); not part of the formation time. */
  void prepare() throws Exception {
    for (Broker b : brokers) {
      b.prepare();
    }
  }

  /**
   * Spawns every member at once, then waits until the cluster has formed: all answer ApiVersions, all are
   * in DescribeCluster, and {@code probe} (replication factor = cluster size) could be created and has a
   * leader and a full ISR on every partition. Creation is retried while the cluster is still forming (e.g.
   * INVALID_REPLICATION_FACTOR while fewer brokers are registered).
   */
  Formation start(NewTopic probe, int timeoutSeconds) throws Exception {
    long t0 = System.nanoTime();
    for (Broker b : brokers) {
      b.spawn();
    }
    double serving = 0;
    for (Broker b : brokers) {
      serving = Math.max(serving, b.awaitReady(t0).firstResponseMs());
    }
    long deadline = t0 + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    try (Admin admin = admin(bootstrap())) {
      double registered = -1;
      while (registered < 0) {
        checkAlive();
        try {
          DescribeClusterResult d = admin.describeCluster();
          int n = d.nodes().get(10, TimeUnit.SECONDS).size();
          if (n >= brokers.size() && d.controller().get(10, TimeUnit.SECONDS) != null) {
            registered = ms(t0);
            break;
          }
        } catch (ExecutionException notYet) {
          // a member is not ready to answer yet
        }
        awaitUntil(deadline, "all " + brokers.size() + " brokers in DescribeCluster");
      }
      while (true) {
        checkAlive();
        try {
          admin.createTopics(List.of(probe)).all().get(30, TimeUnit.SECONDS);
          break;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof TopicExistsException) {
            break; // an earlier attempt that timed out on our side did create it
          }
          if (System.nanoTime() > deadline) {
            throw new IOException(name + " cluster: cannot create " + probe.name() + ": " + e.getCause());
          }
        }
        awaitUntil(deadline, "creating " + probe.name());
      }
      Topics.awaitLeadersAndFullIsr(admin, List.of(probe.name()), deadline);
      return new Formation(serving, registered, ms(t0));
    }
  }

  static Admin admin(String bootstrap) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    return Admin.create(props);
  }

  private void checkAlive() throws IOException {
    for (Broker b : brokers) {
      if (!b.process.isAlive()) {
        throw new IOException(b.label() + " exited with code " + b.process.exitValue() + "; see " + b.logFile);
      }
    }
  }

  private void awaitUntil(long deadline, String what) throws Exception {
    if (System.nanoTime() > deadline) {
      throw new IOException(name + " cluster not formed: no " + what + " in time; see the broker logs");
    }
    Thread.sleep(50);
  }

  private static double ms(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  /** CPU seconds used so far by all members together. */
  double cpuSeconds() throws IOException {
    double sum = 0;
    for (Broker b : brokers) {
      sum += b.cpuSeconds();
    }
    return sum;
  }

  /** Sum over the members of {@link Broker#rssMiB()}: resident now, and the sum of the peaks. */
  double[] rssMiB() throws IOException {
    double[] sum = new double[2];
    for (Broker b : brokers) {
      double[] r = b.rssMiB();
      sum[0] += r[0];
      sum[1] += r[1];
    }
    return sum;
  }

  /** Signals every member at once, then waits for each (killing what does not stop within 30 s). */
  void stop() {
    brokers.forEach(Broker::requestStop);
    brokers.forEach(Broker::awaitStop);
  }
}
