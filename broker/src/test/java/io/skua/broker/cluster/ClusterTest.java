package io.skua.broker.cluster;

import io.skua.broker.testing.KafkaWire;

import io.skua.broker.SkuaBroker;
import io.skua.protocol.Errors;
import io.skua.broker.config.BrokerConfig;
import io.skua.broker.testing.Await;
import io.skua.protocol.ApiKey;
import io.skua.protocol.MemoryRecords;
import io.skua.protocol.message.AlterPartitionRequestData;
import io.skua.protocol.message.AlterPartitionResponseData;
import io.skua.protocol.message.CreateTopicsRequestData;
import io.skua.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.skua.protocol.message.CreateTopicsResponseData;
import io.skua.protocol.message.MetadataRequestData;
import io.skua.protocol.message.MetadataResponseData;
import io.skua.protocol.message.MetadataResponseData.MetadataResponsePartition;
import io.skua.protocol.message.MetadataResponseData.MetadataResponseTopic;
import io.skua.protocol.message.ProduceRequestData;
import io.skua.protocol.message.ProduceResponseData;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three real brokers in one JVM, each with its own Vert.x, JGroups TCP port and data directory. */
class ClusterTest {
    private static final short METADATA_V = 12;
    private static final Duration FORM = Duration.ofSeconds(60);
    private static final Duration FAILOVER = Duration.ofSeconds(20);
    private static final List<Logger> QUIET = new ArrayList<>();

    @TempDir
    Path dir;
    private final List<SkuaBroker> brokers = new ArrayList<>();

    @BeforeAll
    static void quietLibraries() {
        quiet();
    }

    static void quiet() {
        for (String name : List.of("org.infinispan", "org.jgroups", "org.jboss", "io.vertx", "io.netty")) {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(Level.WARNING);
            QUIET.add(logger);
        }
    }

    @AfterEach
    void stopAll() throws Exception {
        for (SkuaBroker b : brokers) {
            await(b.close(), 60);
        }
    }

    @Test
    void shouldFormClusterSpreadReplicasAndAgreeOnMetadata() throws Exception {
        // Given three brokers started together
        startCluster(3);

        // When a topic with three partitions and replication factor 3 is created through broker 2
        CreateTopicsResponseData created = createTopic(brokers.get(1), "orders", 3, (short) 3);
        assertEquals(Errors.NONE, created.topics().get(0).errorCode(), created.toString());
        assertEquals(3, created.topics().get(0).replicationFactor());

        // Then every broker reports the same three live brokers, controller and leadership
        Await.until("metadata agrees on every broker", FORM, () -> {
            Set<String> views = brokers.stream().map(b -> summary(metadata(b))).collect(Collectors.toSet());
            return views.size() == 1 && !views.iterator().next().contains("leader=-1");
        });
        MetadataResponseData md = metadata(brokers.get(0));
        assertEquals(3, md.brokers().size());
        assertTrue(md.controllerId() >= 1 && md.controllerId() <= 3);
        MetadataResponseTopic topic = md.topics().get(0);
        for (MetadataResponsePartition p : topic.partitions()) {
            assertEquals(Set.of(1, 2, 3), new TreeSet<>(p.replicaNodes()));
            assertEquals(Set.of(1, 2, 3), new TreeSet<>(p.isrNodes()));
            assertTrue(p.offlineReplicas().isEmpty());
            assertEquals(Errors.NONE, p.errorCode());
        }
        // And leaders are spread (round robin over the brokers)
        assertEquals(3, topic.partitions().stream().map(MetadataResponsePartition::leaderId).distinct().count());

        // And a replication factor above the live brokers is refused
        assertEquals(Errors.INVALID_REPLICATION_FACTOR,
                createTopic(brokers.get(2), "too-many", 1, (short) 4).topics().get(0).errorCode());

        // And produce to a partition led elsewhere answers NOT_LEADER_OR_FOLLOWER
        MetadataResponsePartition p0 = topic.partitions().get(0);
        SkuaBroker notLeader = brokers.stream().filter(b -> b.config().nodeId() != p0.leaderId()).findFirst().orElseThrow();
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, produceError(notLeader, "orders", 0));

