package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Size retention deletes whole old segments; the log start offset moves and consumers start there. */
class RetentionTest {
    @TempDir
    Path dataDir;

    @Test
    void shouldDeleteOldSegmentsBeyondRetentionBytes() throws Exception {
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, Map.of("log.retention.check.interval.ms", "100"));
             Admin admin = Admin.create(skua.clientProps())) {
            admin.createTopics(List.of(new NewTopic("bounded", 1, (short) 1).configs(Map.of(
                    "segment.bytes", "2048", "retention.bytes", "4096", "file.delete.delay.ms", "0")))).all().get();
            TopicPartition tp = new TopicPartition("bounded", 0);
            // Given 300 records of ~100 bytes, one batch each: about 15 segments
            try (var producer = Clients.producer(skua, new Properties())) {
                for (int i = 0; i < 300; i++) {
                    producer.send(new ProducerRecord<>("bounded", 0, null, ("r" + i + "-" + "x".repeat(90)).getBytes())).get();
                }
            }
            try (var consumer = Clients.consumer(skua, new Properties())) {
                // When retention runs, Then the beginning offset moves forward (waiting for it, not sleeping)
                long start = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (start == 0 && System.nanoTime() < deadline) {
                    start = consumer.beginningOffsets(List.of(tp)).get(tp);
                    if (start == 0) {
                        Thread.onSpinWait();
                    }
                }
                assertTrue(start > 0, "log start offset still 0 after 30 s");
                assertTrue(start < 300, "the active segment is never deleted");
                // And the size left is at most retention.bytes plus the active segment
                assertTrue((300 - start) * 100 <= 4096 + 2048 + 2048, "kept " + (300 - start) + " records");
                assertEquals(300L, consumer.endOffsets(List.of(tp)).get(tp));
                // And a consumer from the earliest offset starts at the new log start
                var first = Clients.readAll(consumer, tp, start, 1).get(0);
                assertEquals(start, first.offset());
                assertTrue(new String(first.value()).startsWith("r" + start + "-"));
            }
        }
    }
}
