package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartTest {
    @TempDir
    Path dataDir;

    @Test
    void shouldServeEverythingAfterRestartAndContinueOffsets() throws Exception {
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir)) {
            try (var producer = Clients.producer(skua, new Properties())) {
                for (int i = 0; i < 1000; i++) {
                    producer.send(new ProducerRecord<>("durable", 0, null, ("before-" + i).getBytes()));
                }
                producer.flush();
            }
            // When the broker restarts on the same data directory
            skua.restart();
            // Then offsets continue where they were
            try (var producer = Clients.producer(skua, new Properties())) {
                long next = producer.send(new ProducerRecord<>("durable", 0, null, "after".getBytes())).get().offset();
                assertEquals(1000, next);
            }
            try (var consumer = Clients.consumer(skua, new Properties())) {
                var got = Clients.readAll(consumer, new TopicPartition("durable", 0), 0, 1001);
                for (int i = 0; i < 1000; i++) {
                    assertEquals("before-" + i, new String(got.get(i).value()));
                }
                assertEquals("after", new String(got.get(1000).value()));
            }
        }
    }
}
