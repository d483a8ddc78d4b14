package io.skua.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The workload tools, each a separate JVM pointed at a {@link Target}: Kafka's ProducerPerformance,
 * ConsumerPerformance and EndToEndLatency, and our {@link FixedRateLatency}. Each run parses the tool's
 * summary into {@link Results} under the broker's name, or records an error naming the tool's log.
 */
final class PerfTools {
  private final BenchConfig cfg;
  private final Results results;

  PerfTools(BenchConfig cfg, Results results) {
    this.cfg = cfg;
    this.results = results;
  }

  private List<String> tool(String mainClass) {
    List<String> cmd = new ArrayList<>();
    cmd.add(cfg.javaBin);
    cmd.addAll(cfg.toolJvmOpts);
    cmd.add("-cp");
    cmd.add(cfg.toolClasspath);
    cmd.add(mainClass);
    return cmd;
  }

  /** A tool run through {@link Timed}, which prints the CPU its JVM used. */
  private List<String> timedTool(String mainClass) {
    List<String> cmd = tool(Timed.class.getName());
    cmd.add(mainClass);
    return cmd;
  }

  private static final Pattern CLIENT_CPU = Pattern.compile("CLIENT_CPU cpu_s=([0-9.]+) wall_s=([0-9.]+)");

  /** Records the cores a client tool kept busy (its CPU seconds over its lifetime), from {@link Timed}'s line. */
  private void recordClientCpu(String key, String broker, String output) {
    Matcher m = CLIENT_CPU.matcher(output);
    if (results.metrics.containsKey(key) && m.find() && Double.parseDouble(m.group(2)) > 0) {
      results.add(key, broker, Double.parseDouble(m.group(1)) / Double.parseDouble(m.group(2)));
    }
  }

  private long toolTimeout(long records) {
    return 120 + records / 2_000;
  }

  private static final Pattern PRODUCER_SUMMARY = Pattern.compile(
      "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, "
          + "([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99.9th");

  /** Runs ProducerPerformance; returns the number of records acknowledged (0 on failure). */
  long runProducer(Target b, BenchMain.Produce p, long n, Path logs, boolean record) throws Exception {
    List<String> cmd = timedTool("org.apache.kafka.tools.ProducerPerformance");
    cmd.addAll(List.of("--bootstrap-server", b.bootstrap(), "--topic", p.topic(),
        "--num-records", Long.toString(n), "--record-size", Integer.toString(p.recordSize()),
        "--throughput", "-1", "--command-property"));
    cmd.add("acks=" + p.acks());
    cmd.add("enable.idempotence=" + p.acks().equals("all"));
    cmd.addAll(BenchMain.PRODUCER_PROPS);
    Tools.Run r = Tools.run(cmd, logs.resolve(p.id() + ".log"), toolTimeout(n));
    Matcher m = null;
    for (String line : r.output().split("\n")) {
      Matcher mm = PRODUCER_SUMMARY.matcher(line);
      if (mm.find()) {
        m = mm;
      }
    }
    if (r.exitCode() != 0 || m == null) {
      results.error(b.name() + " " + p.id() + ": ProducerPerformance "
          + (r.timedOut() ? "timed out" : "exit " + r.exitCode()) + ", see " + r.log());
      return 0;
    }
    long sent = Long.parseLong(m.group(1));
    if (r.output().contains("Exception") || r.output().contains("ERROR")) {
      results.error(b.name() + " " + p.id() + ": errors in producer output, see " + r.log());
    }
    if (record) {
      results.add(p.id() + ".rps", b.name(), Double.parseDouble(m.group(2)));
      results.add(p.id() + ".mbps", b.name(), Double.parseDouble(m.group(3)));
      results.add(p.id() + ".p99", b.name(), Double.parseDouble(m.group(8)));
      recordClientCpu(p.id() + ".ctx.client", b.name(), r.output());
      BenchMain.log(String.format("%s %s: %s records/s, %s MB/s, p99 %s ms", b.name(), p.id(), m.group(2), m.group(3), m.group(8)));
    }
    return sent;
  }

