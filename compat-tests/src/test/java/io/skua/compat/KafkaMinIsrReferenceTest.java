package io.skua.compat;

import static io.skua.compat.BrokerProcesses.freePort;
import static io.skua.compat.BrokerProcesses.quietly;
import static io.skua.compat.BrokerProcesses.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference for {@link DocsConfiguredClusterTest}: Apache Kafka 4.3.1 itself, configured the same way
 * ({@code min.insync.replicas=2}, {@code default.replication.factor=3}, internal topics RF 3), as one KRaft controller
 * formatted {@code --standalone} (default features: {@code eligible.leader.replicas.version=1}) and three brokers, so
 * that two brokers can stop while the controller stays. Kafka runs from the classpath {@code bench/run} writes
 * ({@code mvn -pl bench -am package} makes {@code bench/target/classpath.txt}; compat-tests' own classpath has
 * Infinispan's caffeine 2, which Kafka's broker cannot use).
 *
 * <p>Off by default (about 1-2 minutes on 2 cores): run it with
 * {@code mvn -pl compat-tests -am verify -Dtest=KafkaMinIsrReferenceTest -Dskua.kafka.reference=true}.
 */
@Tag("kafka-reference")
class KafkaMinIsrReferenceTest {
    private static final int CONTROLLER = 100;

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final Map<Integer, Process> brokers = new HashMap<>();
    private final int[] ports = new int[4];
    private int controllerPort;
    private String classpath;

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.forEach(Process::destroyForcibly);
        for (Process p : processes) {
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void kafkaShouldRefuseAcksAllTakeAcks1AndHoldTheHighWatermarkWhileTheIsrIsBelowMinIsr() throws Exception {
        assumeTrue(Boolean.getBoolean("skua.kafka.reference"), "Kafka reference run: set -Dskua.kafka.reference=true");
        Path cp = Path.of(System.getProperty("skua.root", "..")).resolve("bench/target/classpath.txt");
        assumeTrue(Files.isRegularFile(cp), cp + " is missing: run mvn -pl bench -am package first");
        classpath = Files.readString(cp).trim();
        String bootstrap = startKafka();
        try (Admin admin = BrokerProcesses.admin(bootstrap)) {
            until("3 Kafka brokers", Duration.ofSeconds(120),
                    () -> quietly(() -> admin.describeCluster().nodes().get().size() == 3));
            // Given an RF-1, an RF-3 and a default-RF topic
            admin.createTopics(List.of(new NewTopic("rf1", 1, (short) 1), new NewTopic("rf3", 1, (short) 3),
                    new NewTopic("default-rf", Optional.of(1), Optional.empty()))).all().get(60, TimeUnit.SECONDS);
            until("rf3 with a full ISR", Duration.ofSeconds(60), () -> quietly(() -> describe(admin, "rf3").isr().size() == 3));
            assertEquals(3, describe(admin, "default-rf").replicas().size(), "default.replication.factor");
            // Then acks=all to the RF-1 topic succeeds under min.insync.replicas=2 (effective min ISR 1)
            assertEquals(0L, send(bootstrap, "rf1", "all", "rf1-all"));
            assertEquals(0L, send(bootstrap, "rf3", "all", "committed"));

            // When both followers of rf3 stop (controlled shutdown) and its ISR shrinks to the leader
            TopicPartitionInfo info = describe(admin, "rf3");
            int leader = info.leader().id();
            List<Integer> followers = info.replicas().stream().map(Node::id).filter(id -> id != leader).toList();
            for (int f : followers) {
                stop(f);
            }
            until("rf3's ISR shrunk to the leader", Duration.ofSeconds(60),
                    () -> quietly(() -> describe(admin, "rf3").isr().size() == 1));
            System.out.println("kafka-reference shrunk ISR: " + describe(admin, "rf3"));
            String leaderOnly = "127.0.0.1:" + ports[leader];
            // Then acks=all is refused with NOT_ENOUGH_REPLICAS
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> send(leaderOnly, "rf3", "all", "refused"));
            assertInstanceOf(NotEnoughReplicasException.class, refused.getCause());
            // And acks=1 is written at offset 1
            assertEquals(1L, send(leaderOnly, "rf3", "1", "acks-1"));
            // And the high watermark stays at 1: a read_uncommitted consumer sees only the committed record
            TopicPartition tp = new TopicPartition("rf3", 0);
            assertEquals(1L, latest(admin, tp), "high watermark with the ISR below min.insync.replicas");
            assertEquals(List.of("committed"), readFor(leaderOnly, tp, Duration.ofSeconds(5)));
            assertEquals(1L, latest(admin, tp), "high watermark 5 s later");

            // When the followers are back in the ISR, the high watermark passes the acks=1 record
            for (int f : followers) {
                startBroker(f);
            }
            until("rf3 with a full ISR again", Duration.ofSeconds(120),
                    () -> quietly(() -> describe(admin, "rf3").isr().size() == 3));
            until("the high watermark at 2", Duration.ofSeconds(30), () -> quietly(() -> latest(admin, tp) == 2L));
        }
    }

