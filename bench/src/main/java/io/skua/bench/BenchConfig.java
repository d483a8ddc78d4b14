package io.skua.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Everything bench/run passes in. Plain fields; parsed once in {@link BenchMain}. */
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
}
