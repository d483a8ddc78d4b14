package io.skua.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Everything bench/run passes in. Plain fields, parsed once from the command line ({@link #parse}). */
final class BenchConfig {
  int reps = 3;
  boolean quick;
  long records = 2_000_000;
  long warmupRecords = 200_000;
  int e2eRecords = 10_000;
  /**
   * Consumer runs per topic and repetition. A fetch phase lasts about a second, and single runs of the same broker
   * spread by up to 2x (fresh consumer JVM, two shared cores); the first run is inside the CPU window, the others
   * follow it.
   */
  int consumePasses = 3;
  int latencyRate = 20_000;
  int latencySeconds = 30;
  /** Long enough for the driver JVM's own JIT to settle: at 5 s it was still recompiling its network client. */
  int latencyWarmupSeconds = 10;
  int startTimeoutSeconds = 120;
  boolean runKafka = true;
  boolean runSingle = true; // the single-node scenario
  boolean runCluster = true; // the three-broker cluster scenario
  long clusterRecords; // records per cluster throughput test; 0: the same as records
  Path skuaJar; // null: Skua is skipped
  String skuaSkipReason = "";
  List<String> skuaExtraOverrides = new ArrayList<>();
  Path dataBase;
  Path logDir;
  Path resultsDir;
  Path pidFile;
  String timestamp;
  String gitRev = "unknown";
  String javaBin;
  String toolClasspath;
  List<String> brokerJvmOpts = new ArrayList<>();
  List<String> clusterBrokerJvmOpts = new ArrayList<>();
  List<String> toolJvmOpts = new ArrayList<>();
  long clockTicks = 100;

  /** The arguments bench/run passes; {@code --quick} shortens every phase. */
  static BenchConfig parse(String[] args) {
    BenchConfig c = new BenchConfig();
    Long records = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> c.quick = true;
        case "--skip-kafka" -> c.runKafka = false;
        case "--only" -> {
          String only = args[++i];
          switch (only) {
            case "single" -> c.runCluster = false;
            case "cluster" -> c.runSingle = false;
            default -> throw new IllegalArgumentException("--only takes single or cluster, not " + only);
          }
        }
        case "--cluster-records" -> c.clusterRecords = Long.parseLong(args[++i]);
        case "--cluster-broker-jvm-opts" -> c.clusterBrokerJvmOpts = List.of(args[++i].trim().split("\\s+"));
        case "--reps" -> c.reps = Integer.parseInt(args[++i]);
        case "--records" -> records = Long.parseLong(args[++i]);
        case "--rate" -> c.latencyRate = Integer.parseInt(args[++i]);
        case "--skua-jar" -> c.skuaJar = Path.of(args[++i]);
        case "--skua-skip-reason" -> c.skuaSkipReason = args[++i];
        case "--skua-override" -> c.skuaExtraOverrides.add(args[++i]);
        case "--data-dir" -> c.dataBase = Path.of(args[++i]);
        case "--log-dir" -> c.logDir = Path.of(args[++i]);
        case "--results-dir" -> c.resultsDir = Path.of(args[++i]);
        case "--pid-file" -> c.pidFile = Path.of(args[++i]);
        case "--timestamp" -> c.timestamp = args[++i];
        case "--git-rev" -> c.gitRev = args[++i];
        case "--classpath" -> c.toolClasspath = args[++i];
        case "--clock-ticks" -> c.clockTicks = Long.parseLong(args[++i]);
        case "--broker-jvm-opts" -> c.brokerJvmOpts = List.of(args[++i].trim().split("\\s+"));
        case "--tool-jvm-opts" -> c.toolJvmOpts = List.of(args[++i].trim().split("\\s+"));
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    if (c.quick) {
      c.records = 500_000;
      c.warmupRecords = 100_000;
      c.e2eRecords = 2_000;
      c.latencySeconds = 10;
      c.latencyWarmupSeconds = 5;
    }
    if (records != null) {
      c.records = records;
    }
    if (c.clusterRecords <= 0) {
      c.clusterRecords = c.records;
    }
    if (c.reps < 1) {
      throw new IllegalArgumentException("--reps must be >= 1");
    }
    c.javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (String required : List.of("dataBase", "logDir", "resultsDir", "pidFile", "timestamp", "toolClasspath")) {
      try {
        if (BenchConfig.class.getDeclaredField(required).get(c) == null) {
          throw new IllegalArgumentException("missing argument for " + required + " (use bench/run)");
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return c;
  }
}
