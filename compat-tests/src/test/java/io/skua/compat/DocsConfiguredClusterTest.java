package io.skua.compat;

import static io.skua.compat.BrokerProcesses.admin;
import static io.skua.compat.BrokerProcesses.quietly;
import static io.skua.compat.BrokerProcesses.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code bin/skua} processes configured as Kafka's documentation and most compose files configure a 3-broker
 * cluster: {@code min.insync.replicas=2}, {@code default.replication.factor=3}, {@code offsets.topic.replication.factor=3},
 * {@code transaction.state.log.replication.factor=3}, {@code transaction.state.log.min.isr=2}. The ordinary client round
 * trips must work on replication factor 1 and 3 topics alike: the effective min ISR is min(configured, replica count),
 * so acks=all to an RF-1 topic succeeds (it got NOT_ENOUGH_REPLICAS before that fix).
 *
 * <p>Compared by hand with Apache Kafka 4.3.1 (its Maven jars started as bench/run does, 2026-12-07), the same broker
 * properties, fresh storage with the default features ({@code eligible.leader.replicas.version=1}, i.e. KIP-966 eligible
 * leader replicas on), in two layouts: one {@code format --standalone} KRaft controller with three brokers, and three
 * combined broker+controller nodes with a static quorum. Kafka answered:
 * <ul>
 *   <li>RF-1 topic, broker {@code min.insync.replicas=2}: acks=all succeeds (offset 0).</li>
 *   <li>A topic created without a replication factor gets 3 replicas; its {@code min.insync.replicas} reads 2.</li>
 *   <li>A partition whose ISR shrank below min ISR to the leader alone (RF 3 with both followers stopped; RF 2 with
 *   its follower stopped; the stopped ones move to the ELR): acks=all gets NOT_ENOUGH_REPLICAS; an acks=1 write
 *   succeeds (offset 1); the high watermark stays at 1, so a read_uncommitted consumer does not see that record (10 s
 *   of polling returned only offset 0). Once the followers are back in the ISR the high watermark moves to 2 and the
 *   record is read.</li>
 * </ul>
 * Skua matches all of it (the high-watermark rule since 2026-12-07: {@link #shouldRefuseAcksAllButTakeAcks1WhenTheIsrIsBelowMinIsr}
 * checks it). {@link KafkaMinIsrReferenceTest} repeats the RF-3 case against Kafka 4.3.1 on demand.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DocsConfiguredClusterTest {
    private static final int RECORDS = 200;
    private static final String[] DOCS_CONFIG = {
        "min.insync.replicas=2",
        "default.replication.factor=3",
        "offsets.topic.replication.factor=3",
        "transaction.state.log.replication.factor=3",
        "transaction.state.log.min.isr=2",
        "num.partitions=1",
        "group.initial.rebalance.delay.ms=0",
    };

    @TempDir
    static Path dir;
    private BrokerProcesses brokers;
    private String bootstrap;
    private Admin admin;

    @BeforeAll
    void startCluster() throws Exception {
        brokers = new BrokerProcesses(dir, "docs-config", 3);
        bootstrap = brokers.startAll(DOCS_CONFIG);
        admin = admin(bootstrap);
        until("3 brokers in the cluster", Duration.ofSeconds(90),
                () -> quietly(() -> admin.describeCluster().nodes().get().size() == 3));
    }

    @AfterAll
    void stopCluster() {
        if (admin != null) {
            admin.close();
        }
        brokers.close();
    }

    @Test
    void javaProducersShouldWriteWithEveryAcksSettingToRf1AndRf3Topics() throws Exception {
        // Given an RF-1 and an RF-3 topic under the broker default min.insync.replicas=2
        createTopic("java-rf1", 1);
        createTopic("java-rf3", 3);
        for (String topic : List.of("java-rf1", "java-rf3")) {
            // When three producers write one after the other: acks=all idempotent, acks=all plain, acks=1
            List<String> expected = new ArrayList<>();
            long next = 0;
            for (Map.Entry<String, Map<String, String>> p : producerSettings().entrySet()) {
                List<String> values = IntStream.range(0, RECORDS).mapToObj(i -> p.getKey() + "-" + i).toList();
                List<Long> offsets = produce(topic, p.getValue(), values);
                // Then each is acknowledged at the next offsets, in send order
                final long first = next;
                assertEquals(IntStream.range(0, RECORDS).mapToObj(i -> first + i).toList(), offsets,
                        topic + " " + p.getKey() + " offsets");
                next += RECORDS;
                expected.addAll(values);
            }
            // And a consumer group member reads everything back in order, and commits the end offset
            assertEquals(expected, consumeInGroup("group-" + topic, topic, expected.size()), topic + " read back");
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets("group-" + topic).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(new TopicPartition(topic, 0));
            assertEquals(expected.size(), committed.offset(), topic + " committed offset");
        }
    }

    @Test
    void topicsShouldTakeTheDefaultReplicationFactorAndMinIsr() throws Exception {
        // When a producer writes to a topic nobody created (auto-created) and an admin creates one without a factor
        assertEquals(List.of(0L), produce("auto-born", Map.of("acks", "all"), List.of("first")));
        admin.createTopics(List.of(new NewTopic("default-rf", Optional.empty(), Optional.empty())))
                .all().get(30, TimeUnit.SECONDS);
        for (String topic : List.of("auto-born", "default-rf")) {
            // Then both have default.replication.factor=3 replicas, and the topic's min.insync.replicas is the broker's 2
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
            assertEquals(1, d.partitions().size(), topic + " partitions");
            assertEquals(3, d.partitions().get(0).replicas().size(), topic + " replication factor");
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            assertEquals("2", admin.describeConfigs(List.of(r)).all().get(10, TimeUnit.SECONDS).get(r)
                    .get("min.insync.replicas").value(), topic + " min.insync.replicas");
        }
        // And acks=all writes to both are read back
        assertEquals(List.of(1L), produce("auto-born", Map.of("acks", "all"), List.of("second")));
        assertEquals(List.of(0L, 1L), produce("default-rf", Map.of("acks", "all"), List.of("a", "b")));
        assertEquals(List.of("first", "second"), consumeInGroup("group-auto", "auto-born", 2));
        assertEquals(List.of("a", "b"), consumeInGroup("group-default", "default-rf", 2));
    }

    @Test
    void kcatShouldProduceWithAcksAllToRf1AndRf3TopicsAndConsume() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/kcat")), "kcat is not installed (bin/test installs it)");
        createTopic("kcat-rf1", 1);
        createTopic("kcat-rf3", 3);
        for (String topic : List.of("kcat-rf1", "kcat-rf3")) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < RECORDS; i++) {
                lines.append("line-").append(i).append('\n');
            }
            // When librdkafka produces with acks=all
            NonJavaClientsTest.run(lines.toString(), "/usr/bin/kcat", "-b", bootstrap, "-t", topic, "-p", "0", "-P", "-X", "acks=all");
            // Then it reads every line back at its offset
            String out = NonJavaClientsTest.run("", "/usr/bin/kcat", "-b", bootstrap, "-t", topic, "-p", "0", "-C", "-o", "beginning", "-e",
                    "-q", "-f", "%o:%s\\n");
            assertEquals(IntStream.range(0, RECORDS).mapToObj(i -> i + ":line-" + i).toList(), out.lines().toList(),
                    topic + ": " + out);
        }
    }

    @Test
    @Order(Integer.MAX_VALUE) // kills a broker: runs last
    void shouldRefuseAcksAllButTakeAcks1WhenTheIsrIsBelowMinIsr() throws Exception {
        // Given an RF-2 topic (effective min ISR 2) holding one committed record
        createTopic("shrunk", 2);
        assertEquals(List.of(0L), produce("shrunk", Map.of("acks", "all"), List.of("committed")));
        TopicPartitionInfo before = BrokerProcesses.describe(admin, "shrunk");
        int leader = before.leader().id();
        int follower = before.replicas().stream().mapToInt(n -> n.id()).filter(id -> id != leader).findFirst().orElseThrow();
        // When its follower dies (the other two brokers keep a majority) and the ISR shrinks to the leader alone
        brokers.kill(follower);
        String live = IntStream.rangeClosed(1, 3).filter(id -> id != follower)
                .mapToObj(id -> "127.0.0.1:" + brokers.listenPort(id)).collect(Collectors.joining(","));
        try (Admin liveAdmin = admin(live)) {
            until("the ISR shrunk to the leader", Duration.ofSeconds(60), () -> quietly(() -> {
                TopicPartitionInfo p = BrokerProcesses.describe(liveAdmin, "shrunk");
                return p.isr().size() == 1 && p.leader() != null && p.leader().id() == leader;
            }));
            System.out.println("docs-config shrunk ISR: " + BrokerProcesses.describe(liveAdmin, "shrunk"));
            // Then acks=all is refused with NOT_ENOUGH_REPLICAS (Kafka 4.3.1: the same)
            Map<String, String> once = Map.of("acks", "all", "enable.idempotence", "false", "retries", "0");
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> produceTo(live, "shrunk", once, List.of("refused")));
            assertInstanceOf(NotEnoughReplicasException.class, refused.getCause());
            // And acks=1 is written (Kafka 4.3.1: the same, at offset 1)
            assertEquals(List.of(1L), produceTo(live, "shrunk",
                    Map.of("acks", "1", "enable.idempotence", "false", "retries", "0"), List.of("acks-1")));
            // And, as Kafka 4.3.1 does (KIP-966: its leader does not advance the high watermark while the ISR is below
            // the effective min.insync.replicas), the high watermark stays at 1: consumers do not see the acks=1 record
            TopicPartition tp = new TopicPartition("shrunk", 0);
            assertEquals(1L, latest(liveAdmin, tp), "high watermark with the ISR below min.insync.replicas");

            // When the follower comes back and rejoins the ISR
            brokers.start(follower, DOCS_CONFIG).await();
            until("the ISR is full again", Duration.ofSeconds(60), () -> quietly(() ->
                    BrokerProcesses.describe(liveAdmin, "shrunk").isr().size() == 2));
            // Then the high watermark passes the acks=1 record
            until("the high watermark passes the acks=1 record", Duration.ofSeconds(30),
                    () -> quietly(() -> latest(liveAdmin, tp) == 2L));
        }
    }

    private static long latest(Admin admin, TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(10, TimeUnit.SECONDS).get(tp).offset();
    }

    // ---- helpers ----

    /** The producers each topic gets, by value prefix. */
    private static Map<String, Map<String, String>> producerSettings() {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        m.put("idempotent-all", Map.of("acks", "all", "enable.idempotence", "true"));
        m.put("plain-all", Map.of("acks", "all", "enable.idempotence", "false", "max.in.flight.requests.per.connection", "1"));
        m.put("acks-1", Map.of("acks", "1", "enable.idempotence", "false", "max.in.flight.requests.per.connection", "1"));
        return m;
    }

    /** Creates {@code topic} with one partition and waits until every replica is in its ISR. */
    private void createTopic(String topic, int replicationFactor) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) replicationFactor))).all().get(30, TimeUnit.SECONDS);
        until(topic + " with a leader and a full ISR", Duration.ofSeconds(30), () -> quietly(() -> {
            TopicPartitionInfo p = BrokerProcesses.describe(admin, topic);
            return p.leader() != null && p.isr().size() == replicationFactor;
        }));
    }

    /** Sends {@code values} to partition 0 of {@code topic} in order; returns the acknowledged offsets. */
    private List<Long> produce(String topic, Map<String, String> settings, List<String> values) throws Exception {
        return produceTo(bootstrap, topic, settings, values);
    }

    private static List<Long> produceTo(String bootstrap, String topic, Map<String, String> settings, List<String> values)
            throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("linger.ms", "5");
        p.put("request.timeout.ms", "10000");
        p.put("delivery.timeout.ms", "30000");
        p.putAll(settings);
        try (var producer = new KafkaProducer<String, String>(p)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (String v : values) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, null, v)));
            }
            List<Long> offsets = new ArrayList<>();
            for (Future<RecordMetadata> f : sent) {
                offsets.add(f.get(30, TimeUnit.SECONDS).offset());
            }
            return offsets;
        }
    }

    /** Reads {@code count} values of {@code topic} as the only member of {@code group}, committing them. */
    private List<String> consumeInGroup(String group, String topic, int count) {
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("group.id", group);
        c.put("auto.offset.reset", "earliest");
        c.put("enable.auto.commit", "false");
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", StringDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        Map<Long, String> byOffset = new HashMap<>();
        try (var consumer = new KafkaConsumer<String, String>(c)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(group + " read " + values.size() + " of " + count + " from " + topic);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    assertEquals(null, byOffset.put(r.offset(), r.value()), "offset " + r.offset() + " read twice");
                    assertEquals(values.size(), r.offset(), "offsets in order without gaps");
                    values.add(r.value());
                }
            }
            consumer.commitSync(Duration.ofSeconds(30));
        }
        return values;
    }
}