    // ---- Kafka processes ----

    private String startKafka() throws Exception {
        controllerPort = freePort();
        for (int id = 1; id <= 3; id++) {
            ports[id] = freePort();
        }
        String clusterId = Uuid.randomUuid().toString();
        format(CONTROLLER, clusterId);
        for (int id = 1; id <= 3; id++) {
            format(id, clusterId);
        }
        start(CONTROLLER);
        for (int id = 1; id <= 3; id++) {
            startBroker(id);
        }
        return "127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2] + ",127.0.0.1:" + ports[3];
    }

    private void format(int id, String clusterId) throws Exception {
        Path node = dir.resolve("n" + id);
        Files.createDirectories(node);
        List<String> props = new ArrayList<>(List.of(
                "node.id=" + id,
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + node.resolve("logs"),
                "min.insync.replicas=2",
                "default.replication.factor=3",
                "num.partitions=1",
                "offsets.topic.replication.factor=3",
                "transaction.state.log.replication.factor=3",
                "transaction.state.log.min.isr=2",
                "group.initial.rebalance.delay.ms=0"));
        if (id == CONTROLLER) {
            props.add("process.roles=controller");
            props.add("listeners=CONTROLLER://127.0.0.1:" + controllerPort);
        } else {
            props.add("process.roles=broker");
            props.add("listeners=PLAINTEXT://127.0.0.1:" + ports[id]);
            props.add("inter.broker.listener.name=PLAINTEXT");
        }
        Files.write(node.resolve("server.properties"), props);
        List<String> command = new ArrayList<>(List.of(java(), "-cp", classpath, "kafka.tools.StorageTool", "format",
                "-t", clusterId, "-c", node.resolve("server.properties").toString()));
        if (id == CONTROLLER) {
            command.add("--standalone");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(node.resolve("format.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0,
                "kafka-storage format of node " + id + ": " + Files.readString(node.resolve("format.log")));
    }

    private void startBroker(int id) throws IOException {
        brokers.put(id, start(id));
    }

    private Process start(int id) throws IOException {
        Path node = dir.resolve("n" + id);
        Process p = new ProcessBuilder(java(), "-Xms64m", "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp", classpath, "kafka.Kafka", node.resolve("server.properties").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(node.resolve("server.log").toFile())).start();
        processes.add(p);
        return p;
    }

    /** SIGTERM: Kafka's controlled shutdown moves the broker out of every ISR. */
    private void stop(int id) throws InterruptedException {
        Process p = brokers.remove(id);
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "Kafka broker " + id + " stopped");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    // ---- clients ----

    private static TopicPartitionInfo describe(Admin admin, String topic) throws Exception {
        return BrokerProcesses.describe(admin, topic);
    }

    private static long latest(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS).get(tp).offset();
    }

    /** One record, no retries, no idempotence; returns its offset. */
    private static long send(String bootstrap, String topic, String acks, String value) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", acks);
        p.put("enable.idempotence", "false");
        p.put("retries", "0");
        p.put("request.timeout.ms", "10000");
        p.put("delivery.timeout.ms", "20000");
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        try (var producer = new KafkaProducer<String, String>(p)) {
            return producer.send(new ProducerRecord<>(topic, 0, null, value)).get(30, TimeUnit.SECONDS).offset();
        }
    }

    /** Every value a read_uncommitted consumer gets from offset 0 of {@code tp} within {@code time}. */
    private static List<String> readFor(String bootstrap, TopicPartition tp, Duration time) {
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("isolation.level", "read_uncommitted");
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", StringDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(c)) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            long end = System.nanoTime() + time.toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
