package io.skua.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one workload tool as its own JVM, output captured to a log file. */
final class Tools {

  record Run(int exitCode, boolean timedOut, String output, Path log) {
    String tail() {
      String[] lines = output.split("\n");
      int from = Math.max(0, lines.length - 15);
      return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
  }

  static Run run(List<String> cmd, Path log, long timeoutSeconds) throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    Files.writeString(log, "$ " + String.join(" ", cmd) + "\n");
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p = pb.start();
    boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!done) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor();
      }
    }
    String out = Files.readString(log);
    return new Run(done ? p.exitValue() : -1, !done, out, log);
  }

  private Tools() {}
}
