package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** End to end: a compacted topic, 10,000 updates over 100 keys, the broker's cleaner, a kafka-clients consumer. */
class CompactionTest {
    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest(Map.of("log.cleaner.backoff.ms", "200"));

    @Test
    void shouldLeaveTheNewestValueOfEachLiveKeyAfterTheCleanerRuns() throws Exception {
        // Given a compacted topic with small segments
        String topic = "compacted";
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = Admin.create(skua.clientProps())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(
                    "cleanup.policy", "compact", "segment.bytes", "16384", "segment.ms", "3600000",
                    "delete.retention.ms", "0", "min.cleanable.dirty.ratio", "0.01")))).all().get();
        }
        // When 10,000 updates over 100 keys (some deletes) are produced, then a much later record rolls the segment
        Map<String, Long> newestOffset = new HashMap<>();
        Map<String, String> live = new LinkedHashMap<>();
        Random random = new Random(3);
        Properties p = new Properties();
        p.put("linger.ms", "5");
        p.put("compression.type", "zstd");
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(skua, p)) {
            for (int i = 0; i < 10_000; i++) {
                String key = "key-" + random.nextInt(100);
                String value = random.nextInt(20) == 0 ? null : "value-" + i;
                producer.send(new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8),
                        value == null ? null : value.getBytes(StandardCharsets.UTF_8)), (md, e) -> {
                    if (e == null) {
                        synchronized (newestOffset) {
                            newestOffset.merge(key, md.offset(), Math::max);
                        }
                    }
                });
                if (value == null) {
                    live.remove(key);
                } else {
                    live.put(key, value);
                }
            }
            producer.flush();
            producer.send(new ProducerRecord<>(topic, 0, System.currentTimeMillis() + 86_400_000L,
                    "marker".getBytes(), "m".getBytes())).get();
        }
        live.put("marker", "m");

        // Then the cleaner leaves exactly the newest value of each live key, at the offset it was produced at
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, ConsumerRecord<byte[], byte[]>> read;
        int count;
        while (true) {
            try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(skua, new Properties())) {
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                read = new HashMap<>();
                count = 0;
                while (consumer.position(tp) < end) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                        read.put(new String(r.key(), StandardCharsets.UTF_8), r);
                        count++;
                    }
                }
            }
            if (count == live.size() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(200); // waiting for the cleaner's next pass: there is no event to wait on from a client
        }
        assertEquals(live.size(), count, "one record per live key");
        assertEquals(live.keySet(), read.keySet());
        for (Map.Entry<String, String> e : live.entrySet()) {
            ConsumerRecord<byte[], byte[]> r = read.get(e.getKey());
            assertNotNull(r.value(), e.getKey());
            assertEquals(e.getValue(), new String(r.value(), StandardCharsets.UTF_8), e.getKey());
            if (!e.getKey().equals("marker")) {
                assertEquals(newestOffset.get(e.getKey()), r.offset(), e.getKey());
            }
        }
    }
}
