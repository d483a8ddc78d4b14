package io.skua.broker.cluster;

import io.skua.broker.testing.KafkaWire;

import io.skua.broker.SkuaBroker;
import io.skua.protocol.Errors;
import io.skua.protocol.ApiKey;
import io.skua.protocol.message.AlterConfigsRequestData;
import io.skua.protocol.message.AlterConfigsResponseData;
import io.skua.protocol.message.AlterPartitionRequestData;
import io.skua.protocol.message.AlterPartitionResponseData;
import io.skua.broker.config.BrokerConfig;
import io.skua.broker.partition.Partition;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.testing.Await;
import io.skua.broker.testing.LogCapture;
import io.skua.storage.TopicMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.skua.broker.cluster.ClusterTest.await;
import static io.skua.broker.cluster.ClusterTest.metadata;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Topic administration in a cluster of three real brokers (one JVM), with the real Kafka Admin, producer and consumer:
 * DeleteTopics, CreatePartitions, AlterConfigs and IncrementalAlterConfigs sent to a broker that is not the
 * controller act on every broker, and the answer comes once the receiving broker shows the change.
 */
class ClusterAdminTest {
    private static final Duration FORM = Duration.ofSeconds(60);
    private static final Duration CHANGE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final Map<Integer, SkuaBroker> brokers = new HashMap<>();
    private final Map<Integer, BrokerConfig> configs = new HashMap<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void quietLibraries() {
        ClusterTest.quiet();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        for (SkuaBroker b : brokers.values()) {
            await(b.close(), 60);
        }
    }

    @Test
    void shouldDeleteTopicOnEveryBrokerThroughANonControllerAndRecreateIt() throws Exception {
        // Given three brokers and a replicated topic holding records
        startCluster();
        int via = nonController();
        Admin admin = admin(via);
        admin.createTopics(List.of(new NewTopic("doomed", 3, (short) 3))).all().get();
        Uuid oldId = admin.describeTopics(List.of("doomed")).allTopicNames().get().get("doomed").topicId();
        KafkaProducer<String, String> producer = producer(via);
        for (int i = 0; i < 6; i++) {
            producer.send(new ProducerRecord<>("doomed", i % 3, null, "old-" + i)).get();
        }
        Await.until("every broker has the topic's directories", CHANGE,
                () -> brokers.keySet().stream().allMatch(id -> !topicDirs(id, "doomed").isEmpty()));

        // When it is deleted through a broker that is not the controller
        admin.deleteTopics(List.of("doomed")).all().get();

        // Then that broker no longer lists it at once, and soon no broker does and every broker removed its files
        assertFalse(topicNames(via).contains("doomed"), "the receiving broker still lists the deleted topic");
        Await.until("no broker lists the topic", CHANGE,
                () -> brokers.keySet().stream().noneMatch(id -> topicNames(id).contains("doomed")));
        Await.until("every broker deleted the topic's files", CHANGE,
                () -> brokers.keySet().stream().allMatch(id -> topicDirs(id, "doomed").isEmpty()
                        && !Files.exists(dir.resolve("b" + id).resolve("topics").resolve("doomed.properties"))));
        ExecutionException unknown = assertThrows(ExecutionException.class,
                () -> admin.deleteTopics(List.of("doomed")).all().get());
        assertInstanceOf(UnknownTopicOrPartitionException.class, unknown.getCause());

        // When a topic of the same name is created again (through another broker) and written
        int other = brokers.keySet().stream().filter(id -> id != via).findFirst().orElseThrow();
        Admin admin2 = admin(other);
        admin2.createTopics(List.of(new NewTopic("doomed", 1, (short) 3))).all().get();
        Uuid newId = admin2.describeTopics(List.of("doomed")).allTopicNames().get().get("doomed").topicId();
        assertNotEquals(oldId, newId);
        KafkaProducer<String, String> producer2 = producer(other);
        for (int i = 0; i < 5; i++) {
            producer2.send(new ProducerRecord<>("doomed", 0, null, "new-" + i)).get();
        }

        // Then a consumer reads exactly the new records, and every replica holds them under the new topic id
        assertEquals(List.of("new-0", "new-1", "new-2", "new-3", "new-4"), consume(via, "doomed", 0, 5));
        Await.until("every replica of the new topic has the 5 records", CHANGE,
                () -> brokers.keySet().stream().allMatch(id -> logEnd(id, "doomed", 0) == 5));
        for (int id : brokers.keySet()) {
            TopicMetadata local = topics(id).topic("doomed");
            assertEquals(newId.toString(), local.id().toString(), "broker " + id + " serves the new topic");
            assertEquals(1, local.partitionCount());
        }
    }

