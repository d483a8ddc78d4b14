package io.skua.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;

/** Ephemeral free ports on 127.0.0.1 (asked from the kernel, then released for the broker). */
final class Ports {
  static int free(Integer... notThese) throws IOException {
    Set<Integer> avoid = Set.of(notThese);
    for (int attempt = 0; attempt < 20; attempt++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        s.setReuseAddress(true);
        int p = s.getLocalPort();
        if (!avoid.contains(p)) {
          return p;
        }
      }
    }
    throw new IOException("no free port found");
  }

  private Ports() {}
}
