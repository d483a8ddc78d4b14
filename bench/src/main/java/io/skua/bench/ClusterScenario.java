package io.skua.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The cluster scenario: three brokers of one system on this machine formed into one cluster, topics with
 * replication factor 3 and {@code min.insync.replicas=2}, the acks=all + idempotence produce workloads of
 * the single-node run (same tool and client settings) on 1 and 6 partitions, then both topics consumed
 * back. Also measures how long the cluster takes to form. Metric keys start with {@code cl}.
 */
final class ClusterScenario {

  static final int SIZE = 3;
  static final short REPLICATION_FACTOR = 3;

  /** Topic-level configs of every cluster topic, identical for both systems. */
  static final Map<String, String> TOPIC_CONFIGS = Map.of("min.insync.replicas", "2");

  /** Created while the cluster forms (its creation ends the formation time), then used for the warm-up. */
  static final String WARMUP_TOPIC = "cl-warmup";

  static final String PREFIX = "3-broker cluster, RF=3, min.insync.replicas=2: ";

  static final List<BenchMain.Produce> PRODUCE = List.of(
      new BenchMain.Produce("cl-p100-acksall-1p", PREFIX + "produce 100 B, acks=all+idempotence, 1 partition", 1, 100, "all"),
      new BenchMain.Produce("cl-p100-acksall-6p", PREFIX + "produce 100 B, acks=all+idempotence, 6 partitions", 6, 100, "all"));

  private final BenchMain main;
  private final BenchConfig cfg;
  private final Results results;

  ClusterScenario(BenchMain main) {
    this.main = main;
    this.cfg = main.cfg;
    this.results = main.results;
  }

  void defineMetrics() {
    results.define("cl.env.load", PREFIX + "machine", "1-min load average when the cluster was started", "", false);
    String formation = PREFIX + "formation (3 processes spawned together)";
    results.define("cl.form.api", formation, "spawn → all 3 answer ApiVersions", "ms", false);
    results.define("cl.form.meta", formation, "spawn → all 3 brokers in DescribeCluster", "ms", false);
    results.define("cl.form.topic", formation, "spawn → first RF=3 topic created, leader + full ISR", "ms", false);
    for (BenchMain.Produce p : PRODUCE) {
      results.define(p.id() + ".rps", p.label(), "throughput", "records/s", true);
      results.define(p.id() + ".mbps", p.label(), "throughput", "MB/s", true);
      results.define(p.id() + ".p99", p.label(), "p99 send→ack latency", "ms", false);
    }
    for (BenchMain.Produce p : PRODUCE) {
      String label = PREFIX + "consume 100 B, " + p.partitions() + (p.partitions() == 1 ? " partition" : " partitions");
      results.define("c-" + p.id() + ".rps", label, "throughput (fetch phase)", "records/s", true);
      results.define("c-" + p.id() + ".mbps", label, "throughput (fetch phase)", "MB/s", true);
      results.define("c-" + p.id() + ".wall", label, "wall time incl. group join", "s", false);
    }
    String res = PREFIX + "resources (sum of the 3 brokers)";
    results.define("cl.res.rss", res, "RSS after the run (VmRSS)", "MiB", false);
    results.define("cl.res.cpu", res, "CPU per million records produced+consumed", "s", false);
  }

  /** One repetition of the scenario for {@code name} ("skua" or "kafka"); always stops all its brokers. */
  void run(String name, int rep) {
    BenchMain.log("=== repetition " + rep + "/" + cfg.reps + ": " + name + " cluster of " + SIZE);
    Path logs = cfg.logDir.resolve("rep" + rep).resolve(name + "-cluster");
    Path data = cfg.dataBase.resolve(name + "-cluster-rep" + rep);
    Cluster cluster = null;
    String step = "preparing";
    try {
      cluster = Cluster.of(name, SIZE, cfg, data, logs);
      cluster.prepare();
      main.recordLoad("cl.env.load", name + " cluster", name, rep);
      step = "forming the cluster";
      Cluster.Formation f = cluster.start(topic(WARMUP_TOPIC, 1), cfg.startTimeoutSeconds);
      BenchMain.log(String.format(
          "%s cluster formed on %s: all serving after %.0f ms, all in metadata after %.0f ms, RF=3 topic ready after %.0f ms",
          name, cluster.bootstrap(), f.allServingMs(), f.allRegisteredMs(), f.topicReadyMs()));
      results.add("cl.form.api", name, f.allServingMs());
      results.add("cl.form.meta", name, f.allRegisteredMs());
      results.add("cl.form.topic", name, f.topicReadyMs());

      List<NewTopic> topics = new ArrayList<>();
      for (BenchMain.Produce p : PRODUCE) {
        topics.add(topic(p.topic(), p.partitions()));
      }
      step = "creating the topics";
      Topics.create(cluster.bootstrap(), topics);
      step = "running the workloads";
      // Unmeasured warm-up, acks=all like the workloads, so replication is past JIT start-up too; then
      // consume it back, so that both systems have __consumer_offsets created and loaded before the
      // measured consumers join (Kafka creates it on the first FindCoordinator, Skua once the cluster formed).
      BenchMain.Produce warmup = new BenchMain.Produce(WARMUP_TOPIC, "warm-up", 1, 100, "all");
      long warmed = main.tools.runProducer(cluster, warmup, cfg.warmupRecords, logs, false);
      main.tools.runConsumer(cluster, warmup, warmed, rep, 1, logs, false);

      double cpu0 = cluster.cpuSeconds();
      long records = 0;
      for (BenchMain.Produce p : PRODUCE) {
        records += main.tools.runProducer(cluster, p, cfg.clusterRecords, logs, true);
      }
      for (BenchMain.Produce p : PRODUCE) {
        records += main.tools.runConsumer(cluster, p, cfg.clusterRecords, rep, 1, logs, true);
      }
      double cpu1 = cluster.cpuSeconds();
      double[] rss = cluster.rssMiB();
      results.add("cl.res.rss", name, rss[0]);
      if (records > 0) {
        results.add("cl.res.cpu", name, (cpu1 - cpu0) / (records / 1e6));
      }
      BenchMain.log(String.format("%s cluster: %.1f CPU s for %,d records; RSS %.0f MiB in all",
          name, cpu1 - cpu0, records, rss[0]));
    } catch (Exception e) {
      results.error(name + " cluster rep " + rep + ", " + step + ": " + e.getMessage());
    } finally {
      if (cluster != null) {
        long t0 = System.nanoTime();
        cluster.stop();
        BenchMain.log(String.format("%s cluster stopped in %.1f s", name, (System.nanoTime() - t0) / 1e9));
      }
      BenchMain.deleteTree(data);
    }
  }

  private static NewTopic topic(String name, int partitions) {
    return new NewTopic(name, partitions, REPLICATION_FACTOR).configs(TOPIC_CONFIGS);
  }
}