  /** Runs ConsumerPerformance over the {@code n} records a produce workload wrote; returns records consumed. */
  long runConsumer(Target b, BenchMain.Produce p, long n, int rep, int pass, Path logs, boolean record) throws Exception {
    List<String> cmd = timedTool("org.apache.kafka.tools.ConsumerPerformance");
    cmd.addAll(List.of("--bootstrap-server", b.bootstrap(), "--topic", p.topic(),
        "--num-records", Long.toString(n), "--group", "bench-" + p.id() + "-" + rep + "-" + pass,
        "--timeout", "30000"));
    String log = "consume-" + p.id() + (pass == 1 ? "" : "-pass" + pass) + ".log";
    Tools.Run r = Tools.run(cmd, logs.resolve(log), toolTimeout(n));
    String[] lines = r.output().split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].startsWith("start.time")) {
        List<String> header = Arrays.stream(lines[i].split(",")).map(String::trim).toList();
        String[] v = lines[i + 1].split(",");
        if (v.length != header.size()) {
          break;
        }
        double nMsg = Double.parseDouble(v[header.indexOf("data.consumed.in.nMsg")].trim());
        double fetchMsgSec = Double.parseDouble(v[header.indexOf("fetch.nMsg.sec")].trim());
        double fetchMbSec = Double.parseDouble(v[header.indexOf("fetch.MB.sec")].trim());
        double mb = Double.parseDouble(v[header.indexOf("data.consumed.in.MB")].trim());
        double mbSec = Double.parseDouble(v[header.indexOf("MB.sec")].trim());
        if (nMsg < n) {
          results.error(String.format("%s consume %s: only %.0f of %d records consumed, see %s",
              b.name(), p.id(), nMsg, n, r.log()));
          return (long) nMsg;
        }
        if (!record) {
          return (long) nMsg;
        }
        results.add("c-" + p.id() + ".rps", b.name(), fetchMsgSec);
        results.add("c-" + p.id() + ".mbps", b.name(), fetchMbSec);
        recordClientCpu("c-" + p.id() + ".ctx.client", b.name(), r.output());
        if (mbSec > 0) {
          results.add("c-" + p.id() + ".wall", b.name(), mb / mbSec);
        }
        BenchMain.log(String.format("%s consume %s: %.0f records/s (fetch phase), %.1f MB/s", b.name(), p.id(), fetchMsgSec, fetchMbSec));
        return (long) nMsg;
      }
    }
    results.error(b.name() + " consume " + p.id() + ": ConsumerPerformance "
        + (r.timedOut() ? "timed out" : "exit " + r.exitCode()) + ", no result line; see " + r.log());
    return 0;
  }

  private static final Pattern E2E_AVG = Pattern.compile("Avg latency: ([\\d.]+) ms");
  private static final Pattern E2E_PCT = Pattern.compile("Percentiles: 50th = (\\d+), 99th = (\\d+), 99\\.9th = (\\d+)");

  /** Runs EndToEndLatency (synchronous round trips); returns the records produced and consumed (0 on failure). */
  long runEndToEnd(Target b, Path logs) throws Exception {
    List<String> cmd = tool("org.apache.kafka.tools.EndToEndLatency");
    cmd.addAll(List.of("--bootstrap-server", b.bootstrap(), "--topic", BenchMain.E2E_TOPIC,
        "--num-records", Integer.toString(cfg.e2eRecords), "--producer-acks", "1", "--record-size", "100"));
    Tools.Run r = Tools.run(cmd, logs.resolve("e2e-sync.log"), 120 + cfg.e2eRecords / 50);
    Matcher avg = E2E_AVG.matcher(r.output());
    Matcher pct = E2E_PCT.matcher(r.output());
    if (r.exitCode() != 0 || !avg.find() || !pct.find()) {
      results.error(b.name() + " e2e-sync: EndToEndLatency "
          + (r.timedOut() ? "timed out" : "exit " + r.exitCode()) + ", see " + r.log());
      return 0;
    }
    results.add("e2e.avg", b.name(), Double.parseDouble(avg.group(1)));
    results.add("e2e.p50", b.name(), Double.parseDouble(pct.group(1)));
    results.add("e2e.p99", b.name(), Double.parseDouble(pct.group(2)));
    results.add("e2e.p999", b.name(), Double.parseDouble(pct.group(3)));
    BenchMain.log(String.format("%s e2e-sync: avg %s ms, p50 %s, p99 %s, p99.9 %s ms",
        b.name(), avg.group(1), pct.group(1), pct.group(2), pct.group(3)));
    return 2L * cfg.e2eRecords;
  }

  /** Produce and fetch requests the clients of the last fixed-rate run sent (0 if unknown). */
  private long fixedRateRequests;

  long fixedRateRequests() {
    return fixedRateRequests;
  }

  /** Runs {@link FixedRateLatency}; returns the records sent and received (0 on failure). */
  long runFixedRate(Target b, Path logs) throws Exception {
    fixedRateRequests = 0;
    List<String> cmd = tool(FixedRateLatency.class.getName());
    cmd.addAll(List.of("--bootstrap-server", b.bootstrap(), "--topic", BenchMain.RATE_TOPIC,
        "--rate", Integer.toString(cfg.latencyRate), "--seconds", Integer.toString(cfg.latencySeconds),
        "--warmup-seconds", Integer.toString(cfg.latencyWarmupSeconds), "--record-size", "100", "--acks", "1"));
    Tools.Run r = Tools.run(cmd, logs.resolve("e2e-fixed-rate.log"), 120 + 2L * cfg.latencySeconds);
    Map<String, String> kv = null;
    for (String line : r.output().split("\n")) {
      if (line.startsWith("RESULT ")) {
        kv = new java.util.HashMap<>();
        for (String tok : line.substring(7).trim().split("\\s+")) {
          int eq = tok.indexOf('=');
          kv.put(tok.substring(0, eq), tok.substring(eq + 1));
        }
      }
    }
    if (r.exitCode() != 0 || kv == null) {
      results.error(b.name() + " e2e-fixed-rate: " + (r.timedOut() ? "timed out" : "exit " + r.exitCode())
          + ", see " + r.log());
      return 0;
    }
    long lost = Long.parseLong(kv.get("lost"));
    long errors = Long.parseLong(kv.get("send_errors"));
    if (lost > 0 || errors > 0) {
      results.error(String.format("%s e2e-fixed-rate: %d records not received, %d send errors", b.name(), lost, errors));
    }
    results.add("fr.p50", b.name(), Double.parseDouble(kv.get("p50_ms")));
    results.add("fr.p99", b.name(), Double.parseDouble(kv.get("p99_ms")));
    results.add("fr.p999", b.name(), Double.parseDouble(kv.get("p999_ms")));
    results.add("fr.max", b.name(), Double.parseDouble(kv.get("max_ms")));
    results.add("fr.rate", b.name(), Double.parseDouble(kv.get("achieved_rate")));
    double produceRequests = Double.parseDouble(kv.getOrDefault("produce_requests", "NaN"));
    double fetches = Double.parseDouble(kv.getOrDefault("fetches", "NaN"));
    results.add("fr.ctx.rpr", b.name(), Double.parseDouble(kv.get("sent")) / produceRequests);
    results.add("fr.ctx.rpf", b.name(), Double.parseDouble(kv.get("received")) / fetches);
    if (produceRequests > 0 && fetches > 0) {
      fixedRateRequests = (long) (produceRequests + fetches);
    }
    BenchMain.log(String.format("%s e2e-fixed-rate: p50 %s ms, p99 %s ms, p99.9 %s ms, achieved %s msg/s",
        b.name(), kv.get("p50_ms"), kv.get("p99_ms"), kv.get("p999_ms"), kv.get("achieved_rate")));
    return Long.parseLong(kv.get("sent")) + Long.parseLong(kv.get("received"));
  }
}
