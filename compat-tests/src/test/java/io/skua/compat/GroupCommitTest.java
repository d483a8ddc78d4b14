package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Committed offsets with the classic group protocol: resume in the same group, and survive a broker restart. */
class GroupCommitTest {
    static final Map<String, String> FAST_GROUPS = Map.of(
            "group.initial.rebalance.delay.ms", "0",
            "offsets.topic.num.partitions", "3");

    @TempDir
    Path dataDir;

    @Test
    void shouldResumeFromCommittedOffsetsWithMetadataAlsoAfterARestart() throws Exception {
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, FAST_GROUPS)) {
            // Given a topic with 100 records in each of two partitions
            createTopic(skua, "resume", 2);
            try (var producer = Clients.producer(skua, new Properties())) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("resume", 0, null, ("a" + i).getBytes()));
                    producer.send(new ProducerRecord<>("resume", 1, null, ("b" + i).getBytes()));
                }
                producer.flush();
            }
            TopicPartition p0 = new TopicPartition("resume", 0);
            TopicPartition p1 = new TopicPartition("resume", 1);
            // When a subscribed member reads everything and commits 30 and 70 with metadata
            try (var first = member(skua, "resume-group")) {
                first.subscribe(List.of("resume"));
                pollUntil(first, 200);
                first.commitSync(Map.of(p0, new OffsetAndMetadata(30, "meta-p0"), p1, new OffsetAndMetadata(70, "meta-p1")));
            }
            // Then the next member of the group starts there
            try (var second = member(skua, "resume-group")) {
                second.subscribe(List.of("resume"));
                List<ConsumerRecord<byte[], byte[]>> got = pollUntil(second, 100);
                assertEquals(70 + 30, got.size());
                assertEquals(30, got.stream().filter(r -> r.partition() == 0).mapToLong(ConsumerRecord::offset).min().orElseThrow());
                assertEquals(70, got.stream().filter(r -> r.partition() == 1).mapToLong(ConsumerRecord::offset).min().orElseThrow());
                assertEquals("meta-p0", second.committed(Set.of(p0)).get(p0).metadata());
            }

            // When the broker restarts
            skua.restart();

            // Then the commits, metadata included, are still there
            try (var third = member(skua, "resume-group")) {
                Map<TopicPartition, OffsetAndMetadata> committed = third.committed(Set.of(p0, p1), Duration.ofSeconds(30));
                assertNotNull(committed.get(p0));
                assertEquals(30, committed.get(p0).offset());
                assertEquals("meta-p0", committed.get(p0).metadata());
                assertEquals(70, committed.get(p1).offset());
                assertEquals("meta-p1", committed.get(p1).metadata());
                third.subscribe(List.of("resume"));
                List<ConsumerRecord<byte[], byte[]>> got = pollUntil(third, 100);
                assertEquals("a30", new String(got.stream().filter(r -> r.partition() == 0).findFirst().orElseThrow().value()));
            }
            try (Admin admin = Admin.create(skua.clientProps())) {
                var offsets = admin.listConsumerGroupOffsets("resume-group").partitionsToOffsetAndMetadata().get();
                assertEquals(30, offsets.get(p0).offset());
                assertEquals("meta-p1", offsets.get(p1).metadata());
            }
        }
    }

    static void createTopic(EmbeddedSkua skua, String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(skua.clientProps())) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    static KafkaConsumer<byte[], byte[]> member(EmbeddedSkua skua, String group) {
        Properties p = new Properties();
        p.put("group.id", group);
        return Clients.consumer(skua, p);
    }

    /** Polls until {@code count} records arrived (at most 30 s). */
    static List<ConsumerRecord<byte[], byte[]>> pollUntil(KafkaConsumer<byte[], byte[]> consumer, int count) {
        List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("polled " + out.size() + " of " + count + " records");
            }
            consumer.poll(Duration.ofMillis(100)).forEach(out::add);
        }
        return out;
    }
}
