package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metadata creates unknown topics when auto.create.topics.enable is on, and only then. */
class AutoCreateTest {
    @TempDir
    Path dataDir;

    @Test
    void shouldCreateATopicForAProducerWithTheBrokerDefaults() throws Exception {
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, Map.of("num.partitions", "3"));
             var producer = Clients.producer(skua, new Properties());
             Admin admin = Admin.create(skua.clientProps())) {
            assertEquals(0L, producer.send(new ProducerRecord<>("born-on-demand", "v".getBytes())).get().offset());
            assertEquals(3, producer.partitionsFor("born-on-demand").size());
            assertTrue(admin.listTopics().names().get().contains("born-on-demand"));
        }
    }

    @Test
    void shouldNotCreateTopicsWhenDisabled() throws Exception {
        try (EmbeddedSkua skua = EmbeddedSkua.start(dataDir, Map.of("auto.create.topics.enable", "false"));
             Admin admin = Admin.create(skua.clientProps())) {
            Properties p = new Properties();
            p.put("max.block.ms", "1500");
            try (var producer = Clients.producer(skua, p)) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>("not-wanted", "v".getBytes())).get());
                assertTrue(e.getCause() instanceof TimeoutException
                        || e.getCause() instanceof UnknownTopicOrPartitionException, e.getCause().toString());
            }
            assertFalse(admin.listTopics().names().get().contains("not-wanted"));
            assertEquals(List.of(), List.copyOf(admin.listTopics().names().get()));
        }
    }
}
