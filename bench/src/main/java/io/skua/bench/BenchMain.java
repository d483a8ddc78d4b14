package io.skua.bench;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The benchmark orchestrator started by {@code bench/run}: for each repetition it starts each
 * broker fresh (alternating which goes first), runs the same workloads against it with Kafka's
 * own perf tools as separate JVMs ({@link PerfTools}), samples the broker's CPU and memory, stops it, and finally
 * writes the markdown report. The same then happens for a three-broker cluster of each system
 * ({@link ClusterScenario}), unless the run is limited to one scenario ({@code --only}).
 */
public final class BenchMain {

  /** A ProducerPerformance workload. */
  record Produce(String id, String label, int partitions, int recordSize, String acks) {
    String topic() {
      return id;
    }
  }

  static final List<Produce> PRODUCE =
      List.of(
          new Produce("p100-acks1-1p", "Produce 100 B, acks=1, 1 partition", 1, 100, "1"),
          new Produce("p100-acks1-6p", "Produce 100 B, acks=1, 6 partitions", 6, 100, "1"),
          new Produce("p100-acksall-1p", "Produce 100 B, acks=all+idempotence, 1 partition", 1, 100, "all"),
          new Produce("p100-acksall-6p", "Produce 100 B, acks=all+idempotence, 6 partitions", 6, 100, "all"),
          new Produce("p1k-acks1-1p", "Produce 1 KiB, acks=1, 1 partition", 1, 1024, "1"),
          new Produce("p1k-acks1-6p", "Produce 1 KiB, acks=1, 6 partitions", 6, 1024, "1"));

  /** Consume workloads read back what these produce workloads wrote. */
  static final List<Produce> CONSUME = List.of(PRODUCE.get(0), PRODUCE.get(1));

  static final String WARMUP_TOPIC = "warmup";
  static final String E2E_TOPIC = "e2e-sync";
  static final String RATE_TOPIC = "e2e-fixed-rate";

  /** Producer settings shared by every produce workload (plus acks/idempotence per workload). */
  static final List<String> PRODUCER_PROPS = List.of("batch.size=65536", "linger.ms=5", "compression.type=none");

  /** Topic-level configs used for every topic on every broker (none beyond the defaults). */
  static final Map<String, String> TOPIC_CONFIGS = Map.of();

  private static final int CORES = Runtime.getRuntime().availableProcessors();

  final BenchConfig cfg;
  final Results results = new Results();
  final PerfTools tools;
  final List<String> brokersRun = new ArrayList<>();
  final ClusterScenario cluster;

  BenchMain(BenchConfig cfg) {
    this.cfg = cfg;
    this.tools = new PerfTools(cfg, results);
    this.cluster = new ClusterScenario(this);
  }

