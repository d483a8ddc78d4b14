package io.skua.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A broker under test, run as a child process: start, readiness probe, {@code /proc} sampling, stop. The
 * flavours ({@link KafkaBroker}, {@link SkuaBroker}) write their configuration and build the command line.
 * Every broker of one scenario gets the same JVM options (single node: {@code cfg.brokerJvmOpts}; cluster:
 * {@code cfg.clusterBrokerJvmOpts}).
 */
abstract class Broker implements Target {

  /** Result of {@link #start()}: milliseconds from process spawn to the two readiness points. */
  record Startup(double tcpConnectMs, double firstResponseMs) {}

  /**
   * This broker's node id and the members of the cluster it forms (one member: a single node). Index
   * {@code i} of the port lists belongs to node id {@code i + 1}. The peer port is what the brokers talk to
   * each other on besides the client port: the KRaft controller listener for Kafka, the JGroups transport
   * ({@code cluster.bind}) for Skua. {@code clusterId} is shared by all members (Kafka's storage format
   * {@code -t}, Skua's {@code cluster.name}).
   */
  record Membership(int nodeId, String clusterId, List<Integer> clientPorts, List<Integer> peerPorts) {

    /** The members of a cluster of {@code size} brokers, with free ports picked now. */
    static List<Membership> of(int size) throws IOException {
      List<Integer> taken = new ArrayList<>();
      for (int i = 0; i < 2 * size; i++) {
        taken.add(Ports.free(taken.toArray(Integer[]::new)));
      }
      List<Integer> client = List.copyOf(taken.subList(0, size));
      List<Integer> peer = List.copyOf(taken.subList(size, 2 * size));
      String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
      List<Membership> members = new ArrayList<>();
      for (int id = 1; id <= size; id++) {
        members.add(new Membership(id, clusterId, client, peer));
      }
      return members;
    }

    static Membership single() throws IOException {
      return of(1).get(0);
    }

    int size() {
      return clientPorts.size();
    }

    boolean clustered() {
      return size() > 1;
    }

    int port() {
      return clientPorts.get(nodeId - 1);
    }

    int peerPort() {
      return peerPorts.get(nodeId - 1);
    }

    /** {@code 127.0.0.1:PORT} of every member's peer port, in node id order. */
    List<String> peerAddresses() {
      return peerPorts.stream().map(p -> "127.0.0.1:" + p).toList();
    }
  }

  final String name;
  final BenchConfig cfg;
  final Membership member;
  final List<String> jvmOpts;
  final Path dataDir;
  final Path logFile;
  final int port;
  Process process;

  Broker(String name, BenchConfig cfg, Membership member, List<String> jvmOpts, Path dataDir, Path logFile) {
    this.name = name;
    this.cfg = cfg;
    this.member = member;
    this.jvmOpts = jvmOpts;
    this.dataDir = dataDir;
    this.logFile = logFile;
    this.port = member.port();
  }

  @Override
  public String name() {
    return name;
  }

  /** The name in messages: {@code kafka}, or {@code kafka-2} for node 2 of a cluster. */
  String label() {
    return member.clustered() ? name + "-" + member.nodeId() : name;
  }

  /** Writes configs, formats storage, etc. Not part of the measured start-up time. */
  abstract void prepare() throws Exception;

  /** The full command line that starts the broker (JVM options included). */
  abstract List<String> command();

  @Override
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  Startup start() throws Exception {
    return awaitReady(spawn());
  }

