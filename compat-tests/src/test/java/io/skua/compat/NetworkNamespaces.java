package io.skua.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A private network for {@code count} brokers (needs root and iproute2): one network namespace per broker, each with
 * an {@code eth0} of a veth pair whose other end is a port of a bridge in a namespace of its own; a further veth pair
 * connects this (the test's) namespace to the bridge, so the test's clients reach every broker. Addresses are
 * {@code 10.213.<n>.<id>/24} ({@code .254} on the test's side) for a random {@code n} not in use here; nothing outside
 * this machine is addressed.
 *
 * <p>{@link #isolate} cuts one broker off from the other brokers with iptables DROP rules in its namespace (both
 * directions), while the test's side still reaches it: a client on the isolated broker's side of the split.
 * {@link #heal} removes the rules. {@link #close()} deletes everything it created, and {@link #deleteLeftovers()}
 * whatever a failed run left behind.
 */
final class NetworkNamespaces implements AutoCloseable {
    private static final Set<String> CREATED = ConcurrentHashMap.newKeySet();

    private final int count;
    private final String tag;
    private final String subnet;
    private final String hostLink;
    private final List<String> namespaces = new ArrayList<>();

    private NetworkNamespaces(int count, String tag, String subnet) {
        this.count = count;
        this.tag = tag;
        this.subnet = subnet;
        this.hostLink = "sk" + tag + "h";
    }

    /** Creates the network; throws if any step fails (after removing what was created). */
    static NetworkNamespaces create(int count) throws IOException, InterruptedException {
        String tag = Integer.toHexString(0x1000 + ThreadLocalRandom.current().nextInt(0xefff));
        String used = run(List.of("ip", "-4", "addr"), false);
        String subnet = null;
        for (int i = 0; i < 20 && subnet == null; i++) {
            String candidate = "10.213." + ThreadLocalRandom.current().nextInt(256) + ".";
            if (!used.contains(candidate)) {
                subnet = candidate;
            }
        }
        if (subnet == null) {
            throw new IOException("no free 10.213.x.0/24 subnet");
        }
        NetworkNamespaces net = new NetworkNamespaces(count, tag, subnet);
        try {
            net.build();
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build() throws IOException, InterruptedException {
        String bridge = namespace("br");
        addNamespace(bridge);
        ip(bridge, "link", "add", "br0", "type", "bridge");
        ip(bridge, "link", "set", "br0", "up");
        for (int id = 1; id <= count; id++) {
            String ns = namespace("b" + id);
            addNamespace(ns);
            ip(bridge, "link", "add", "p" + id, "type", "veth", "peer", "name", "eth0", "netns", ns);
            ip(bridge, "link", "set", "p" + id, "master", "br0");
            ip(bridge, "link", "set", "p" + id, "up");
            ip(ns, "addr", "add", address(id) + "/24", "dev", "eth0");
            ip(ns, "link", "set", "eth0", "up");
            ip(ns, "link", "set", "lo", "up");
        }
        CREATED.add("link:" + hostLink);
        run(List.of("ip", "link", "add", hostLink, "type", "veth", "peer", "name", "ph", "netns", bridge), true);
        ip(bridge, "link", "set", "ph", "master", "br0");
        ip(bridge, "link", "set", "ph", "up");
        run(List.of("ip", "addr", "add", subnet + "254/24", "dev", hostLink), true);
        run(List.of("ip", "link", "set", hostLink, "up"), true);
    }

    /** Broker {@code id}'s address. */
    String address(int id) {
        return subnet + id;
    }

    /** The command prefix that runs a program in broker {@code id}'s namespace (exec: same process id). */
    List<String> exec(int id) {
        return List.of("ip", "netns", "exec", namespace("b" + id));
    }

    /** Drops all traffic between broker {@code id} and the other brokers, both ways; the test's side still reaches it. */
    void isolate(int id) throws IOException, InterruptedException {
        String ns = namespace("b" + id);
        for (int other = 1; other <= count; other++) {
            if (other != id) {
                iptables(ns, "-I", "INPUT", "-s", address(other), "-j", "DROP");
                iptables(ns, "-I", "OUTPUT", "-d", address(other), "-j", "DROP");
            }
        }
    }

    /** Removes the rules of {@link #isolate}. */
    void heal(int id) throws IOException, InterruptedException {
        String ns = namespace("b" + id);
        iptables(ns, "-F", "INPUT");
        iptables(ns, "-F", "OUTPUT");
    }

    @Override
    public void close() {
        for (String ns : namespaces) {
            deleteQuietly(List.of("ip", "netns", "del", ns));
            CREATED.remove("netns:" + ns);
        }
        namespaces.clear();
        deleteQuietly(List.of("ip", "link", "del", hostLink));
        CREATED.remove("link:" + hostLink);
    }

    /** Deletes whatever an instance of this JVM created and did not remove (for @AfterAll). */
    static void deleteLeftovers() {
        for (String item : Set.copyOf(CREATED)) {
            String name = item.substring(item.indexOf(':') + 1);
            deleteQuietly(item.startsWith("netns:") ? List.of("ip", "netns", "del", name) : List.of("ip", "link", "del", name));
            CREATED.remove(item);
        }
    }

    private String namespace(String suffix) {
        return "skua-" + tag + "-" + suffix;
    }

    private void addNamespace(String ns) throws IOException, InterruptedException {
        CREATED.add("netns:" + ns);
        namespaces.add(ns);
        run(List.of("ip", "netns", "add", ns), true);
    }

    private static void ip(String ns, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", ns));
        command.addAll(List.of(args));
        run(command, true);
    }

    private static void iptables(String ns, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "iptables", "-w"));
        command.addAll(List.of(args));
        run(command, true);
    }

    private static void deleteQuietly(List<String> command) {
        try {
            run(command, false);
        } catch (IOException e) {
            // nothing to delete
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a command; returns its output; with {@code check}, throws unless it exits 0 within 10 s. */
    private static String run(List<String> command, boolean check) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        boolean done = p.waitFor(10, TimeUnit.SECONDS);
        String text = new String(out, StandardCharsets.UTF_8);
        if (check && (!done || p.exitValue() != 0)) {
            throw new IOException(String.join(" ", command) + " failed: " + text.trim());
        }
        return text;
    }
}
