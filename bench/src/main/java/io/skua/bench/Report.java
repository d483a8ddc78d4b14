package io.skua.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders {@link Results} as the markdown report written to bench/results/TIMESTAMP.md. */
final class Report {

  static String render(BenchConfig cfg, Results r, List<String> brokers) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Skua vs Apache Kafka 4.3.1 — benchmark run ").append(cfg.timestamp).append("\n\n");
    String only = !cfg.runSingle ? " --only cluster" : !cfg.runCluster ? " --only single" : "";
    sb.append("- Command: `bench/run").append(cfg.quick ? " --quick" : "").append(only).append(" --reps ").append(cfg.reps)
        .append("` — ").append(cfg.quick ? "quick" : "full").append(" mode, ");
    if (cfg.runSingle) {
      sb.append(String.format(Locale.ROOT, "%,d", cfg.records)).append(" records per single-node throughput test, ");
    }
    if (cfg.runCluster) {
      sb.append(String.format(Locale.ROOT, "%,d", cfg.clusterRecords)).append(" per cluster throughput test, ");
    }
    sb.append(cfg.reps).append(cfg.reps == 1 ? " repetition" : " repetitions")
        .append(" (brokers interleaved per repetition, order alternating)\n");
    sb.append("- Skua: ").append(cfg.skuaJar != null ? "`" + cfg.skuaJar + "`" : "**not run** — " + cfg.skuaSkipReason).append("\n");
    sb.append("- Apache Kafka: ").append(cfg.runKafka ? "4.3.1 from Maven Central jars, KRaft; single node: one broker+controller"
        + " (`--standalone`); cluster: three combined broker+controller nodes, static `controller.quorum.voters`"
        : "not run (--skip-kafka)").append("\n");
    if (cfg.runCluster) {
      sb.append("- Cluster scenario: ").append(ClusterScenario.SIZE).append(" broker processes per system on 127.0.0.1 "
          + "(own client port, peer port and data directory each; Skua: `cluster.bind`/`cluster.seeds`), topics with "
          + "replication factor 3 and `").append(String.join(" ", ClusterScenario.TOPIC_CONFIGS.entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue()).sorted().toList()))
          .append("`, `acks=all enable.idempotence=true`\n");
    }
    sb.append("- Git revision: `").append(cfg.gitRev).append("`\n");
    sb.append("- Machine: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores, ").append(memTotal()).append(", Linux ").append(System.getProperty("os.version")).append("\n");
    sb.append("- Java: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version")).append("\n");
    if (cfg.runSingle) {
      sb.append("- Broker JVM options (both brokers): `").append(String.join(" ", cfg.brokerJvmOpts)).append("`\n");
    }
    if (cfg.runCluster) {
      sb.append("- Cluster broker JVM options (each of the 3, both systems): `")
          .append(String.join(" ", cfg.clusterBrokerJvmOpts)).append("`\n");
    }
    sb.append("- Tool JVM options: `").append(String.join(" ", cfg.toolJvmOpts)).append("`\n");
    sb.append("- Data directories: under `").append(cfg.dataBase).append("` on ")
        .append(BenchMain.describeFileStore(cfg.dataBase)).append(", fresh per broker and repetition\n");
    sb.append("- Producer settings: `").append(String.join(" ", BenchMain.PRODUCER_PROPS))
        .append("`, acks and enable.idempotence per row; fixed-rate latency driver uses linger.ms=0\n\n");

    boolean multi = cfg.reps > 1;
    sb.append("Cells are the median").append(multi ? " (min–max)" : "").append(" over the repetitions")
        .append("; `[k/n]` marks a cell where only k of n repetitions produced a value. ")
        .append("Ratio = Skua median / Kafka median; the *better* column says whether a higher or lower number is better.\n\n");

    String skua = brokers.contains("skua") ? "skua" : null;
    sb.append("| Workload | Metric | Unit | Better | Skua | Kafka | Skua/Kafka |\n");
    sb.append("|---|---|---|---|---:|---:|---:|\n");
    String lastWorkload = null;
    for (Map.Entry<String, Results.Metric> e : r.metrics.entrySet()) {
      Results.Metric m = e.getValue();
      List<Double> s = r.get(e.getKey(), "skua");
      List<Double> k = r.get(e.getKey(), "kafka");
      String wl = m.workload().equals(lastWorkload) ? "〃" : m.workload();
      lastWorkload = m.workload();
      String ratio = "—";
      if (!s.isEmpty() && !k.isEmpty() && Results.median(k) != 0 && !informational(e.getKey())) {
        ratio = String.format(Locale.ROOT, "%.2f×", Results.median(s) / Results.median(k));
      }
      sb.append("| ").append(wl).append(" | ").append(m.name()).append(" | ").append(m.unit())
          .append(" | ").append(informational(e.getKey()) || context(e.getKey()) ? "—"
              : m.higherIsBetter() ? "higher" : "lower")
          .append(" | ").append(skua == null ? "not run" : cell(s, cfg.reps * m.samplesPerRep()))
          .append(" | ").append(cfg.runKafka ? cell(k, cfg.reps * m.samplesPerRep()) : "not run")
          .append(" | ").append(ratio).append(" |\n");
    }

    sb.append("\n## Errors and warnings\n\n");
    if (r.errors.isEmpty()) {
      sb.append("None.\n");
    } else {
      for (String err : r.errors) {
        sb.append("- ").append(err).append("\n");
      }
    }

    sb.append("\n## Raw values per repetition\n\n");
    sb.append("| Metric | Broker | Values (in repetition order) |\n|---|---|---|\n");
    for (Map.Entry<String, Results.Metric> e : r.metrics.entrySet()) {
      for (String b : brokers) {
        List<Double> v = r.get(e.getKey(), b);
        if (v.isEmpty()) {
          continue;
        }
        sb.append("| `").append(e.getKey()).append("` | ").append(b).append(" | ");
        for (int i = 0; i < v.size(); i++) {
          sb.append(i == 0 ? "" : ", ").append(fmt(v.get(i)));
        }
        sb.append(" |\n");
      }
    }
    sb.append("\nTool output and broker logs of this run: `").append(cfg.logDir).append("` (not committed).\n");
    return sb.toString();
  }

  /** Rows that explain other rows (how the clients behaved): a ratio, but neither direction is better. */
  static boolean context(String key) {
    return key.contains(".ctx.");
  }

  /** Machine-load rows: context for the reader, not a comparison of the brokers. */
  static boolean informational(String key) {
    return key.startsWith("env.") || key.startsWith("cl.env.");
  }

  static String cell(List<Double> xs, int reps) {
    if (xs.isEmpty()) {
      return "n/a";
    }
    String c = fmt(Results.median(xs));
    if (xs.size() > 1) {
      c += " (" + fmt(Results.min(xs)) + "–" + fmt(Results.max(xs)) + ")";
    }
    if (xs.size() < reps) {
      c += " [" + xs.size() + "/" + reps + "]";
    }
    return c;
  }

  static String fmt(double v) {
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    } else if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    } else if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    } else {
      return String.format(Locale.ROOT, "%.2f", v);
    }
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  private static String memTotal() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(l -> l.startsWith("MemTotal:"))
          .map(l -> String.format(Locale.ROOT, "%.0f GiB RAM",
              Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
          .findFirst().orElse("unknown RAM");
    } catch (IOException e) {
      return "unknown RAM";
    }
  }

  private Report() {}
}
