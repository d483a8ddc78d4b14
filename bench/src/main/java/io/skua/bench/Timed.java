package io.skua.bench;

import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs another tool's {@code main} in this JVM and, when the JVM exits, prints the CPU it used (all threads:
 * the tool's, the JIT's, the collector's) and its uptime, as {@code CLIENT_CPU cpu_s=... wall_s=...}. The harness
 * reads that line to show how much of the two cores the client took. Kafka's tools end with {@code Exit.exit}, so
 * the line comes from a shutdown hook.
 *
 * <p>Usage: {@code Timed <main class> [args...]}
 */
public final class Timed {

  public static void main(String[] args) throws Throwable {
    if (args.length < 1) {
      System.err.println("usage: Timed <main class> [args...]");
      System.exit(2);
    }
    AtomicBoolean printed = new AtomicBoolean();
    Runnable report = () -> {
      if (printed.compareAndSet(false, true)) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double cpu = os.getProcessCpuTime() / 1e9;
        double wall = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
        System.out.printf("CLIENT_CPU cpu_s=%.3f wall_s=%.3f%n", cpu, wall);
        System.out.flush();
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(report, "client-cpu-report"));
    try {
      Class.forName(args[0]).getMethod("main", String[].class)
          .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private Timed() {}
}
