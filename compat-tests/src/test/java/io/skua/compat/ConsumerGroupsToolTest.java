package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** kafka-consumer-groups from Kafka 4.3.1: list, describe with lag, reset offsets, delete. */
class ConsumerGroupsToolTest {
    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest(Map.of("group.initial.rebalance.delay.ms", "0",
            "offsets.topic.num.partitions", "3"));

    @Test
    void shouldListDescribeWithLagResetAndDeleteGroups() throws Exception {
        try (var producer = Clients.producer(skua, new Properties())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>("cg-topic", 0, null, ("v" + i).getBytes()));
            }
            producer.flush();
        }
        // A group that consumed and committed 60 of the 100 records, then left
        Properties cp = new Properties();
        cp.put("group.id", "cg-tool");
        cp.put("max.poll.records", "60");
        try (var consumer = Clients.consumer(skua, cp)) {
            consumer.subscribe(List.of("cg-topic"));
            int seen = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen == 0 && System.nanoTime() < deadline) {
                seen = consumer.poll(Duration.ofMillis(200)).count();
            }
            consumer.commitSync(Map.of(new org.apache.kafka.common.TopicPartition("cg-topic", 0),
                    new org.apache.kafka.clients.consumer.OffsetAndMetadata(60)));
        }
        String b = skua.bootstrap();
        String listed = KafkaTool.run(KafkaTool.CONSUMER_GROUPS, "--bootstrap-server", b, "--list").ok().output();
        assertTrue(listed.lines().anyMatch("cg-tool"::equals), listed);

        String described = KafkaTool.run(KafkaTool.CONSUMER_GROUPS, "--bootstrap-server", b, "--describe",
                "--group", "cg-tool").ok().output();
        assertTrue(described.lines().anyMatch(l -> l.matches("cg-tool\\s+cg-topic\\s+0\\s+60\\s+100\\s+40\\s.*")), described);

        String reset = KafkaTool.run(KafkaTool.CONSUMER_GROUPS, "--bootstrap-server", b, "--reset-offsets",
                "--group", "cg-tool", "--topic", "cg-topic", "--to-earliest", "--execute").ok().output();
        assertTrue(reset.lines().anyMatch(l -> l.matches("cg-tool\\s+cg-topic\\s+0\\s+0\\s*")), reset);
        String afterReset = KafkaTool.run(KafkaTool.CONSUMER_GROUPS, "--bootstrap-server", b, "--describe",
                "--group", "cg-tool").ok().output();
        assertTrue(afterReset.lines().anyMatch(l -> l.matches("cg-tool\\s+cg-topic\\s+0\\s+0\\s+100\\s+100\\s.*")), afterReset);

        String deleted = KafkaTool.run(KafkaTool.CONSUMER_GROUPS, "--bootstrap-server", b, "--delete",
                "--group", "cg-tool").ok().output();
        assertTrue(deleted.contains("Deletion of requested consumer groups ('cg-tool') was successful."), deleted);
        String after = KafkaTool.run(KafkaTool.CONSUMER_GROUPS, "--bootstrap-server", b, "--list").ok().output();
        assertFalse(after.lines().anyMatch("cg-tool"::equals), after);
    }
}
