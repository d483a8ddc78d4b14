package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin APIs of a single node, driven by kafka-clients' Admin. */
class AdminApisTest {
    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest();
    Admin admin;

    @BeforeEach
    void start() throws Exception {
        admin = Admin.create(skua.clientProps());
        admin.createTopics(List.of(new NewTopic("t", 5, (short) 1))).all().get();
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    void produce(int count) throws Exception {
        Properties p = new Properties();
        p.put("enable.idempotence", "true");
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(skua, p)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>("t", 0, null, ("v" + i).getBytes()));
            }
            producer.flush();
        }
    }

    @Test
    void shouldDeleteRecordsAndMoveTheLogStart() throws Exception {
        TopicPartition tp = new TopicPartition("t", 0);
        produce(100);

        long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(40))).lowWatermarks().get(tp).get()
                .lowWatermark();

        assertEquals(40, low);
        assertEquals(40, admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset());
        ExecutionException beyond = assertThrows(ExecutionException.class, () -> admin.deleteRecords(
                Map.of(tp, RecordsToDelete.beforeOffset(1000))).lowWatermarks().get(tp).get());
        assertInstanceOf(OffsetOutOfRangeException.class, beyond.getCause());
        // a consumer positioned below the new start is told OFFSET_OUT_OF_RANGE and resets to the earliest
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(skua, new Properties())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            List<ConsumerRecord<byte[], byte[]>> records = List.of();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                records = consumer.poll(Duration.ofMillis(200)).records(tp);
            }
            assertEquals(40, records.get(0).offset());
        }
    }

    @Test
    void shouldDescribeLogDirs() throws Exception {
        produce(10);
        Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1);
        assertEquals(1, dirs.size());
        LogDirDescription dir = dirs.values().iterator().next();
        assertTrue(dir.totalBytes().orElse(-1) > 0);
        assertTrue(dir.usableBytes().orElse(-1) > 0);
        assertEquals(5, dir.replicaInfos().keySet().stream().filter(tp -> tp.topic().equals("t")).count());
        assertTrue(dir.replicaInfos().get(new TopicPartition("t", 0)).size() > 0);
        assertEquals(0, dir.replicaInfos().get(new TopicPartition("t", 0)).offsetLag());
    }

    @Test
    void shouldDescribeProducers() throws Exception {
        produce(7);
        TopicPartition tp = new TopicPartition("t", 0);
        List<ProducerState> producers = admin.describeProducers(List.of(tp)).partitionResult(tp).get()
                .activeProducers();
        assertEquals(1, producers.size());
        assertTrue(producers.get(0).producerId() >= 0);
        assertEquals(6, producers.get(0).lastSequence());
        assertTrue(producers.get(0).lastTimestamp() > 0);
    }

    @Test
    void shouldAnswerThatNoElectionIsNeeded() throws Exception {
        TopicPartition tp = new TopicPartition("t", 1);
        var result = admin.electLeaders(ElectionType.PREFERRED, Set.of(tp)).partitions().get();
        assertInstanceOf(ElectionNotNeededException.class, result.get(tp).orElseThrow());
    }

    @Test
    void shouldListNoReassignments() throws Exception {
        assertTrue(admin.listPartitionReassignments().reassignments().get().isEmpty());
    }

    @Test
    void shouldDescribeTopicPartitionsAcrossPages() throws Exception {
        admin.createTopics(List.of(new NewTopic("u", 1, (short) 1))).all().get();
        Map<String, TopicDescription> topics = admin.describeTopics(List.of("t", "u"),
                new DescribeTopicsOptions().partitionSizeLimitPerResponse(2)).allTopicNames().get();
        TopicDescription t = topics.get("t");
        assertEquals(5, t.partitions().size());
        for (int i = 0; i < 5; i++) {
            TopicPartitionInfo p = t.partitions().get(i);
            assertEquals(i, p.partition());
            assertEquals(1, p.leader().id());
            assertEquals(1, p.isr().size());
            assertTrue(p.elr().isEmpty());
        }
        assertEquals(1, topics.get("u").partitions().size());
    }
}
