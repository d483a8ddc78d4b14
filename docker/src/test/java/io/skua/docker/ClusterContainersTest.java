package io.skua.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * Three brokers in three containers on the host network (127.0.0.1 only, like docker/compose.yaml), forming a
 * cluster through cluster.bind / cluster.seeds; the cluster keeps serving when one container is stopped.
 *
 * <p>Needs the cluster feature: skipped with that reason while {@code cluster.bind} is not a broker property.
 * This checks that the two remaining brokers elect leaders for every partition and serve new records; that
 * acknowledged records survive a leader's death is ReplicatedFailoverTest's subject (compat-tests, bin/skua processes).
 */
class ClusterContainersTest {
    private static final Duration FORM = Duration.ofMinutes(2);
    private static final Duration FAILOVER = Duration.ofSeconds(60);

    private final List<GenericContainer<?>> nodes = new ArrayList<>();
    private final int[] kafkaPorts = new int[3];
    private final int[] clusterPorts = new int[3];

    @BeforeEach
    void requireClusteringAndEngine() {
        assumeTrue(SkuaImage.brokerKnows("cluster.bind"),
                "needs the cluster feature (cluster.bind / cluster.seeds in BrokerConfig), not in this build's skua.jar yet");
        SkuaImage.assumeEngine();
    }

    @AfterEach
    void stopAll() {
        nodes.forEach(GenericContainer::stop);
    }

    @Test
    void shouldFormAClusterAndKeepServingWhenOneNodeStops() throws Exception {
        // Given three containers, node ids 1..3, each seeded with all three cluster addresses
        for (int i = 0; i < 3; i++) {
            kafkaPorts[i] = ContainerRoundTripTest.freePort();
            clusterPorts[i] = ContainerRoundTripTest.freePort();
        }
        String seeds = java.util.Arrays.stream(clusterPorts).mapToObj(p -> "127.0.0.1:" + p)
                .collect(Collectors.joining(","));
        for (int i = 0; i < 3; i++) {
            String listener = "PLAINTEXT://127.0.0.1:" + kafkaPorts[i];
            GenericContainer<?> node = new GenericContainer<>(SkuaImage.image())
                    .withNetworkMode("host")
                    .withEnv("SKUA_NODE_ID", String.valueOf(i + 1))
                    .withEnv("SKUA_LISTENERS", listener)
                    .withEnv("SKUA_ADVERTISED_LISTENERS", listener)
                    .withEnv("SKUA_CLUSTER_BIND", "127.0.0.1:" + clusterPorts[i])
                    .withEnv("SKUA_CLUSTER_SEEDS", seeds)
                    .withEnv("SKUA_HEAP_OPTS", "-Xms64m -Xmx384m")
                    .withLogConsumer(SkuaImage.printTo(System.out, "[skua-" + (i + 1) + "] "))
                    .waitingFor(Wait.forLogMessage(".*listening on.*\\n", 1).withStartupTimeout(FORM));
            nodes.add(node);
        }
        nodes.parallelStream().forEach(GenericContainer::start);

        try (Admin admin = Admin.create(props(0, 1, 2))) {
            // Then they form one cluster of three
            awaitUntil("three brokers in the cluster", FORM, () -> brokerIds(admin).equals(Set.of(1, 2, 3)));

            // When a topic with three partitions on all three brokers is created and used
            admin.createTopics(List.of(new NewTopic("survivors", 3, (short) 3))).all().get();
            awaitUntil("every partition has a leader", FORM, () -> allLed(admin, "survivors", Set.of(1, 2, 3)));
            produce(props(0, 1, 2), "survivors", "before");

            // And node 2 is stopped (SIGTERM, as docker stop does)
            DockerClientFactory.instance().client().stopContainerCmd(nodes.get(1).getContainerId()).withTimeout(30).exec();

            // Then the other two see it leave and elect live leaders for every partition
            awaitUntil("two brokers left", FAILOVER, () -> brokerIds(admin).equals(Set.of(1, 3)));
            awaitUntil("every partition led by a live broker", FAILOVER, () -> allLed(admin, "survivors", Set.of(1, 3)));
        }

        // And the cluster still takes and serves records through the remaining nodes
        Properties remaining = props(0, 2);
        produce(remaining, "survivors", "after");
        assertEquals(3, consumeValues(remaining, "survivors", "after").size(),
                () -> "one 'after' record per partition; " + diagnostics);
    }

    private Properties props(int... nodeIndexes) {
        Properties p = new Properties();
        p.put("bootstrap.servers", java.util.Arrays.stream(nodeIndexes).mapToObj(i -> "127.0.0.1:" + kafkaPorts[i])
                .collect(Collectors.joining(",")));
        p.put("default.api.timeout.ms", "30000");
        p.put("request.timeout.ms", "10000");
        return p;
    }

    private static Set<Integer> brokerIds(Admin admin) {
        try {
            return admin.describeCluster().nodes().get().stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new));
        } catch (Exception e) {
            return Set.of();
        }
    }

    private static boolean allLed(Admin admin, String topic, Set<Integer> live) {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return d.partitions().stream().map(TopicPartitionInfo::leader)
                    .allMatch(l -> l != null && !l.isEmpty() && live.contains(l.id()));
        } catch (Exception e) {
            return false;
        }
    }

    /** One record per partition, each acknowledged by its leader. */
    private static void produce(Properties base, String topic, String value) throws Exception {
        Properties p = new Properties();
        p.putAll(base);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("delivery.timeout.ms", "60000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int partition = 0; partition < 3; partition++) {
                producer.send(new ProducerRecord<>(topic, partition, null, value)).get();
            }
        }
    }

    /** What the consumer saw when it missed records, for the failure message. */
    private static String diagnostics = "";

    private static List<String> consumeValues(Properties base, String topic, String value) {
        Properties p = new Properties();
        p.putAll(base);
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                    new TopicPartition(topic, 2));
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + FAILOVER.toNanos();
            while (seen.size() < 3 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value().equals(value)) {
                        seen.add(r.value());
                    }
                }
            }
            if (seen.size() < 3) {
                StringBuilder d = new StringBuilder();
                for (TopicPartition tp : tps) {
                    d.append(tp).append(" position=").append(consumer.position(tp, Duration.ofSeconds(10)))
                            .append(" end=").append(consumer.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp))
                            .append("; ");
                }
                diagnostics = d.toString();
            }
        }
        return seen;
    }

    private static void awaitUntil(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(250);
        }
    }
}