  public static void main(String[] args) throws Exception {
    BenchConfig cfg = BenchConfig.parse(args);
    // If the harness is stopped (bench/run's trap sends SIGTERM), take brokers and tools with it.
    Runtime.getRuntime().addShutdownHook(new Thread(() ->
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
    BenchMain m = new BenchMain(cfg);
    m.defineMetrics();
    m.runAll();
    String report = Report.render(cfg, m.results, m.brokersRun);
    Files.createDirectories(cfg.resultsDir);
    Path out = cfg.resultsDir.resolve(cfg.timestamp + ".md");
    Files.writeString(out, report);
    System.out.println();
    System.out.println(report);
    System.out.println("[bench] written to " + out);
    System.exit(0);
  }

  void defineMetrics() {
    if (cfg.runSingle) {
      defineSingleNodeMetrics();
    }
    if (cfg.runCluster) {
      cluster.defineMetrics();
    }
  }

  private void defineSingleNodeMetrics() {
    results.define("env.load", "Machine", "1-min load average when the broker was started", "", false);
    results.define("start.tcp", "Broker start-up", "spawn → first TCP connect", "ms", false);
    results.define("start.api", "Broker start-up", "spawn → first ApiVersions response", "ms", false);
    for (Produce p : PRODUCE) {
      results.define(p.id + ".rps", p.label, "throughput", "records/s", true);
      results.define(p.id + ".mbps", p.label, "throughput", "MB/s", true);
      results.define(p.id + ".p99", p.label, "p99 send→ack latency", "ms", false);
      results.define(p.id + ".ctx.client", p.label, "cores the producer tool kept busy (of " + CORES + ")", "cores", false);
    }
    for (Produce p : CONSUME) {
      String label = "Consume " + p.recordSize + " B, " + p.partitions + (p.partitions == 1 ? " partition" : " partitions");
      int passes = cfg.consumePasses;
      results.define("c-" + p.id + ".rps", label, "throughput (fetch phase)", "records/s", true, passes);
      results.define("c-" + p.id + ".mbps", label, "throughput (fetch phase)", "MB/s", true, passes);
      results.define("c-" + p.id + ".wall", label, "wall time incl. group join", "s", false, passes);
      results.define("c-" + p.id + ".ctx.client", label, "cores the consumer tool kept busy (of " + CORES + ")", "cores", false, passes);
    }
    String e2e = "End-to-end, synchronous round trip (EndToEndLatency, 100 B, acks=1)";
    results.define("e2e.avg", e2e, "mean", "ms", false);
    results.define("e2e.p50", e2e, "p50", "ms", false);
    results.define("e2e.p99", e2e, "p99", "ms", false);
    results.define("e2e.p999", e2e, "p99.9", "ms", false);
    String fr = "End-to-end at fixed " + cfg.latencyRate + " msg/s (FixedRateLatency, 100 B, acks=1)";
    results.define("fr.p50", fr, "p50", "ms", false);
    results.define("fr.p99", fr, "p99", "ms", false);
    results.define("fr.p999", fr, "p99.9", "ms", false);
    results.define("fr.max", fr, "max", "ms", false);
    results.define("fr.rate", fr, "achieved send rate", "msg/s", true);
    results.define("fr.ctx.rpr", fr, "records per produce request (how the client batched)", "records", false);
    results.define("fr.ctx.rpf", fr, "records per fetch request (how the client batched)", "records", false);
    results.define("res.rss", "Broker resources", "RSS after the run (VmRSS)", "MiB", false);
    results.define("res.hwm", "Broker resources", "peak RSS (VmHWM)", "MiB", false);
    results.define("res.cpu", "Broker resources", "CPU per million records produced+consumed", "s", false);
    results.define("res.cpu.produce", "Broker resources", "CPU in the produce tests", "s", false);
    results.define("res.cpu.consume", "Broker resources", "CPU in the consume tests", "s", false);
    results.define("res.cpu.e2e", "Broker resources", "CPU in the synchronous round trips", "s", false);
    results.define("res.cpu.rate", "Broker resources", "CPU in the fixed-rate phase", "s", false);
    results.define("res.cpu.request", "Broker resources", "CPU per request in the fixed-rate phase", "µs", false);
  }

  void runAll() throws Exception {
    List<String> order = new ArrayList<>();
    if (cfg.skuaJar != null) {
      order.add("skua");
    }
    if (cfg.runKafka) {
      order.add("kafka");
    }
    brokersRun.addAll(order);
    if (order.isEmpty()) {
      results.error("no broker to benchmark");
      return;
    }
    for (int rep = 1; rep <= cfg.reps; rep++) {
      // Alternate which broker goes first so neither always runs on a "fresh" machine.
      List<String> thisRep = new ArrayList<>(order);
      if (rep % 2 == 0) {
        java.util.Collections.reverse(thisRep);
      }
      if (cfg.runSingle) {
        for (String b : thisRep) {
          runBroker(b, rep);
        }
      }
      if (cfg.runCluster) {
        for (String b : thisRep) {
          cluster.run(b, rep);
        }
      }
    }
  }

  private Broker newBroker(String name, int rep) throws IOException {
    Path data = cfg.dataBase.resolve(name + "-rep" + rep);
    Path log = cfg.logDir.resolve("rep" + rep).resolve(name + "-broker.log");
    Broker.Membership single = Broker.Membership.single();
    return name.equals("kafka")
        ? new KafkaBroker(cfg, single, cfg.brokerJvmOpts, data, log)
        : new SkuaBroker(cfg, single, cfg.brokerJvmOpts, data, log);
  }

  void runBroker(String name, int rep) {
    log("=== repetition " + rep + "/" + cfg.reps + ": " + name);
    Broker b;
    try {
      b = newBroker(name, rep);
    } catch (IOException e) {
      results.error(name + " rep " + rep + ": " + e.getMessage());
      return;
    }
    Path toolLogs = cfg.logDir.resolve("rep" + rep).resolve(name);
    try {
      b.prepare();
      recordLoad("env.load", name, name, rep);
      Broker.Startup st = b.start();
      log(String.format("%s up on %s: TCP connect after %.0f ms, first response after %.0f ms (pid %d)",
          name, b.bootstrap(), st.tcpConnectMs(), st.firstResponseMs(), b.pid()));
      results.add("start.tcp", name, st.tcpConnectMs());
      results.add("start.api", name, st.firstResponseMs());

      createTopics(b);
      // Unmeasured warm-up so that both brokers are past JIT start-up before the first test.
      tools.runProducer(b, new Produce(WARMUP_TOPIC, "warm-up", 1, 100, "1"), cfg.warmupRecords, toolLogs, false);

      double cpu0 = b.cpuSeconds();
      Map<String, double[]> threads0 = b.cpuByThreadGroup();
      PhaseCpu phases = new PhaseCpu(b, name, cpu0);
      long records = 0;
      for (Produce p : PRODUCE) {
        records += tools.runProducer(b, p, cfg.records, toolLogs, true);
      }
      results.add("res.cpu.produce", name, phases.mark("produce tests"));
      for (Produce p : CONSUME) {
        records += tools.runConsumer(b, p, cfg.records, rep, 1, toolLogs, true);
      }
      results.add("res.cpu.consume", name, phases.mark("consume tests"));
      records += tools.runEndToEnd(b, toolLogs);
      results.add("res.cpu.e2e", name, phases.mark("synchronous round trips"));
      records += tools.runFixedRate(b, toolLogs);
      double rateCpu = phases.mark("fixed-rate latency");
      results.add("res.cpu.rate", name, rateCpu);
      if (tools.fixedRateRequests() > 0) {
        results.add("res.cpu.request", name, rateCpu / tools.fixedRateRequests() * 1e6);
      }
      double cpu1 = b.cpuSeconds();
      logThreadCpu(name, threads0, b.cpuByThreadGroup());
      // More consumer runs, after the CPU window so that its records per second stay comparable between runs.
      for (int pass = 2; pass <= cfg.consumePasses; pass++) {
        for (Produce p : CONSUME) {
          tools.runConsumer(b, p, cfg.records, rep, pass, toolLogs, true);
        }
      }
      double[] rss = b.rssMiB();
      results.add("res.rss", name, rss[0]);
      results.add("res.hwm", name, rss[1]);
      if (records > 0) {
        results.add("res.cpu", name, (cpu1 - cpu0) / (records / 1e6));
      }
      log(String.format("%s: %.1f CPU s for %,d records; RSS %.0f MiB (peak %.0f MiB)",
          name, cpu1 - cpu0, records, rss[0], rss[1]));
    } catch (Exception e) {
      results.error(name + " rep " + rep + ": " + e.getMessage());
    } finally {
      b.stop();
      deleteTree(b.dataDir);
    }
  }

  /** Logs the broker's CPU seconds used by each phase of a repetition. */
  static final class PhaseCpu {
    private final Broker broker;
    private final String name;
    private double last;

    PhaseCpu(Broker broker, String name, double start) {
      this.broker = broker;
      this.name = name;
      this.last = start;
    }

    /** Logs and returns the CPU seconds since the previous mark. */
    double mark(String phase) throws IOException {
      double now = broker.cpuSeconds();
      double used = now - last;
      log(String.format("%s: %.1f CPU s in the %s", name, used, phase));
      last = now;
      return used;
    }
  }

  /** Logs, per group of threads, the user and system CPU seconds used between two samples. */
  static void logThreadCpu(String name, Map<String, double[]> before, Map<String, double[]> after) {
    StringBuilder sb = new StringBuilder(name).append(": CPU s per thread group (user/system):");
    after.entrySet().stream()
        .map(e -> {
          double[] b0 = before.getOrDefault(e.getKey(), new double[2]);
          return Map.entry(e.getKey(), new double[] {e.getValue()[0] - b0[0], e.getValue()[1] - b0[1]});
        })
        .filter(e -> e.getValue()[0] + e.getValue()[1] >= 0.05)
        .sorted((x, y) -> Double.compare(y.getValue()[0] + y.getValue()[1], x.getValue()[0] + x.getValue()[1]))
        .forEach(e -> sb.append(String.format(" %s %.1f/%.1f;", e.getKey(), e.getValue()[0], e.getValue()[1])));
    log(sb.toString());
  }

  /** Records the 1-min load average under {@code key}; warns when the machine is already busy. */
  void recordLoad(String key, String what, String name, int rep) {
    double load = loadAverage();
    int cores = Runtime.getRuntime().availableProcessors();
    if (load > cores * 0.5) {
      results.warn(String.format("%s rep %d: machine already busy at start (1-min load %.2f on %d cores); "
          + "figures of this repetition are noisy", what, rep, load, cores));
    }
    results.add(key, name, load);
  }

  void createTopics(Broker b) throws Exception {
    List<NewTopic> topics = new ArrayList<>();
    topics.add(new NewTopic(WARMUP_TOPIC, 1, (short) 1).configs(TOPIC_CONFIGS));
    for (Produce p : PRODUCE) {
      topics.add(new NewTopic(p.topic(), p.partitions, (short) 1).configs(TOPIC_CONFIGS));
    }
    topics.add(new NewTopic(E2E_TOPIC, 1, (short) 1).configs(TOPIC_CONFIGS));
    topics.add(new NewTopic(RATE_TOPIC, 1, (short) 1).configs(TOPIC_CONFIGS));
    Topics.create(b.bootstrap(), topics);
  }

  // ---------------------------------------------------------------------------------------------

  static void log(String msg) {
    System.out.println("[bench] " + msg);
    System.out.flush();
  }

  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("[bench] could not delete " + dir + ": " + e.getMessage());
    }
  }

  static String describeFileStore(Path p) {
    try {
      FileStore fs = Files.getFileStore(p);
      return fs.name() + " (" + fs.type() + ")";
    } catch (IOException e) {
      return "unknown";
    }
  }
}
