package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OffsetsForTimesTest {
    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest();

    @Test
    void shouldAnswerListOffsetsLikeKafka() throws Exception {
        TopicPartition tp = new TopicPartition("timed", 0);
        long base = 1_700_000_000_000L;
        Properties p = new Properties();
        p.put("linger.ms", "0");
        try (var producer = Clients.producer(skua, p)) {
            // one record per batch, timestamps 0, 1000, 2000, ... after base, then one out of order at +500
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("timed", 0, base + i * 1000L, null, ("v" + i).getBytes())).get();
            }
            producer.send(new ProducerRecord<>("timed", 0, base + 500L, null, "late".getBytes())).get();
        }
        try (var consumer = Clients.consumer(skua, new Properties())) {
            var exact = consumer.offsetsForTimes(Map.of(tp, base + 3000L)).get(tp);
            assertEquals(3, exact.offset());
            assertEquals(base + 3000L, exact.timestamp());
            var between = consumer.offsetsForTimes(Map.of(tp, base + 3500L)).get(tp);
            assertEquals(4, between.offset());
            assertNull(consumer.offsetsForTimes(Map.of(tp, base + 60_000L)).get(tp), "nothing at or after");
            assertEquals(0L, consumer.beginningOffsets(List.of(tp)).get(tp));
            assertEquals(11L, consumer.endOffsets(List.of(tp)).get(tp));
        }
        try (Admin admin = Admin.create(skua.clientProps())) {
            var max = admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).partitionResult(tp).get();
            assertEquals(9, max.offset());
            assertEquals(base + 9000L, max.timestamp());
            var latest = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get();
            assertEquals(11, latest.offset());
            var earliest = admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get();
            assertEquals(0, earliest.offset());
        }
    }
}