  /** Starts the process; returns the {@link System#nanoTime()} just before the spawn. */
  long spawn() throws IOException {
    Files.createDirectories(logFile.getParent());
    ProcessBuilder pb = new ProcessBuilder(command());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    long t0 = System.nanoTime();
    process = pb.start();
    // bench/run kills whatever is listed here if the harness itself dies.
    Files.writeString(
        cfg.pidFile,
        process.pid() + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return t0;
  }

  /**
   * Polls the client port: first a plain TCP connect (which the kernel may complete as soon as the
   * socket is bound and listening), then an ApiVersions v0 request on that connection, which only
   * gets an answer once the broker actually processes requests.
   */
  Startup awaitReady(long t0) throws Exception {
    long deadline = t0 + TimeUnit.SECONDS.toNanos(cfg.startTimeoutSeconds);
    double tcpMs = -1;
    int correlationId = 1;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            label() + " exited with code " + process.exitValue() + " during start-up; see " + logFile);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        if (tcpMs < 0) {
          tcpMs = (System.nanoTime() - t0) / 1e6;
        }
        s.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        byte[] clientId = "skua-bench-probe".getBytes(StandardCharsets.UTF_8);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        // Request header v1: api_key INT16, api_version INT16, correlation_id INT32,
        // client_id NULLABLE_STRING; ApiVersions v0 has an empty body.
        out.writeInt(2 + 2 + 4 + 2 + clientId.length);
        out.writeShort(18); // ApiVersions
        out.writeShort(0);
        out.writeInt(++correlationId);
        out.writeShort(clientId.length);
        out.write(clientId);
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        int size = in.readInt();
        int corr = in.readInt();
        if (size >= 4 && corr == correlationId) {
          double respMs = (System.nanoTime() - t0) / 1e6;
          skipFully(in, size - 4);
          return new Startup(tcpMs, respMs);
        }
      } catch (IOException notYet) {
        // not listening yet, or closed on us: retry
      }
      Thread.sleep(5);
    }
    throw new IOException(label() + " not ready after " + cfg.startTimeoutSeconds + " s; see " + logFile);
  }

  private static void skipFully(InputStream in, int n) throws IOException {
    int left = n;
    while (left > 0) {
      long k = in.skip(left);
      if (k <= 0) {
        if (in.read() < 0) {
          return;
        }
        k = 1;
      }
      left -= (int) k;
    }
  }

  /** Resident set size now (VmRSS) and peak (VmHWM), in MiB. */
  double[] rssMiB() throws IOException {
    double rss = Double.NaN;
    double hwm = Double.NaN;
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = kb(line) / 1024.0;
      } else if (line.startsWith("VmHWM:")) {
        hwm = kb(line) / 1024.0;
      }
    }
    return new double[] {rss, hwm};
  }

  private static long kb(String statusLine) {
    return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
  }

  /** CPU seconds (user + system) used by the broker process so far, from /proc/PID/stat. */
  double cpuSeconds() throws IOException {
    double[] us = userSystem(Path.of("/proc", Long.toString(pid()), "stat"));
    return us[0] + us[1];
  }

  /** User and system CPU seconds of a process or thread, from its {@code stat} file. */
  private double[] userSystem(Path statFile) throws IOException {
    String stat = Files.readString(statFile);
    // Field 2 (comm) may contain spaces; everything after the last ')' is space separated,
    // starting with field 3 (state). utime is field 14, stime field 15.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    return new double[] {Long.parseLong(f[11]) / (double) cfg.clockTicks,
        Long.parseLong(f[12]) / (double) cfg.clockTicks};
  }

  /**
   * User and system CPU seconds per group of live threads, a group being the thread name without its digits
   * ("vert.x-eventloop-thread-", "C2 CompilerThread"), largest first. Threads that have exited are not counted.
   */
  Map<String, double[]> cpuByThreadGroup() throws IOException {
    Map<String, double[]> groups = new TreeMap<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid()), "task"))) {
      for (Path task : tasks) {
        try {
          String name = Files.readString(task.resolve("comm")).strip().replaceAll("[0-9]", "");
          double[] us = userSystem(task.resolve("stat"));
          double[] sum = groups.computeIfAbsent(name, k -> new double[2]);
          sum[0] += us[0];
          sum[1] += us[1];
        } catch (NoSuchFileException gone) {
          // the thread exited while we listed
        }
      }
    }
    return groups;
  }

  void stop() {
    requestStop();
    awaitStop();
  }

  /** Sends SIGTERM (graceful shutdown) without waiting; {@link #awaitStop()} waits and escalates. */
  void requestStop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    // Child JVMs first (none expected, but a wrapper script would have some), then the process.
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
  }

  /** Waits up to 30 s for the process to end after {@link #requestStop()}, then kills it. */
  void awaitStop() {
    if (process == null) {
      return;
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  List<String> jvm() {
    List<String> cmd = new ArrayList<>();
    cmd.add(cfg.javaBin);
    cmd.addAll(jvmOpts);
    return cmd;
  }
}