    @Test
    void shouldCreatePartitionsThroughANonControllerAndReplicateThem() throws Exception {
        // Given three brokers and a topic with one partition replicated three times
        startCluster();
        int via = nonController();
        Admin admin = admin(via);
        admin.createTopics(List.of(new NewTopic("growing", 1, (short) 3))).all().get();

        // When two partitions are added through a broker that is not the controller
        admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(3))).all().get();

        // Then that broker describes three partitions at once, each with three replicas, leader = first replica
        TopicDescription described = admin.describeTopics(List.of("growing")).allTopicNames().get().get("growing");
        assertEquals(3, described.partitions().size());
        for (TopicPartitionInfo p : described.partitions()) {
            assertEquals(3, p.replicas().size(), p.toString());
            assertEquals(p.replicas().get(0).id(), p.leader().id(), p.toString());
            assertEquals(3, p.isr().size(), p.toString());
        }
        // And the other brokers soon agree
        Await.until("every broker lists three partitions", CHANGE, () -> brokers.keySet().stream().allMatch(id ->
                metadata(brokers.get(id)).topics().stream().anyMatch(t -> t.name().equals("growing")
                        && t.partitions().size() == 3 && t.partitions().stream().allMatch(p -> p.leaderId() > 0))));

        // When records are produced with acks=all to a new partition
        KafkaProducer<String, String> producer = producer(via);
        RecordMetadata last = null;
        for (int i = 0; i < 4; i++) {
            last = producer.send(new ProducerRecord<>("growing", 2, null, "p2-" + i)).get();
        }
        assertEquals(3, last.offset());

        // Then every replica of it holds them, and a consumer reads them
        Await.until("followers of the new partition have the records", CHANGE,
                () -> brokers.keySet().stream().allMatch(id -> logEnd(id, "growing", 2) == 4));
        assertEquals(List.of("p2-0", "p2-1", "p2-2", "p2-3"), consume(via, "growing", 2, 4));

        // And shrinking, or growing an unknown topic, is refused with Kafka's errors
        ExecutionException shrink = assertThrows(ExecutionException.class, () ->
                admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(2))).all().get());
        assertInstanceOf(InvalidPartitionsException.class, shrink.getCause());
        ExecutionException missing = assertThrows(ExecutionException.class, () ->
                admin.createPartitions(Map.of("nope", NewPartitions.increaseTo(2))).all().get());
        assertInstanceOf(UnknownTopicOrPartitionException.class, missing.getCause());

        // When the topic is deleted by its id (DeleteTopics v6) through the same broker
        Uuid id = admin.describeTopics(List.of("growing")).allTopicNames().get().get("growing").topicId();
        admin.deleteTopics(TopicCollection.ofTopicIds(List.of(id))).all().get();
        // Then it is gone everywhere, and an unknown id is UNKNOWN_TOPIC_ID
        Await.until("no broker lists the topic", CHANGE,
                () -> brokers.keySet().stream().noneMatch(b -> topicNames(b).contains("growing")));
        ExecutionException unknownId = assertThrows(ExecutionException.class, () ->
                admin.deleteTopics(TopicCollection.ofTopicIds(List.of(Uuid.randomUuid()))).all().get());
        assertInstanceOf(UnknownTopicIdException.class, unknownId.getCause());
    }

    @Test
    void shouldAlterTopicConfigsOnEveryBroker() throws Exception {
        // Given three brokers and a replicated topic
        startCluster();
        int via = nonController();
        int other = brokers.keySet().stream().filter(id -> id != via).findFirst().orElseThrow();
        Admin admin = admin(via);
        Admin admin2 = admin(other);
        admin.createTopics(List.of(new NewTopic("tuned", 1, (short) 3))).all().get();
        // (the producer runs without retries: the leader must know the topic before the first send)
        Await.until("every replica serves the topic", CHANGE, () -> brokers.keySet().stream()
                .allMatch(id -> topics(id).partition("tuned", 0) != null));
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "tuned");
        KafkaProducer<String, String> producer = producer(other);
        producer.send(new ProducerRecord<>("tuned", 0, null, "before")).get();

        // When min.insync.replicas is raised above the replication factor (and retention.ms set) incrementally
        // through a broker that is not the controller
        admin.incrementalAlterConfigs(Map.of(topic, List.of(
                new AlterConfigOp(new ConfigEntry("min.insync.replicas", "4"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET))))
                .all().get();

        // Then that broker describes the new values at once, another broker soon, and every open log runs with them
        assertEquals("4", describe(admin, topic).get("min.insync.replicas").value());
        Await.until("the other broker describes the change", CHANGE, () -> {
            try {
                return "4".equals(describe(admin2, topic).get("min.insync.replicas").value());
            } catch (Exception e) {
                return false;
            }
        });
        Await.until("every replica's log has the new retention", CHANGE, () -> brokers.keySet().stream()
                .allMatch(id -> partition(id, "tuned", 0) != null
                        && partition(id, "tuned", 0).log().config().retentionMs() == 3_600_000L));
        // And acks=all still succeeds, whichever broker leads: as in Kafka 3.7+, the effective minimum ISR is capped at
        // the replica count (3), and the ISR holds all three
        Await.until("every broker applied min.insync.replicas", CHANGE, () -> brokers.keySet().stream()
                .allMatch(id -> "4".equals(topics(id).topic("tuned").configs().get("min.insync.replicas"))));
        assertEquals(1, producer.send(new ProducerRecord<>("tuned", 0, null, "capped")).get().offset());

        // When the legacy AlterConfigs replaces the overrides through another broker (min.insync.replicas back to default)
        // (Kafka 4's Admin no longer sends AlterConfigs: the request goes over the wire as older clients send it)
        AlterConfigsRequestData legacy = new AlterConfigsRequestData();
        legacy.resources().add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2)
                .setResourceName("tuned"));
        legacy.resources().get(0).configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms")
                .setValue("7200000"));
        try (KafkaWire wire = new KafkaWire(brokers.get(other).boundPort())) {
            AlterConfigsResponseData replaced = wire.send(ApiKey.ALTER_CONFIGS, (short) 2, legacy);
            assertEquals(Errors.NONE, replaced.responses().get(0).errorCode(), replaced.toString());
        }

        // Then every broker has the new overrides only, and acks=all works again
        Await.until("every broker applied the replaced overrides", CHANGE, () -> brokers.keySet().stream()
                .allMatch(id -> topics(id).topic("tuned").configs().equals(Map.of("retention.ms", "7200000"))));
        assertFalse(describe(admin2, topic).get("min.insync.replicas").source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertEquals(2, producer.send(new ProducerRecord<>("tuned", 0, null, "after")).get().offset());

        // And invalid values and unknown topics are refused with Kafka's errors, changing nothing
        ExecutionException invalid = assertThrows(ExecutionException.class, () -> admin.incrementalAlterConfigs(Map.of(
                topic, List.of(new AlterConfigOp(new ConfigEntry("min.insync.replicas", "many"),
                        AlterConfigOp.OpType.SET)))).all().get());
        assertInstanceOf(InvalidConfigurationException.class, invalid.getCause());
        ExecutionException unknown = assertThrows(ExecutionException.class, () -> admin.incrementalAlterConfigs(Map.of(
                new ConfigResource(ConfigResource.Type.TOPIC, "nope"), List.of(new AlterConfigOp(
                        new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.SET)))).all().get());
        assertInstanceOf(UnknownTopicOrPartitionException.class, unknown.getCause());
        assertEquals("7200000", describe(admin, topic).get("retention.ms").value());
    }

    @Test
    void shouldReplaceTheStaleCopyOfABrokerThatMissedADeleteAndRecreate() throws Exception {
        // Given three brokers, a topic replicated on all of them, and one broker (not the controller) stopped
        startCluster();
        int down = nonController();
        int via = brokers.keySet().stream().filter(id -> id != down && id != controller()).findFirst().orElseThrow();
        Admin admin = admin(via);
        admin.createTopics(List.of(new NewTopic("phoenix", 1, (short) 3))).all().get();
        KafkaProducer<String, String> producer = producer(via);
        for (int i = 0; i < 3; i++) {
            producer.send(new ProducerRecord<>("phoenix", 0, null, "old-" + i)).get();
        }
        Await.until("every replica has the old records", CHANGE,
                () -> brokers.keySet().stream().allMatch(id -> logEnd(id, "phoenix", 0) == 3));
        String oldId = topics(down).topic("phoenix").id().toString();
        await(brokers.remove(down).close(), 60);

        // When, meanwhile, the topic is deleted and created again with the two live brokers as replicas
        admin.deleteTopics(List.of("phoenix")).all().get();
        admin.createTopics(List.of(new NewTopic("phoenix", 1, (short) 2))).all().get();
        String newId = admin.describeTopics(List.of("phoenix")).allTopicNames().get().get("phoenix").topicId().toString();
        assertNotEquals(oldId, newId);

        // And the stopped broker comes back
        restart(down);
        Await.until("every broker sees 3 live brokers", FORM, () -> brokers.keySet().stream()
                .allMatch(id -> metadata(brokers.get(id)).brokers().size() == 3));

        // Then it drops its copy of the old topic (it hosts nothing of the new one) and knows the new one
        Await.until("the restarted broker knows the new topic", CHANGE, () -> topics(down).topic("phoenix") != null
                && topics(down).topic("phoenix").id().toString().equals(newId));
        Await.until("the restarted broker deleted the old topic's files", CHANGE,
                () -> topicDirs(down, "phoenix").isEmpty());

        // When a partition is added with a manual assignment that puts it on the restarted broker first
        admin.createPartitions(Map.of("phoenix", NewPartitions.increaseTo(2, List.of(List.of(down, via))))).all().get();
        KafkaProducer<String, String> producer2 = producer(via);
        for (int i = 0; i < 3; i++) {
            producer2.send(new ProducerRecord<>("phoenix", 1, null, "new-" + i)).get();
        }

        // Then it leads that partition, both replicas hold the records, and none of the old ones came back
        Await.until("both replicas of the new partition have the records", CHANGE,
                () -> logEnd(down, "phoenix", 1) == 3 && logEnd(via, "phoenix", 1) == 3);
        assertEquals(down, admin.describeTopics(List.of("phoenix")).allTopicNames().get().get("phoenix")
                .partitions().get(1).leader().id());
        assertEquals(List.of("new-0", "new-1", "new-2"), consume(via, "phoenix", 1, 3));
        assertEquals(null, partition(down, "phoenix", 0), "the restarted broker does not host partition 0");
        // And an assignment naming an unknown broker is refused
        ExecutionException bad = assertThrows(ExecutionException.class, () -> admin.createPartitions(Map.of("phoenix",
                NewPartitions.increaseTo(3, List.of(List.of(down, 99))))).all().get());
        assertInstanceOf(InvalidReplicaAssignmentException.class, bad.getCause());
    }

    @Test
    void shouldBatchIsrExpansionsIntoFewAlterPartitionRequestsAfterARestart() throws Exception {
        // Given three brokers and 30 partitions replicated on all of them
        startCluster();
        int via = controller();
        Admin admin = admin(via);
        admin.createTopics(List.of(new NewTopic("many", 30, (short) 3))).all().get();
        int down = nonController();
        await(brokers.remove(down).close(), 60);
        Await.until("the stopped broker left every ISR", CHANGE, () -> isrSizes(via, "many").stream().allMatch(n -> n == 2));

        // When it comes back
        try (LogCapture isrChanges = new LogCapture(IsrChanges.class.getName(), java.util.logging.Level.INFO)) {
            long restarting = System.nanoTime();
            restart(down);
            // Then every ISR is whole again
            Await.until("every ISR is whole again", Duration.ofSeconds(60),
                    () -> isrSizes(via, "many").stream().allMatch(n -> n == 3));
            System.out.printf("cluster-admin restart-to-full-isr partitions=30 ms=%d%n",
                    (System.nanoTime() - restarting) / 1_000_000);
            // And the controller wrote the 30 additions in fewer batches than partitions (its log line follows the writes)
            Await.until("the controller logged 30 additions", CHANGE, () -> manyPerBatch(isrChanges).stream()
                    .mapToInt(Integer::intValue).sum() >= 30);
            List<Integer> batches = manyPerBatch(isrChanges);
            assertEquals(30, batches.stream().mapToInt(Integer::intValue).sum(), batches.toString());
            assertTrue(batches.size() < 30, "one AlterPartition write batch per partition: " + batches);
            System.out.printf("cluster-admin isr-expansion batches=%s%n", batches);
        }
    }

    @Test
    void shouldRefuseStaleBrokerEpochsInAlterPartition() throws Exception {
        // Given three brokers and a topic replicated on all of them
        startCluster();
        Admin admin = admin(controller());
        admin.createTopics(List.of(new NewTopic("epochs", 1, (short) 3))).all().get();
        Await.until("every broker knows the leader", CHANGE, () -> brokers.keySet().stream().allMatch(id ->
                clusterMetadata(id).partition("epochs", 0) != null && clusterMetadata(id).partition("epochs", 0).leader() > 0));
        int leader = clusterMetadata(controller()).partition("epochs", 0).leader();
        int follower = brokers.keySet().stream().filter(id -> id != leader && id != controller()).findFirst()
                .orElseGet(() -> brokers.keySet().stream().filter(id -> id != leader).findFirst().orElseThrow());
        long before = clusterMetadata(controller()).brokerEpoch(follower);
        assertTrue(before > 0, "registered with an epoch");

        // When the follower restarts
        await(brokers.remove(follower).close(), 60);
        Await.until("the follower left the ISR", CHANGE, () -> !clusterMetadata(leader).partition("epochs", 0).isr().contains(follower));
        restart(follower);

        // Then it registers with a higher epoch, and its leader adds it back (AlterPartition v3 naming that epoch)
        Await.until("the controller knows the new epoch", FORM, () -> clusterMetadata(controller()).brokerEpoch(follower) > before);
        long after = clusterMetadata(controller()).brokerEpoch(follower);
        Await.until("the follower is back in the ISR", FORM,
                () -> clusterMetadata(controller()).partition("epochs", 0).isr().contains(follower));

        // When an AlterPartition names the follower's old epoch, it is refused for that partition (KIP-903)
        ClusterRecords.PartitionRecord state = clusterMetadata(controller()).partition("epochs", 0);
        long leaderEpoch = clusterMetadata(controller()).brokerEpoch(leader);
        AlterPartitionResponseData stale = alterIsrWithEpochs(leader, leaderEpoch, state, Map.of(leader, leaderEpoch, follower, before));
        assertEquals(Errors.NONE, stale.errorCode());
        assertEquals(Errors.INELIGIBLE_REPLICA, stale.topics().get(0).partitions().get(0).errorCode(), stale.toString());
        // And one from the leader with a stale epoch of its own is refused as a whole
        AlterPartitionResponseData staleLeader = alterIsrWithEpochs(leader, leaderEpoch - 1, state,
                Map.of(leader, leaderEpoch, follower, after));
        assertEquals(Errors.STALE_BROKER_EPOCH, staleLeader.errorCode(), staleLeader.toString());
        // And with the current epochs the change is made
        AlterPartitionResponseData current = alterIsrWithEpochs(leader, leaderEpoch, state, Map.of(leader, leaderEpoch, follower, after));
        assertEquals(Errors.NONE, current.topics().get(0).partitions().get(0).errorCode(), current.toString());
        assertEquals(Set.of(leader, follower), new TreeSet<>(current.topics().get(0).partitions().get(0).isr()));
    }

    // ---- helpers ----

    /** Per "isr changed" line of the controller: how many partitions of topic "many" it changed. */
    private static List<Integer> manyPerBatch(LogCapture capture) {
        return capture.records().stream()
                .filter(r -> r.getMessage().startsWith("isr changed") && r.getParameters() != null)
                .map(r -> (int) ((List<?>) r.getParameters()[2]).stream().filter(c -> c.toString().startsWith("many-")).count())
                .filter(n -> n > 0).toList();
    }

    private void startCluster() throws Exception {
        configs.putAll(TestClusters.configs(dir, 3, "admin", Map.of("offsets.topic.num.partitions", "3")));
        List<io.vertx.core.Future<SkuaBroker>> starting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            starting.add(SkuaBroker.start(configs.get(i)));
        }
        for (int i = 1; i <= 3; i++) {
            brokers.put(i, await(starting.get(i - 1), 60));
        }
        Await.until("every broker sees 3 live brokers and a controller", FORM, () -> brokers.values().stream()
                .allMatch(b -> {
                    var md = metadata(b);
                    return md.brokers().size() == 3 && md.controllerId() > 0;
                }));
    }

    private ClusterMetadata clusterMetadata(int id) {
        return brokers.get(id).component(ClusterMetadata.class).orElseThrow();
    }

    /** AlterPartition v3 to the controller: the partition's ISR becomes {@code isr}'s keys, each named with its epoch. */
    private AlterPartitionResponseData alterIsrWithEpochs(int leader, long leaderBrokerEpoch,
                                                          ClusterRecords.PartitionRecord state,
                                                          Map<Integer, Long> isr) throws IOException {
        String topicId = clusterMetadata(controller()).topic("epochs").id();
        AlterPartitionRequestData request = new AlterPartitionRequestData().setBrokerId(leader)
                .setBrokerEpoch(leaderBrokerEpoch);
        AlterPartitionRequestData.TopicData t = new AlterPartitionRequestData.TopicData()
                .setTopicId(io.skua.protocol.Uuid.fromString(topicId));
        List<AlterPartitionRequestData.BrokerState> members = new ArrayList<>();
        isr.forEach((id, epoch) -> members.add(new AlterPartitionRequestData.BrokerState().setBrokerId(id)
                .setBrokerEpoch(epoch)));
        t.partitions().add(new AlterPartitionRequestData.PartitionData().setPartitionIndex(0)
                .setLeaderEpoch(state.leaderEpoch()).setPartitionEpoch(state.partitionEpoch())
                .setNewIsrWithEpochs(members));
        request.topics().add(t);
        try (KafkaWire wire = new KafkaWire(brokers.get(controller()).boundPort())) {
            return wire.send(ApiKey.ALTER_PARTITION, (short) 3, request);
        }
    }

    private void restart(int id) throws Exception {
        brokers.put(id, await(SkuaBroker.start(configs.get(id)), 60));
    }

    private int controller() {
        return metadata(brokers.values().iterator().next()).controllerId();
    }

    /** A broker that is not the controller (so its admin requests are forwarded). */
    private int nonController() {
        int controller = controller();
        return brokers.keySet().stream().filter(id -> id != controller).findFirst().orElseThrow();
    }

    private List<Integer> isrSizes(int id, String topic) {
        return metadata(brokers.get(id)).topics().stream().filter(t -> t.name().equals(topic))
                .flatMap(t -> t.partitions().stream()).map(p -> p.isrNodes().size()).toList();
    }

    private String bootstrap(int id) {
        return "127.0.0.1:" + brokers.get(id).boundPort();
    }

    private Admin admin(int id) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(id));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        Admin admin = Admin.create(p);
        clients.add(admin);
        return admin;
    }

    private KafkaProducer<String, String> producer(int id) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(id));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.RETRIES_CONFIG, "0"); // NOT_ENOUGH_REPLICAS must surface, not be retried
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        clients.add(producer);
        return producer;
    }

    /** Reads {@code count} values of one partition from the beginning. */
    private List<String> consume(int id, String topic, int partition, int count) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(id));
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, partition)));
            long deadline = System.nanoTime() + CHANGE.toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }

    private static Map<String, ConfigEntry> describe(Admin admin, ConfigResource resource) throws Exception {
        Collection<ConfigEntry> entries = admin.describeConfigs(List.of(resource)).all().get().get(resource).entries();
        return entries.stream().collect(Collectors.toMap(ConfigEntry::name, e -> e));
    }

    private Set<String> topicNames(int id) {
        return metadata(brokers.get(id)).topics().stream().map(t -> t.name()).collect(Collectors.toCollection(TreeSet::new));
    }

    private TopicManager topics(int id) {
        return brokers.get(id).component(TopicManager.class).orElseThrow();
    }

    private Partition partition(int id, String topic, int index) {
        return topics(id).partition(topic, index);
    }

    private long logEnd(int id, String topic, int index) {
        Partition p = partition(id, topic, index);
        return p == null ? -1 : p.logEndOffset();
    }

    /** The partition directories of {@code topic} in a broker's data directory (deleted ones included). */
    private List<Path> topicDirs(int id, String topic) {
        try (Stream<Path> files = Files.list(dir.resolve("b" + id))) {
            return files.filter(f -> f.getFileName().toString().startsWith(topic + "-")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
