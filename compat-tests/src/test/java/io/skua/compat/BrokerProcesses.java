package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.protocol.record.RecordBatch;
import io.skua.storage.LogConfig;
import io.skua.storage.log.PartitionLog;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Brokers 1..n as real {@code bin/skua} processes of this worktree, clustered over JGroups TCP, for tests that kill,
 * pause or cut them off. Each broker listens on {@code host(id):listenPort(id)} and binds JGroups to
 * {@code host(id):clusterPort(id)}; by default every host is 127.0.0.1, and a broker may be started through a command
 * prefix (e.g. {@code ip netns exec ns}), which must exec the broker so that the process id stays the broker's.
 *
 * <p>Every broker's whole output goes to {@code target/broker-logs/<name>-b<id>-<start>.log}; lines about
 * leadership, the ISR, truncation, views, the controller and warnings are also printed with a {@code [b<id>]} prefix.
 * {@link #close()} resumes paused brokers and kills every process still running, so a failing test leaves none.
 */
final class BrokerProcesses implements AutoCloseable {
    private static final Path LOGS = Path.of("target", "broker-logs");

    private final Path dir;
    private final String name;
    private final int count;
    private final String[] hosts;
    private final int[] listenPorts;
    private final int[] clusterPorts;
    private final Map<Integer, List<String>> prefixes = new ConcurrentHashMap<>();
    private final Map<Integer, Process> processes = new ConcurrentHashMap<>();
    private final Set<Integer> paused = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Integer> starts = new ConcurrentHashMap<>();

    /** {@code count} brokers on 127.0.0.1 with free ports; data under {@code dir/b<id>}. */
    BrokerProcesses(Path dir, String name, int count) throws IOException {
        this.dir = dir;
        this.name = name;
        this.count = count;
        this.hosts = new String[count];
        this.listenPorts = new int[count];
        this.clusterPorts = new int[count];
        for (int i = 0; i < count; i++) {
            hosts[i] = "127.0.0.1";
            listenPorts[i] = freePort();
            clusterPorts[i] = freePort();
        }
    }

    /** Broker {@code id} listens and binds JGroups on {@code host} (set before it starts). */
    BrokerProcesses host(int id, String host) {
        hosts[id - 1] = host;
        return this;
    }

    /** Broker {@code id} is started as {@code prefix... bin/skua ...}; the prefix must exec its command. */
    BrokerProcesses prefix(int id, List<String> prefix) {
        prefixes.put(id, List.copyOf(prefix));
        return this;
    }

    String host(int id) {
        return hosts[id - 1];
    }

    int listenPort(int id) {
        return listenPorts[id - 1];
    }

    String bootstrap() {
        return IntStream.rangeClosed(1, count).mapToObj(id -> host(id) + ":" + listenPort(id))
                .collect(Collectors.joining(","));
    }

    Set<Integer> running() {
        return Set.copyOf(processes.keySet());
    }

    /** Starts every broker and waits until each prints where it listens; returns the bootstrap list. */
    String startAll(String... overrides) throws IOException, InterruptedException {
        List<CountDownLatch> ready = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            ready.add(start(id, overrides));
        }
        for (CountDownLatch l : ready) {
            assertTrue(l.await(120, TimeUnit.SECONDS), "bin/skua printed where it listens");
        }
        return bootstrap();
    }

    /** Starts broker {@code id}; the latch opens when it prints where it listens. */
    CountDownLatch start(int id, String... overrides) throws IOException {
        Path root = Path.of(System.getProperty("skua.root", "..")).toAbsolutePath().normalize();
        String seeds = IntStream.rangeClosed(1, count).mapToObj(i -> host(i) + ":" + clusterPorts[i - 1])
                .collect(Collectors.joining(","));
        List<String> command = new ArrayList<>(prefixes.getOrDefault(id, List.of()));
        command.addAll(List.of(root.resolve("bin/skua").toString(),
                "--override", "node.id=" + id,
                "--override", "listeners=PLAINTEXT://" + host(id) + ":" + listenPort(id),
                "--override", "log.dirs=" + dir.resolve("b" + id),
                "--override", "cluster.bind=" + host(id) + ":" + clusterPorts[id - 1],
                "--override", "cluster.seeds=" + seeds,
                "--override", "cluster.name=" + name + "-" + clusterPorts[0],
                "--override", "replica.lag.time.max.ms=10000",
                "--override", "num.network.threads=2"));
        for (String o : overrides) {
            command.add("--override");
            command.add(o);
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SKUA_HEAP_OPTS", "-Xms64m -Xmx384m");
        pb.environment().putIfAbsent("SKUA_MVN_OPTS", "-o");
        Files.createDirectories(LOGS);
        int n = starts.merge(id, 1, Integer::sum);
        PrintWriter file = new PrintWriter(Files.newBufferedWriter(LOGS.resolve(name + "-b" + id + "-" + n + ".log")), true);
        Process process = pb.start();
        processes.put(id, process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        CountDownLatch listening = new CountDownLatch(1);
        Thread pump = new Thread(() -> {
            try (file) {
                for (String line; (line = out.readLine()) != null; ) {
                    file.println(line);
                    if (line.contains("listening on")) {
                        listening.countDown();
                    }
                    if (line.contains("__consumer_offsets") || line.contains("group coordinator loaded")) {
                        continue;
                    }
                    if (line.contains("truncated partition") || line.contains("isr") || line.contains("leadership changed")
                            || line.contains("leading partition") || line.contains("following partition")
                            || line.contains("cluster view") || line.contains("controller") || line.contains("merge")
                            || line.contains("group coordinator") || line.contains("WARN") || line.contains("ERROR")) {
                        System.out.println("[b" + id + "] " + line);
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "broker-" + id + "-output");
        pump.setDaemon(true);
        pump.start();
        return listening;
    }

    long pid(int id) {
        return processes.get(id).pid();
    }

    /** SIGKILL: the broker dies without leaving the cluster. */
    void kill(int id) throws InterruptedException {
        Process p = processes.remove(id);
        if (paused.remove(id)) {
            signal(p, "CONT");
        }
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the broker hangs, its sockets stay open. */
    void pause(int id) {
        paused.add(id);
        signal(processes.get(id), "STOP");
    }

    /** SIGCONT. */
    void resume(int id) {
        signal(processes.get(id), "CONT");
        paused.remove(id);
    }

    private static void signal(Process p, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("kill -" + signal + " " + p.pid(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** SIGTERM to every broker (a clean shutdown) and waits for all of them. */
    void stopAllCleanly() throws InterruptedException {
        for (Process p : processes.values()) {
            p.destroy();
        }
        for (Process p : processes.values()) {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "clean stop");
        }
        processes.clear();
    }

    /** Resumes paused brokers and kills whatever still runs. */
    @Override
    public void close() {
        for (var e : processes.entrySet()) {
            try {
                if (paused.remove(e.getKey())) {
                    signal(e.getValue(), "CONT");
                }
            } catch (RuntimeException ignored) {
                // killed below anyway
            }
            e.getValue().destroyForcibly();
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    // ---- the brokers' data (after they stopped) ----

    PartitionLog openLog(int id, String topic, int partition) {
        return PartitionLog.open(dir.resolve("b" + id).resolve(topic + "-" + partition), LogConfig.DEFAULT,
                System::currentTimeMillis);
    }

    /**
     * Asserts that every broker's log of {@code topic}-0 is byte-identical below the smallest high watermark among
     * them (the brokers have stopped); returns that high watermark and the byte count compared.
     */
    long[] assertIdenticalBelowHighWatermark(String topic) {
        long hw = Long.MAX_VALUE;
        for (int id = 1; id <= count; id++) {
            try (PartitionLog l = openLog(id, topic, 0)) {
                hw = Math.min(hw, l.highWatermark());
            }
        }
        byte[] reference = null;
        for (int id = 1; id <= count; id++) {
            byte[] bytes = logBytes(id, topic, hw);
            if (reference == null) {
                reference = bytes;
            } else {
                assertArrayEquals(reference, bytes, "replica " + id + " differs below the high watermark " + hw);
            }
        }
        return new long[] {hw, reference.length};
    }

    /** The bytes of broker {@code id}'s log of {@code topic}-0 below {@code upTo}. */
    byte[] logBytes(int id, String topic, long upTo) {
        try (PartitionLog log = openLog(id, topic, 0)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long offset = 0;
            while (offset < upTo) {
                ByteBuffer slice = log.read(offset, 1 << 20, upTo).readAll();
                if (slice.remaining() == 0) {
                    break;
                }
                for (RecordBatch b : RecordBatch.batches(slice.duplicate())) {
                    offset = b.nextOffset();
                }
                byte[] bytes = new byte[slice.remaining()];
                slice.get(bytes);
                out.writeBytes(bytes);
            }
            return out.toByteArray();
        }
    }

    // ---- clients ----

    static Admin admin(String bootstrap) {
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        ap.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        ap.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(ap);
    }

    /** Waits for {@code brokers} brokers, then creates {@code topic} with replication factor 3, min.insync.replicas=2. */
    static void createTopic(Admin admin, String topic, int partitions, int brokers) throws InterruptedException {
        until(brokers + " brokers in the cluster", Duration.ofSeconds(90),
                () -> quietly(() -> admin.describeCluster().nodes().get().size() == brokers));
        until("topic created", Duration.ofSeconds(60), () -> quietly(() -> {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get();
            return true;
        }) || quietly(() -> describe(admin, topic) != null));
    }

    /** Partition 0 of {@code topic} as the cluster describes it. */
    static TopicPartitionInfo describe(Admin admin, String topic) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        return d.partitions().get(0);
    }

    /** Every value of {@code topic}-0 from the beginning to its end offset at the start. */
    static List<String> readAll(String bootstrap, String topic) {
        return readAll(bootstrap, topic, 0);
    }

    /** Every value of {@code topic}-{@code partition} from the beginning to its end offset at the start. */
    static List<String> readAll(String bootstrap, String topic, int partition) {
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("key.deserializer", ByteArrayDeserializer.class.getName());
        c.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(c)) {
            TopicPartition tp = new TopicPartition(topic, partition);
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value()));
                }
            }
        }
        return values;
    }

    /**
     * Partition {@code partition} of {@code topic} as broker {@code id} describes it in a Metadata answer (asked of that
     * broker alone: an Admin client may ask a broker with a stale view); null when it does not answer.
     */
    MetadataResponseData.MetadataResponsePartition partitionSeenBy(int id, String topic, int partition) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host(id), listenPort(id)), 2_000);
            RawKafka raw = new RawKafka(socket);
            socket.setSoTimeout(3_000);
            MetadataResponse response = raw.send(new MetadataRequest.Builder(List.of(topic), false).build((short) 12));
            MetadataResponseData.MetadataResponseTopic t = response.data().topics().find(topic);
            return t == null ? null : t.partitions().stream().filter(p -> p.partitionIndex() == partition).findFirst()
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    // ---- waiting ----

    interface Check {
        boolean get() throws Exception;
    }

    static boolean quietly(Check check) {
        try {
            return check.get();
        } catch (Exception e) {
            return false;
        }
    }

    static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