        // And the leader may shrink the ISR through AlterPartition at the controller, which bumps the partition epoch
        SkuaBroker controller = broker(md.controllerId());
        int follower = p0.replicaNodes().stream().filter(id -> id != p0.leaderId()).findFirst().orElseThrow();
        List<Integer> shrunk = p0.isrNodes().stream().filter(id -> id != follower).toList();
        AlterPartitionResponseData altered = alterIsr(controller, p0.leaderId(), topic, p0, shrunk, 0);
        assertEquals(Errors.NONE, altered.errorCode());
        assertEquals(Errors.NONE, altered.topics().get(0).partitions().get(0).errorCode(), altered.toString());
        assertEquals(new TreeSet<>(shrunk), new TreeSet<>(altered.topics().get(0).partitions().get(0).isr()));
        // And the leader puts the caught-up follower back into the ISR (AlterPartition of its own)
        Await.until("every broker sees the follower back in the ISR", FAILOVER, () -> brokers.stream().allMatch(b ->
                new TreeSet<>(metadata(b).topics().get(0).partitions().get(0).isrNodes()).equals(Set.of(1, 2, 3))));
        // And a stale partition epoch is refused
        AlterPartitionResponseData stale = alterIsr(controller, p0.leaderId(), topic, p0, p0.isrNodes(), 0);
        assertEquals(Errors.INVALID_UPDATE_VERSION, stale.topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    void shouldMoveControllerAndLeadershipWhenBrokersStop() throws Exception {
        // Given three brokers and a topic replicated on all of them
        startCluster(3);
        assertEquals(Errors.NONE, createTopic(brokers.get(0), "events", 3, (short) 3).topics().get(0).errorCode());
        Await.until("all leaders known", FORM, () -> brokers.stream().allMatch(b -> !summary(metadata(b)).contains("leader=-1")
                && metadata(b).topics().size() == 1));
        MetadataResponseData before = metadata(brokers.get(0));
        int oldController = before.controllerId();

        // When the controller stops
        long stopped = System.nanoTime();
        await(broker(oldController).close(), 60);
        List<SkuaBroker> rest = brokers.stream().filter(b -> b.config().nodeId() != oldController).toList();

        // Then another broker takes over as controller and every partition the old one led gets a new leader
        // from the ISR, with a higher leader epoch
        Await.until("a new controller and leaders", FAILOVER, () -> rest.stream().allMatch(b -> {
            MetadataResponseData md = metadata(b);
            return md.controllerId() != oldController && md.controllerId() > 0 && md.brokers().size() == 2
                    && md.topics().get(0).partitions().stream().allMatch(p -> p.leaderId() > 0
                    && p.leaderId() != oldController && !p.isrNodes().contains(oldController));
        }));
        long controllerMs = (System.nanoTime() - stopped) / 1_000_000;
        MetadataResponseData after = metadata(rest.get(0));
        assertLeaderMoved(before, after, oldController);
        System.out.printf("cluster-failover controller-stop-to-new-controller-and-leaders ms=%d%n", controllerMs);

        // When the other broker stops (one is left). Not the new controller: it is the JGroups coordinator (the oldest
        // member), and stopping the coordinator when two are left leaves the survivor's metadata caches DEGRADED
        // (docs/cluster.md); this test is about leadership moving, not about that open limitation.
        int newController = after.controllerId();
        int oldLeader = rest.stream().mapToInt(b -> b.config().nodeId()).filter(id -> id != newController).findFirst()
                .orElseThrow();
        SkuaBroker last = broker(newController);
        stopped = System.nanoTime();
        await(broker(oldLeader).close(), 60);

        // Then the last broker leads everything, with higher epochs, and reports the stopped ones offline
        Await.until("the last broker leads", FAILOVER, () -> metadata(last).topics().get(0).partitions().stream()
                .allMatch(p -> p.leaderId() == last.config().nodeId() && p.isrNodes().size() == 1));
        long leaderMs = (System.nanoTime() - stopped) / 1_000_000;
        MetadataResponseData end = metadata(last);
        assertLeaderMoved(after, end, oldLeader);
        assertEquals(last.config().nodeId(), end.controllerId());
        for (MetadataResponsePartition p : end.topics().get(0).partitions()) {
            assertEquals(List.of(last.config().nodeId()), p.isrNodes());
            assertEquals(2, p.offlineReplicas().size());
        }
        System.out.printf("cluster-failover leader-stop-to-new-leader ms=%d%n", leaderMs);
    }

    private static void assertLeaderMoved(MetadataResponseData before, MetadataResponseData after, int gone) {
        for (int i = 0; i < before.topics().get(0).partitions().size(); i++) {
            MetadataResponsePartition b = before.topics().get(0).partitions().get(i);
            MetadataResponsePartition a = after.topics().get(0).partitions().get(i);
            if (b.leaderId() == gone) {
                assertNotEquals(gone, a.leaderId());
                assertTrue(b.isrNodes().contains(a.leaderId()), "new leader from the ISR");
                assertTrue(a.leaderEpoch() > b.leaderEpoch(), "leader epoch bumped: " + b + " -> " + a);
            } else {
                assertEquals(b.leaderId(), a.leaderId());
                assertEquals(b.leaderEpoch(), a.leaderEpoch());
            }
            assertTrue(!a.isrNodes().contains(gone), "the stopped broker left the ISR");
        }
    }

    // ---- helpers ----

    private void startCluster(int n) throws Exception {
        List<Future<SkuaBroker>> starting = new ArrayList<>();
        long started = System.nanoTime();
        for (BrokerConfig config : TestClusters.configs(dir, n, "test", Map.of()).values()) {
            starting.add(SkuaBroker.start(config));
        }
        for (Future<SkuaBroker> f : starting) {
            brokers.add(await(f, 60));
        }
        System.out.printf("cluster-start brokers=%d ms=%d%n", n, (System.nanoTime() - started) / 1_000_000);
        Await.until("every broker sees " + n + " live brokers and a controller", FORM, () -> brokers.stream()
                .allMatch(b -> {
                    MetadataResponseData md = metadata(b);
                    return md.brokers().size() == n && md.controllerId() > 0;
                }));
        System.out.printf("cluster-formed brokers=%d ms=%d%n", n, (System.nanoTime() - started) / 1_000_000);
    }

    private SkuaBroker broker(int nodeId) {
        return brokers.stream().filter(b -> b.config().nodeId() == nodeId).findFirst().orElseThrow();
    }

    /** Metadata of every topic but the internal ones (the offsets topic is the group coordinator's business). */
    static MetadataResponseData metadata(SkuaBroker b) {
        try (KafkaWire wire = new KafkaWire(b.boundPort())) {
            MetadataResponseData md = wire.send(ApiKey.METADATA, METADATA_V, new MetadataRequestData().setTopics(null)
                    .setAllowAutoTopicCreation(false));
            md.topics().removeIf(MetadataResponseData.MetadataResponseTopic::isInternal);
            return md;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Brokers, controller and per partition leader/epoch/replicas/ISR/offline, in a comparable form. */
    static String summary(MetadataResponseData md) {
        StringBuilder sb = new StringBuilder("controller=" + md.controllerId() + " brokers="
                + md.brokers().stream().map(b -> b.nodeId() + "@" + b.port()).sorted().toList());
        md.topics().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(t -> {
            sb.append(' ').append(t.name());
            t.partitions().forEach(p -> sb.append(" [p").append(p.partitionIndex()).append(" leader=").append(p.leaderId())
                    .append(" epoch=").append(p.leaderEpoch()).append(" replicas=").append(p.replicaNodes())
                    .append(" isr=").append(p.isrNodes()).append(" offline=").append(p.offlineReplicas()).append(']'));
        });
        return sb.toString();
    }

    static CreateTopicsResponseData createTopic(SkuaBroker b, String name, int partitions, short rf) throws IOException {
        try (KafkaWire wire = new KafkaWire(b.boundPort())) {
            CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
            request.topics().add(new CreatableTopic().setName(name).setNumPartitions(partitions).setReplicationFactor(rf));
            return wire.send(ApiKey.CREATE_TOPICS, (short) 7, request);
        }
    }

    private static short produceError(SkuaBroker b, String topic, int partition) throws IOException {
        try (KafkaWire wire = new KafkaWire(b.boundPort())) {
            ProduceRequestData request = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5_000);
            ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName(topic);
            t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition)
                    .setRecords(MemoryRecords.EMPTY));
            request.topicData().add(t);
            ProduceResponseData response = wire.send(ApiKey.PRODUCE, (short) 9, request);
            return response.responses().iterator().next().partitionResponses().get(0).errorCode();
        }
    }

    static AlterPartitionResponseData alterIsr(SkuaBroker controller, int leader, MetadataResponseTopic topic,
                                                       MetadataResponsePartition p, List<Integer> isr,
                                                       int partitionEpoch) throws IOException {
        try (KafkaWire wire = new KafkaWire(controller.boundPort())) {
            AlterPartitionRequestData request = new AlterPartitionRequestData().setBrokerId(leader).setBrokerEpoch(-1);
            AlterPartitionRequestData.TopicData t = new AlterPartitionRequestData.TopicData().setTopicId(topic.topicId());
            t.partitions().add(new AlterPartitionRequestData.PartitionData().setPartitionIndex(p.partitionIndex())
                    .setLeaderEpoch(p.leaderEpoch()).setNewIsr(isr).setPartitionEpoch(partitionEpoch));
            request.topics().add(t);
            return wire.send(ApiKey.ALTER_PARTITION, (short) 2, request);
        }
    }

    static <T> T await(Future<T> f, int seconds) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    }
}
