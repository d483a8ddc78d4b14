package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DeleteTopics, CreatePartitions and CreateTopics' errors through the real Admin client. */
class TopicAdminTest {
    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest(Map.of("auto.create.topics.enable", "false"));
    Admin admin;

    @BeforeEach
    void start() {
        admin = Admin.create(skua.clientProps());
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    @Test
    void shouldDeleteTopicByNameAndRecreateItEmptyWithANewId() throws Exception {
        // Given a topic with data
        admin.createTopics(List.of(new NewTopic("doomed", 2, (short) 1))).all().get();
        Uuid oldId = admin.describeTopics(List.of("doomed")).allTopicNames().get().get("doomed").topicId();
        try (var producer = Clients.producer(skua, new Properties())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("doomed", 0, null, ("v" + i).getBytes())).get();
            }
        }
        // When it is deleted
        admin.deleteTopics(List.of("doomed")).all().get();
        // Then Metadata no longer lists it and a produce gets UNKNOWN_TOPIC_OR_PARTITION
        assertFalse(admin.listTopics().names().get().contains("doomed"));
        assertCause(UnknownTopicOrPartitionException.class,
                admin.describeTopics(List.of("doomed")).allTopicNames());
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, rawProduceError("doomed"));
        // And the name can be used again, with a new id and an empty log
        admin.createTopics(List.of(new NewTopic("doomed", 1, (short) 1))).all().get();
        Uuid newId = admin.describeTopics(List.of("doomed")).allTopicNames().get().get("doomed").topicId();
        assertNotEquals(oldId, newId);
        TopicPartition tp = new TopicPartition("doomed", 0);
        try (var consumer = Clients.consumer(skua, new Properties())) {
            assertEquals(0L, consumer.endOffsets(List.of(tp)).get(tp));
        }
        try (var producer = Clients.producer(skua, new Properties())) {
            assertEquals(0L, producer.send(new ProducerRecord<>("doomed", 0, null, "new".getBytes())).get().offset());
        }
        assertEquals(Errors.NONE, rawProduceError("doomed"));
    }

    @Test
    void shouldDeleteTopicById() throws Exception {
        admin.createTopics(List.of(new NewTopic("by-id", 1, (short) 1))).all().get();
        Uuid id = admin.describeTopics(List.of("by-id")).allTopicNames().get().get("by-id").topicId();

        admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id))).all().get();

        assertFalse(admin.listTopics().names().get().contains("by-id"));
        assertCause(UnknownTopicIdException.class,
                admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id))).all());
    }

    @Test
    void shouldRejectDeletingAnUnknownTopic() {
        assertCause(UnknownTopicOrPartitionException.class, admin.deleteTopics(List.of("never-was")).all());
    }

    @Test
    void shouldAddPartitionsThatTakeRecords() throws Exception {
        admin.createTopics(List.of(new NewTopic("grow", 2, (short) 1))).all().get();

        admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(4))).all().get();

        assertEquals(4, admin.describeTopics(List.of("grow")).allTopicNames().get().get("grow").partitions().size());
        try (var producer = Clients.producer(skua, new Properties())) {
            assertEquals(0L, producer.send(new ProducerRecord<>("grow", 3, null, "p3".getBytes())).get().offset());
        }
    }

    @Test
    void shouldValidateCreatePartitions() throws Exception {
        admin.createTopics(List.of(new NewTopic("fixed", 2, (short) 1))).all().get();
        // validateOnly changes nothing
        admin.createPartitions(Map.of("fixed", NewPartitions.increaseTo(6)),
                new CreatePartitionsOptions().validateOnly(true)).all().get();
        assertEquals(2, admin.describeTopics(List.of("fixed")).allTopicNames().get().get("fixed").partitions().size());
        // the same or a lower count
        assertCause(InvalidPartitionsException.class,
                admin.createPartitions(Map.of("fixed", NewPartitions.increaseTo(2))).all());
        assertCause(InvalidPartitionsException.class,
                admin.createPartitions(Map.of("fixed", NewPartitions.increaseTo(1))).all());
        // two replicas on a single node, or a broker that does not exist
        assertCause(InvalidReplicaAssignmentException.class, admin.createPartitions(
                Map.of("fixed", NewPartitions.increaseTo(3, List.of(List.of(1, 2))))).all());
        assertCause(InvalidReplicaAssignmentException.class, admin.createPartitions(
                Map.of("fixed", NewPartitions.increaseTo(3, List.of(List.of(7))))).all());
        assertCause(UnknownTopicOrPartitionException.class,
                admin.createPartitions(Map.of("absent", NewPartitions.increaseTo(3))).all());
        // a valid manual assignment: this broker (node.id 1) alone
        admin.createPartitions(Map.of("fixed", NewPartitions.increaseTo(3, List.of(List.of(1))))).all().get();
        assertEquals(3, admin.describeTopics(List.of("fixed")).allTopicNames().get().get("fixed").partitions().size());
    }

    @Test
    void shouldAnswerCreateTopicsErrorsAsKafkaDoes() throws Exception {
        admin.createTopics(List.of(new NewTopic("taken", 1, (short) 1))).all().get();

        assertCause(TopicExistsException.class,
                admin.createTopics(List.of(new NewTopic("taken", 1, (short) 1))).all());
        assertCause(InvalidTopicException.class,
                admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1))).all());
        assertCause(InvalidReplicationFactorException.class,
                admin.createTopics(List.of(new NewTopic("three-copies", 1, (short) 3))).all());
        assertCause(InvalidConfigurationException.class, admin.createTopics(List.of(
                new NewTopic("bad-config", 1, (short) 1).configs(Map.of("retention.ms", "soon")))).all());
        assertCause(InvalidConfigurationException.class, admin.createTopics(List.of(
                new NewTopic("unknown-config", 1, (short) 1).configs(Map.of("no.such.config", "1")))).all());

        admin.createTopics(List.of(new NewTopic("dry-run", 3, (short) 1)),
                new CreateTopicsOptions().validateOnly(true)).all().get();

        var names = admin.listTopics().names().get();
        assertTrue(names.contains("taken"));
        for (String never : List.of("bad/name", "three-copies", "bad-config", "unknown-config", "dry-run")) {
            assertFalse(names.contains(never), never + " must not exist");
        }
    }

    /** One produce request (v12, by name) of one record to partition 0, straight from a socket. */
    private Errors rawProduceError(String topic) throws Exception {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
        ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName(topic);
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("raw".getBytes(StandardCharsets.UTF_8)))));
        data.topicData().add(t);
        try (RawKafka raw = new RawKafka(skua)) {
            ProduceResponse response = raw.send(new ProduceRequest(data, (short) 12));
            return Errors.forCode(response.data().responses().iterator().next()
                    .partitionResponses().get(0).errorCode());
        }
    }

    static void assertCause(Class<? extends Throwable> expected, KafkaFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, future::get);
        assertInstanceOf(expected, e.getCause(), () -> "got " + e.getCause());
    }
}
