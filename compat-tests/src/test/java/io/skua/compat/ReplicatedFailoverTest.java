package io.skua.compat;

import static io.skua.compat.BrokerProcesses.admin;
import static io.skua.compat.BrokerProcesses.createTopic;
import static io.skua.compat.BrokerProcesses.describe;
import static io.skua.compat.BrokerProcesses.quietly;
import static io.skua.compat.BrokerProcesses.readAll;
import static io.skua.compat.BrokerProcesses.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
    private BrokerProcesses brokers;

    @BeforeEach
    void ports() throws IOException {
        brokers = new BrokerProcesses(dir, "failover", 3);
    }

    @AfterEach
    void stopAll() {
        brokers.close();
    }

    @Test
    void shouldKeepEveryAcknowledgedRecordWhileLeadersAreKilled() throws Exception {
        long testStart = System.nanoTime();
        String bootstrap = brokers.startAll();
        try (Admin admin = admin(bootstrap)) {
            createTopic(admin, TOPIC, 1, 3);
            until("a leader and a full ISR", Duration.ofSeconds(60),
                    () -> quietly(() -> describe(admin, TOPIC).leader() != null && describe(admin, TOPIC).isr().size() == 3));

            List<Long> failoverMs = new ArrayList<>();
            int kills = 0;
            AckedProducer producer = new AckedProducer(bootstrap, TOPIC);
            try (producer) {
                long killStart = System.nanoTime();
                while (kills < KILLS && (System.nanoTime() - killStart) / 1_000_000 < KILL_BUDGET_MS) {
                    long before = producer.count();
                    until("records acknowledged before kill " + (kills + 1), Duration.ofSeconds(60),
                            () -> producer.count() >= before + 1_000);
                    TopicPartitionInfo info = describe(admin, TOPIC);
                    int leader = info.leader().id();
                    // When the leader dies with SIGKILL mid-production
                    long killed = System.nanoTime();
                    brokers.kill(leader);
                    kills++;
                    until("a new leader", Duration.ofSeconds(60), () -> quietly(() -> {
                        TopicPartitionInfo now = describe(admin, TOPIC);
                        return now.leader() != null && now.leader().id() != leader;
                    }));
                    long newLeaderMs = (System.nanoTime() - killed) / 1_000_000;
                    long afterKill = producer.count();
                    until("acknowledgements resume", Duration.ofSeconds(60), () -> producer.count() > afterKill + 100);
                    failoverMs.add((System.nanoTime() - killed) / 1_000_000);
                    System.out.printf("replicated-failover kill=%d leader=%d at=%s new-leader-seen ms=%d acks-resumed ms=%d%n",
                            kills, leader, java.time.Instant.now(), newLeaderMs, failoverMs.get(failoverMs.size() - 1));
                    // And comes back: it truncates, catches up and rejoins the ISR
                    assertTrue(brokers.start(leader).await(120, TimeUnit.SECONDS), "restarted broker listens");
                    until("the restarted broker back in the ISR", Duration.ofSeconds(90),
                            () -> quietly(() -> describe(admin, TOPIC).isr().size() == 3));
                }
            }
            System.out.printf("replicated-failover kills=%d acked=%d kill-to-acks-resumed ms=%s%n", kills, producer.count(),
                    failoverMs);
            assertTrue(kills >= 3, "at least three leader kills, got " + kills);

            // Then every acknowledged value is read exactly once, in acknowledgement order
            producer.assertReadBackOnceInOrder(readAll(bootstrap, TOPIC));
            until("all three replicas in the ISR before the clean stop", Duration.ofSeconds(60),
                    () -> quietly(() -> describe(admin, TOPIC).isr().size() == 3));
        }
        // And, after a clean stop, the three replicas' logs are identical up to the high watermark
        Thread.sleep(1_000);
        brokers.stopAllCleanly();
        long[] identical = brokers.assertIdenticalBelowHighWatermark(TOPIC);
        System.out.printf("replicated-failover identical-below-hw=%d bytes=%d test ms=%d%n", identical[0], identical[1],
                (System.nanoTime() - testStart) / 1_000_000);
    }

    @Test
    void shouldMoveGroupCoordinationWithTheOffsetsPartitionLeader() throws Exception {
        long testStart = System.nanoTime();
        String bootstrap = brokers.startAll("offsets.topic.num.partitions=3");
        try (Admin admin = admin(bootstrap)) {
            createTopic(admin, TOPIC, 3, 3);
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
            brokers.kill(coordinator);
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
}
