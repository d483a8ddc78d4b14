package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.protocol.record.RecordBatch;
import io.skua.storage.LogConfig;
import io.skua.storage.PartitionLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real bin/skua processes clustered on loopback; a topic with replication factor 3 and min.insync.replicas=2.
 * An idempotent acks=all producer writes continuously while the partition leader is SIGKILLed and restarted several
 * times. Every acknowledged value is then read exactly once, in acknowledgement order, and the three replicas' logs
 * are byte-identical up to the high watermark.
 */
class ReplicatedFailoverTest {
    private static final String TOPIC = "failover";
    private static final int KILLS = 5;
    private static final long KILL_BUDGET_MS = 120_000;

    @TempDir
    Path dir;
    private final int[] listenPorts = new int[3];
    private final int[] clusterPorts = new int[3];
    private final Map<Integer, Process> processes = new HashMap<>();

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : processes.values()) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedRecordWhileLeadersAreKilled() throws Exception {
        long testStart = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            listenPorts[i] = freePort();
            clusterPorts[i] = freePort();
        }
        String bootstrap = startCluster();
        try (Admin admin = admin(bootstrap)) {
            createTopic(admin, 1);
            until("a leader and a full ISR", Duration.ofSeconds(60),
                    () -> quietly(() -> describe(admin).leader() != null && describe(admin).isr().size() == 3));

            ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
            AtomicLong ackCount = new AtomicLong();
            AtomicBoolean writing = new AtomicBoolean(true);
            Properties pp = new Properties();
            pp.put("bootstrap.servers", bootstrap);
            pp.put("key.serializer", ByteArraySerializer.class.getName());
            pp.put("value.serializer", ByteArraySerializer.class.getName());
            pp.put("acks", "all");
            pp.put("enable.idempotence", "true");
            pp.put("max.in.flight.requests.per.connection", "5");
            pp.put("delivery.timeout.ms", "120000");
            pp.put("request.timeout.ms", "5000");
            pp.put("retry.backoff.ms", "100");
            pp.put("linger.ms", "2");
            List<Long> failoverMs = new ArrayList<>();
            int kills = 0;
            try (var producer = new KafkaProducer<byte[], byte[]>(pp)) {
                Thread writer = new Thread(() -> {
                    for (int i = 0; writing.get(); i++) {
                        String v = "v" + i;
                        try {
                            producer.send(new ProducerRecord<>(TOPIC, 0, null, v.getBytes()), (md, e) -> {
                                if (e == null) {
                                    acked.add(v);
                                    ackCount.incrementAndGet();
                                }
                            });
                            if (i % 20 == 0) {
                                Thread.sleep(2);
                            }
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            return;
                        }
                    }
                });
                writer.start();
                long killStart = System.nanoTime();
                while (kills < KILLS && (System.nanoTime() - killStart) / 1_000_000 < KILL_BUDGET_MS) {
                    long before = ackCount.get();
                    until("records acknowledged before kill " + (kills + 1), Duration.ofSeconds(60),
                            () -> ackCount.get() >= before + 1_000);
                    TopicPartitionInfo info = describe(admin);
                    int leader = info.leader().id();
                    // When the leader dies with SIGKILL mid-production
                    long killed = System.nanoTime();
                    processes.remove(leader).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    kills++;
                    until("a new leader", Duration.ofSeconds(60), () -> quietly(() -> {
                        TopicPartitionInfo now = describe(admin);
                        return now.leader() != null && now.leader().id() != leader;
                    }));
                    long newLeaderMs = (System.nanoTime() - killed) / 1_000_000;
                    long afterKill = ackCount.get();
                    until("acknowledgements resume", Duration.ofSeconds(60), () -> ackCount.get() > afterKill + 100);
                    failoverMs.add((System.nanoTime() - killed) / 1_000_000);
                    System.out.printf("replicated-failover kill=%d leader=%d at=%s new-leader-seen ms=%d acks-resumed ms=%d%n",
                            kills, leader, java.time.Instant.now(), newLeaderMs, failoverMs.get(failoverMs.size() - 1));
                    // And comes back: it truncates, catches up and rejoins the ISR
                    assertTrue(start(leader).await(120, TimeUnit.SECONDS), "restarted broker listens");
                    until("the restarted broker back in the ISR", Duration.ofSeconds(90),
                            () -> quietly(() -> describe(admin).isr().size() == 3));
                }
                writing.set(false);
                writer.join(30_000);
                producer.flush();
            }
            System.out.printf("replicated-failover kills=%d acked=%d kill-to-acks-resumed ms=%s%n", kills, ackCount.get(),
                    failoverMs);
            assertTrue(kills >= 3, "at least three leader kills, got " + kills);

            // Then every acknowledged value is read exactly once, in acknowledgement order
            List<String> log = readAll(bootstrap);
            Set<String> ackedSet = new HashSet<>(acked);
            assertEquals(log.size(), new HashSet<>(log).size(), "no value twice in the log");
            List<String> ackedInLog = log.stream().filter(ackedSet::contains).collect(Collectors.toList());
            assertEquals(acked.size(), ackedInLog.size(), "every acknowledged value in the log");
            assertEquals(new ArrayList<>(acked), ackedInLog, "acknowledgement order");
            until("all three replicas in the ISR before the clean stop", Duration.ofSeconds(60),
                    () -> quietly(() -> describe(admin).isr().size() == 3));
        }
        // And, after a clean stop, the three replicas' logs are identical up to the high watermark
        Thread.sleep(1_000);
        for (Process p : processes.values()) {
            p.destroy();
        }
        for (Process p : processes.values()) {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "clean stop");
        }
        processes.clear();
        long hw = Long.MAX_VALUE;
        for (int id = 1; id <= 3; id++) {
            try (PartitionLog l = open(id)) {
                hw = Math.min(hw, l.highWatermark());
            }
        }
        byte[] reference = null;
        for (int id = 1; id <= 3; id++) {
            byte[] bytes = logBytes(id, hw);
            if (reference == null) {
                reference = bytes;
            } else {
                assertArrayEquals(reference, bytes, "replica " + id + " differs below the high watermark " + hw);
            }
        }
        System.out.printf("replicated-failover identical-below-hw=%d bytes=%d test ms=%d%n", hw, reference.length,
                (System.nanoTime() - testStart) / 1_000_000);
    }

    @Test
    void shouldMoveGroupCoordinationWithTheOffsetsPartitionLeader() throws Exception {
        long testStart = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            listenPorts[i] = freePort();
            clusterPorts[i] = freePort();
        }
        String bootstrap = startCluster("offsets.topic.num.partitions=3");
        try (Admin admin = admin(bootstrap)) {
            createTopic(admin, 3);
            Properties pp = new Properties();
            pp.put("bootstrap.servers", bootstrap);
            pp.put("key.serializer", ByteArraySerializer.class.getName());
            pp.put("value.serializer", ByteArraySerializer.class.getName());
            pp.put("acks", "all");
            try (var producer = new KafkaProducer<byte[], byte[]>(pp)) {
                for (int i = 0; i < 300; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, i % 3, null, ("first-" + i).getBytes()));
                }
                producer.flush();
            }
            // Given a group that consumed and committed everything
            Set<String> first = consumeGroup(bootstrap, 300);
            assertEquals(300, first.size());
            int coordinator = admin.describeConsumerGroups(List.of("g1")).all().get().get("g1").coordinator().id();
            // When the group's coordinator dies with SIGKILL
            long killed = System.nanoTime();
            processes.remove(coordinator).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            // Then another broker coordinates the group, with its committed offsets
            until("a new coordinator with the committed offsets", Duration.ofSeconds(60), () -> quietly(() -> {
                var offsets = admin.listConsumerGroupOffsets("g1").partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
                return offsets.size() == 3 && offsets.values().stream().mapToLong(o -> o.offset()).sum() == 300;
            }));
            int now = admin.describeConsumerGroups(List.of("g1")).all().get().get("g1").coordinator().id();
            assertTrue(now != coordinator, "coordinator moved from " + coordinator);
            System.out.printf("replicated-groups coordinator-kill-to-offsets-served ms=%d%n",
                    (System.nanoTime() - killed) / 1_000_000);
            try (var producer = new KafkaProducer<byte[], byte[]>(pp)) {
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, i % 3, null, ("second-" + i).getBytes()));
                }
                producer.flush();
            }
            // And a consumer of the group resumes after the committed offsets: only the new records
            Set<String> second = consumeGroup(bootstrap, 30);
            assertEquals(30, second.size());
            assertTrue(second.stream().allMatch(v -> v.startsWith("second-")), second.toString());
        }
        System.out.printf("replicated-groups test ms=%d%n", (System.nanoTime() - testStart) / 1_000_000);
    }

    /** Consumes {@code count} records as a member of group g1, committing synchronously, and leaves. */
    private static Set<String> consumeGroup(String bootstrap, int count) throws Exception {
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("group.id", "g1");
        c.put("auto.offset.reset", "earliest");
        c.put("enable.auto.commit", "false");
        c.put("key.deserializer", ByteArrayDeserializer.class.getName());
        c.put("value.deserializer", ByteArrayDeserializer.class.getName());
        Set<String> seen = new HashSet<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(c)) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (seen.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    assertTrue(seen.add(new String(r.value())), "read twice: " + new String(r.value()));
                }
                consumer.commitSync();
            }
            consumer.commitSync();
        }
        return seen;
    }

    private static TopicPartitionInfo describe(Admin admin) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(10, TimeUnit.SECONDS).get(TOPIC);
        return d.partitions().get(0);
    }

    private List<String> readAll(String bootstrap) {
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("key.deserializer", ByteArrayDeserializer.class.getName());
        c.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(c)) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
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

    private PartitionLog open(int id) {
        return PartitionLog.open(dir.resolve("b" + id).resolve(TOPIC + "-0"), LogConfig.DEFAULT, System::currentTimeMillis);
    }

    private byte[] logBytes(int id, long upTo) {
        try (PartitionLog log = open(id)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
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

    /** Starts broker {@code id} (1-3); the latch opens when it prints where it listens. */
    /** Starts brokers 1-3 as bin/skua processes and waits until each prints where it listens; returns the bootstrap list. */
    private String startCluster(String... overrides) throws IOException, InterruptedException {
        List<CountDownLatch> ready = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            ready.add(start(id, overrides));
        }
        for (CountDownLatch l : ready) {
            assertTrue(l.await(120, TimeUnit.SECONDS), "bin/skua printed where it listens");
        }
        return "127.0.0.1:" + listenPorts[0] + ",127.0.0.1:" + listenPorts[1] + ",127.0.0.1:" + listenPorts[2];
    }

    private static Admin admin(String bootstrap) {
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        ap.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        ap.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(ap);
    }

    /** Waits for all three brokers, then creates TOPIC with replication factor 3 and min.insync.replicas=2. */
    private static void createTopic(Admin admin, int partitions) throws InterruptedException {
        until("three brokers in the cluster", Duration.ofSeconds(90),
                () -> quietly(() -> admin.describeCluster().nodes().get().size() == 3));
        until("topic created", Duration.ofSeconds(60), () -> quietly(() -> {
            admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get();
            return true;
        }) || quietly(() -> describe(admin) != null));
    }

    private CountDownLatch start(int id, String... overrides) throws IOException {
        Path root = Path.of(System.getProperty("skua.root", "..")).toAbsolutePath().normalize();
        String seeds = "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1] + ",127.0.0.1:" + clusterPorts[2];
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/skua").toString(),
                "--override", "node.id=" + id,
                "--override", "listeners=PLAINTEXT://127.0.0.1:" + listenPorts[id - 1],
                "--override", "log.dirs=" + dir.resolve("b" + id),
                "--override", "cluster.bind=127.0.0.1:" + clusterPorts[id - 1],
                "--override", "cluster.seeds=" + seeds,
                "--override", "cluster.name=failover-" + clusterPorts[0],
                "--override", "replica.lag.time.max.ms=10000",
                "--override", "num.network.threads=2")
                .redirectErrorStream(true);
        for (String o : overrides) {
            pb.command().add("--override");
            pb.command().add(o);
        }
        pb.environment().put("SKUA_HEAP_OPTS", "-Xms64m -Xmx384m");
        Process process = pb.start();
        processes.put(id, process);
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        CountDownLatch listening = new CountDownLatch(1);
        Thread pump = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.contains("listening on")) {
                        listening.countDown();
                    }
                    if (line.contains("truncated partition") || line.contains("isr") || line.contains("leadership changed")
                            || line.contains("group coordinator") || line.contains("WARN") || line.contains("ERROR")) {
                        System.out.println("[b" + id + "] " + line);
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        pump.setDaemon(true);
        pump.start();
        return listening;
    }

    private interface Check {
        boolean get() throws Exception;
    }

    private static boolean quietly(Check check) {
        try {
            return check.get();
        } catch (Exception e) {
            return false;
        }
    }

    private static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
