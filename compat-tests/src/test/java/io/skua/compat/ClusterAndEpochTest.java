package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DescribeCluster and OffsetForLeaderEpoch (single node: one leader epoch, 0). */
class ClusterAndEpochTest {
    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest(Map.of("node.id", "3"));

    @Test
    void shouldDescribeTheClusterOfOne() throws Exception {
        try (Admin admin = Admin.create(skua.clientProps())) {
            DescribeClusterResult cluster = admin.describeCluster();
            Node node = cluster.nodes().get().iterator().next();
            assertEquals(1, cluster.nodes().get().size());
            assertEquals(3, node.id());
            assertEquals("127.0.0.1", node.host());
            assertEquals(skua.port(), node.port());
            assertEquals(3, cluster.controller().get().id());
            String clusterId = cluster.clusterId().get();
            assertTrue(clusterId != null && !clusterId.isEmpty());
            assertNull(cluster.authorizedOperations().get(), "not requested: Integer.MIN_VALUE, read as null");

            var ops = admin.describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true))
                    .authorizedOperations().get();
            assertTrue(ops.containsAll(List.of(AclOperation.DESCRIBE, AclOperation.ALTER,
                    AclOperation.IDEMPOTENT_WRITE, AclOperation.DESCRIBE_CONFIGS)), ops.toString());
        }
    }

    @Test
    void shouldAnswerEndOffsetsForLeaderEpochs() throws Exception {
        produce("epochs", 5);
        try (RawKafka raw = new RawKafka(skua)) {
            // the current epoch: its end is the log end
            assertEquals(List.of(Errors.NONE.code(), 0, 5L), answer(raw, "epochs", 0, -1, 0));
            assertEquals(List.of(Errors.NONE.code(), 0, 5L), answer(raw, "epochs", 0, 0, 0));
            // an epoch above every known one: undefined
            assertEquals(List.of(Errors.NONE.code(), -1, -1L), answer(raw, "epochs", 0, 0, 4));
            // the client knows a newer leader epoch than the broker / an older one
            assertEquals(List.of(Errors.UNKNOWN_LEADER_EPOCH.code(), -1, -1L), answer(raw, "epochs", 0, 1, 0));
            assertEquals(List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), -1, -1L), answer(raw, "epochs", 9, -1, 0));
            assertEquals(List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), -1, -1L), answer(raw, "absent", 0, -1, 0));
        }
    }

    @Test
    void shouldLetTheConsumerDetectAPositionPastTheLogEnd() throws Exception {
        produce("validated", 5);
        TopicPartition tp = new TopicPartition("validated", 0);
        Properties p = new Properties();
        p.put("auto.offset.reset", "none");
        try (var consumer = Clients.consumer(skua, p)) {
            consumer.assign(List.of(tp));
            // A position from epoch 0 that this log never reached: validation (OffsetForLeaderEpoch) finds epoch 0
            // ending at 5, so the consumer reports truncation
            consumer.seek(tp, new OffsetAndMetadata(8, Optional.of(0), ""));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            LogTruncationException e = assertThrows(LogTruncationException.class, () -> {
                while (System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(100));
                }
            });
            assertEquals(5L, e.divergentOffsets().get(tp).offset());
            // A position inside the log validates and reads on
            consumer.seek(tp, new OffsetAndMetadata(3, Optional.of(0), ""));
            var got = Clients.readAll(consumer, tp, 3, 2);
            assertEquals(3L, got.get(0).offset());
            assertEquals(Optional.of(0), got.get(0).leaderEpoch());
        }
    }

    private void produce(String topic, int count) throws Exception {
        try (var producer = Clients.producer(skua, new Properties())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, ("v" + i).getBytes())).get();
            }
        }
    }

    /** [error code, leader epoch, end offset] for one partition. */
    private static List<Object> answer(RawKafka raw, String topic, int partition, int currentEpoch, int epoch)
            throws Exception {
        OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
        OffsetForLeaderTopic t = new OffsetForLeaderTopic().setTopic(topic);
        t.partitions().add(new OffsetForLeaderPartition().setPartition(partition)
                .setCurrentLeaderEpoch(currentEpoch).setLeaderEpoch(epoch));
        topics.add(t);
        OffsetsForLeaderEpochResponse response = raw.send(OffsetsForLeaderEpochRequest.Builder.forConsumer(topics)
                .build((short) 4));
        EpochEndOffset e = response.data().topics().iterator().next().partitions().get(0);
        return List.of(e.errorCode(), e.leaderEpoch(), e.endOffset());
    }
}
