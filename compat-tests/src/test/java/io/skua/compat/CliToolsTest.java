package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kafka-topics, kafka-configs and kafka-get-offsets from Kafka 4.3.1, run as users run them. */
class CliToolsTest {
    @TempDir
    static Path dataDir;

    static EmbeddedSkua skua;

    @BeforeAll
    static void start() {
        skua = EmbeddedSkua.start(dataDir);
    }

    @AfterAll
    static void stop() {
        skua.close();
    }

    @Test
    void kafkaTopicsShouldCreateDescribeAlterListAndDelete() throws Exception {
        String b = skua.bootstrap();
        String created = KafkaTool.run(KafkaTool.TOPICS, "--bootstrap-server", b, "--create", "--topic", "cli-orders",
                "--partitions", "2", "--replication-factor", "1", "--config", "retention.ms=3600000").ok().output();
        assertTrue(created.contains("Created topic cli-orders."), created);

        String described = KafkaTool.run(KafkaTool.TOPICS, "--bootstrap-server", b, "--describe", "--topic", "cli-orders")
                .ok().output();
        assertTrue(described.contains("PartitionCount: 2"), described);
        assertTrue(described.contains("ReplicationFactor: 1"), described);
        assertTrue(described.contains("retention.ms=3600000"), described);
        assertTrue(described.contains("Partition: 1\tLeader: 1\tReplicas: 1\tIsr: 1"), described);

        KafkaTool.run(KafkaTool.TOPICS, "--bootstrap-server", b, "--alter", "--topic", "cli-orders", "--partitions", "5").ok();
        String altered = KafkaTool.run(KafkaTool.TOPICS, "--bootstrap-server", b, "--describe", "--topic", "cli-orders")
                .ok().output();
        assertTrue(altered.contains("PartitionCount: 5"), altered);

        String listed = KafkaTool.run(KafkaTool.TOPICS, "--bootstrap-server", b, "--list").ok().output();
        assertTrue(listed.lines().anyMatch("cli-orders"::equals), listed);

        KafkaTool.run(KafkaTool.TOPICS, "--bootstrap-server", b, "--delete", "--topic", "cli-orders").ok();
        String after = KafkaTool.run(KafkaTool.TOPICS, "--bootstrap-server", b, "--list").ok().output();
        assertFalse(after.lines().anyMatch("cli-orders"::equals), after);
    }

    @Test
    void kafkaConfigsShouldDescribeAndAlterTopicConfigs() throws Exception {
        String b = skua.bootstrap();
        KafkaTool.run(KafkaTool.TOPICS, "--bootstrap-server", b, "--create", "--topic", "cli-configs").ok();
        KafkaTool.run(KafkaTool.CONFIGS, "--bootstrap-server", b, "--alter", "--entity-type", "topics",
                "--entity-name", "cli-configs", "--add-config", "retention.ms=7200000,cleanup.policy=compact").ok();
        String described = KafkaTool.run(KafkaTool.CONFIGS, "--bootstrap-server", b, "--describe", "--entity-type",
                "topics", "--entity-name", "cli-configs").ok().output();
        assertTrue(described.contains("retention.ms=7200000"), described);
        assertTrue(described.contains("cleanup.policy=compact"), described);

        KafkaTool.run(KafkaTool.CONFIGS, "--bootstrap-server", b, "--alter", "--entity-type", "topics",
                "--entity-name", "cli-configs", "--delete-config", "retention.ms").ok();
        String all = KafkaTool.run(KafkaTool.CONFIGS, "--bootstrap-server", b, "--describe", "--all", "--entity-type",
                "topics", "--entity-name", "cli-configs").ok().output();
        assertTrue(all.contains("retention.ms=604800000"), all);
        assertTrue(all.contains("segment.bytes=1073741824"), all);
    }

    @Test
    void kafkaGetOffsetsShouldPrintLatestAndEarliest() throws Exception {
        try (var producer = Clients.producer(skua, new Properties())) {
            for (int i = 0; i < 42; i++) {
                producer.send(new ProducerRecord<>("cli-offsets", 0, null, ("v" + i).getBytes()));
            }
            producer.flush();
        }
        String latest = KafkaTool.run(KafkaTool.GET_OFFSETS, "--bootstrap-server", skua.bootstrap(), "--topic",
                "cli-offsets").ok().output();
        assertTrue(latest.lines().anyMatch("cli-offsets:0:42"::equals), latest);
        String earliest = KafkaTool.run(KafkaTool.GET_OFFSETS, "--bootstrap-server", skua.bootstrap(), "--topic",
                "cli-offsets", "--time", "-2").ok().output();
        assertTrue(earliest.lines().anyMatch("cli-offsets:0:0"::equals), earliest);
        assertEquals(0, KafkaTool.run(KafkaTool.GET_OFFSETS, "--bootstrap-server", skua.bootstrap(), "--topic",
                "cli-offsets", "--time", "-3").exitCode());
    }
}
