package io.skua.broker.cluster;

import io.skua.broker.testing.KafkaWire;

import io.skua.broker.SkuaBroker;
import io.skua.protocol.Errors;
import io.skua.broker.config.BrokerConfig;
import io.skua.broker.metadata.TopicManager;
import io.skua.broker.testing.Await;
import io.skua.protocol.ApiKey;
import io.skua.protocol.MemoryRecords;
import io.skua.protocol.message.CreateTopicsRequestData;
import io.skua.protocol.message.CreateTopicsRequestData.CreatableTopic;
import io.skua.protocol.message.CreateTopicsRequestData.CreatableTopicConfig;
import io.skua.protocol.message.CreateTopicsResponseData;
import io.skua.protocol.message.FetchRequestData;
import io.skua.protocol.message.FetchResponseData;
import io.skua.protocol.message.MetadataResponseData.MetadataResponsePartition;
import io.skua.protocol.message.ProduceRequestData;
import io.skua.protocol.message.ProduceResponseData;
import io.skua.protocol.record.RecordBatch;
import io.skua.protocol.record.RecordBatchBuilder;
import io.skua.storage.LogConfig;
import io.skua.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.skua.broker.cluster.ClusterTest.await;
import static io.skua.broker.cluster.ClusterTest.metadata;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replication between three brokers in one JVM: follower fetchers, high watermark over the ISR, acks=all with
 * min.insync.replicas, ISR shrink and expansion, leader-epoch truncation and failover without losing acknowledged
 * records.
 */
class ReplicationTest {
    private static final Duration FORM = Duration.ofSeconds(60);
    private static final Duration CHANGE = Duration.ofSeconds(30);
    private static final String TOPIC = "replicated";

    @TempDir
    Path dir;
    private final Map<Integer, SkuaBroker> brokers = new HashMap<>();
    private final Map<Integer, BrokerConfig> configs = new HashMap<>();
    /** The partition of {@link #TOPIC} the test follows (led by the oldest member). */
    private int index;

    @BeforeAll
    static void quietLibraries() {
        ClusterTest.quiet();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (SkuaBroker b : brokers.values()) {
            await(b.close(), 60);
        }
    }

    @Test
    void shouldReplicateAcknowledgeWithAcksAllShrinkExpandAndFailOverWithoutLoss() throws Exception {
        // Given three brokers and a topic with replication factor 3 and min.insync.replicas=2, whose partitions are led
        // by one broker each; the test follows the partition led by the oldest member (the controller after formation).
        // (Stopping two followers one after the other leaves the survivor's metadata caches DEGRADED when the second one
        // is the JGroups coordinator: Infinispan then recovers from a stable topology of two with one member present,
        // see docs/cluster.md. With the oldest member leading, neither follower stop is the coordinator's.)
        startCluster(3);
        int oldest = metadata(brokers.get(1)).controllerId();
        CreateTopicsRequestData request = new CreateTopicsRequestData().setTimeoutMs(30_000);
        CreatableTopic topic = new CreatableTopic().setName(TOPIC).setNumPartitions(3).setReplicationFactor((short) 3);
        topic.configs().add(new CreatableTopicConfig().setName("min.insync.replicas").setValue("2"));
        request.topics().add(topic);
        CreateTopicsResponseData created;
        try (KafkaWire wire = new KafkaWire(brokers.get(1).boundPort())) {
            created = wire.send(ApiKey.CREATE_TOPICS, (short) 7, request);
        }
        assertEquals(Errors.NONE, created.topics().get(0).errorCode(), created.toString());
        Await.until("every broker knows the leaders", FORM, () -> brokers.values().stream()
                .allMatch(b -> metadata(b).topics().size() == 1 && metadata(b).topics().get(0).partitions().stream()
                        .allMatch(p -> p.leaderId() > 0)));
        index = metadata(brokers.get(1)).topics().get(0).partitions().stream().filter(p -> p.leaderId() == oldest)
                .findFirst().orElseThrow().partitionIndex();
        int leader = partition(brokers.get(1)).leaderId();
        assertEquals(oldest, leader);
        List<Integer> followers = new ArrayList<>(List.of(1, 2, 3));
        followers.remove(Integer.valueOf(leader));

        // When records are produced with acks=all
        long acked = 0;
        long started = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            assertEquals(Errors.NONE, produce(leader, -1, "a" + i), "acks=all batch " + i);
            acked++;
        }
        System.out.printf("replication acks=all 50 batches ms=%d%n", (System.nanoTime() - started) / 1_000_000);
        // Then the high watermark covers them and every replica holds them
        assertEquals(acked, fetchHighWatermark(leader));
        Await.until("followers caught up", CHANGE, () -> followers.stream().allMatch(f -> logEnd(f) == 50));

        // When one follower stops, the ISR shrinks and acks=all with min.insync.replicas=2 still succeeds
        stop(followers.get(0));
        Await.until("ISR without the stopped follower", CHANGE, () -> isr(leader).equals(Set.of(leader, followers.get(1))));
        for (int i = 0; i < 10; i++) {
            assertEquals(Errors.NONE, produce(leader, -1, "b" + i));
            acked++;
        }

        // When the second follower stops too, acks=all is refused before the append. (Not within seconds of the first
        // stop: Infinispan cannot tell a second leave during the first one's conflict resolution from a split, and the
        // last broker would stay DEGRADED; see docs/cluster.md.)
        Thread.sleep(6_000);
        stop(followers.get(1));
        Await.until("ISR of the leader alone", CHANGE, () -> isr(leader).equals(Set.of(leader)));
        assertEquals(Errors.NOT_ENOUGH_REPLICAS, produce(leader, -1, "refused"));
        // (acks=1 is still served by the leader alone)
        assertEquals(Errors.NONE, produce(leader, 1, "c0"));
        acked++;

        // When both followers come back, they truncate, catch up and rejoin the ISR
        long restarting = System.nanoTime();
        restart(followers.get(0));
        restart(followers.get(1));
        Await.until("both followers back in the ISR", Duration.ofSeconds(60), () -> isr(leader).equals(Set.of(1, 2, 3)));
        System.out.printf("replication restart-to-isr ms=%d%n", (System.nanoTime() - restarting) / 1_000_000);
        for (int i = 0; i < 10; i++) {
            assertEquals(Errors.NONE, produce(leader, -1, "d" + i));
            acked++;
        }
        long ackedBeforeFailover = acked;
        int oldEpoch = partition(brokers.get(leader)).leaderEpoch();

        // When the leader stops, a new leader from the ISR with a higher epoch has every acknowledged record
        long killed = System.nanoTime();
        stop(leader);
        int survivor = followers.get(0);
        Await.until("a new leader", CHANGE, () -> {
            MetadataResponsePartition p = partition(brokers.get(survivor));
            return p.leaderId() > 0 && p.leaderId() != leader && brokers.containsKey(p.leaderId());
        });
        System.out.printf("replication leader-stop-to-new-leader ms=%d%n", (System.nanoTime() - killed) / 1_000_000);
        MetadataResponsePartition now = partition(brokers.get(survivor));
        int newLeader = now.leaderId();
        assertTrue(now.leaderEpoch() > oldEpoch, "leader epoch bumped");
        Await.until("new leader's high watermark covers every acknowledged record", CHANGE,
                () -> fetchHighWatermark(newLeader) >= ackedBeforeFailover);
        List<String> values = readAll(newLeader);
        assertEquals(ackedBeforeFailover, values.size(), values.toString());
        // And it keeps serving acks=all with the remaining ISR of two
        Await.until("ISR of the two survivors", CHANGE, () -> isr(newLeader).size() == 2);
        assertEquals(Errors.NONE, produce(newLeader, -1, "e0"));
        acked++;
        long finalAcked = acked;
        Await.until("the other survivor caught up", CHANGE,
                () -> brokers.keySet().stream().allMatch(id -> logEnd(id) == finalAcked));

        // Then, after a clean stop, the replicas' logs are byte-identical up to the high watermark
        long hw = fetchHighWatermark(newLeader);
        for (int id : new ArrayList<>(brokers.keySet())) {
            stop(id);
        }
        byte[] reference = null;
        for (int id : List.of(1, 2, 3)) {
            byte[] bytes = logBytes(id, id == leader ? ackedBeforeFailover : hw);
            if (id == leader) {
                continue; // stopped before the last record; checked as a prefix below
            }
            if (reference == null) {
                reference = bytes;
            } else {
                assertArrayEquals(reference, bytes, "replica logs of the survivors differ");
            }
        }
        byte[] old = logBytes(leader, ackedBeforeFailover);
        byte[] prefix = java.util.Arrays.copyOf(reference, old.length);
        assertArrayEquals(prefix, old, "the old leader's log is a prefix of the new leader's");
    }

    // ---- helpers ----

    private void startCluster(int n) throws Exception {
        configs.putAll(TestClusters.configs(dir, n, "repl", Map.of("replica.lag.time.max.ms", "2000")));
        List<io.vertx.core.Future<SkuaBroker>> starting = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            starting.add(SkuaBroker.start(configs.get(i)));
        }
        for (int i = 1; i <= n; i++) {
            brokers.put(i, await(starting.get(i - 1), 60));
        }
        Await.until("every broker sees " + n + " live brokers and a controller", FORM, () -> brokers.values().stream()
                .allMatch(b -> {
                    var md = metadata(b);
                    return md.brokers().size() == n && md.controllerId() > 0;
                }));
    }

    private void stop(int id) throws Exception {
        await(brokers.remove(id).close(), 60);
    }

    private void restart(int id) throws Exception {
        brokers.put(id, await(SkuaBroker.start(configs.get(id)), 60));
    }

    private MetadataResponsePartition partition(SkuaBroker b) {
        return metadata(b).topics().stream().filter(t -> t.name().equals(TOPIC)).findFirst().orElseThrow()
                .partitions().stream().filter(p -> p.partitionIndex() == index).findFirst().orElseThrow();
    }

    private Set<Integer> isr(int via) {
        return new TreeSet<>(partition(brokers.get(via)).isrNodes());
    }

    private short produce(int id, int acks, String value) throws IOException {
        try (KafkaWire wire = new KafkaWire(brokers.get(id).boundPort())) {
            ProduceRequestData request = new ProduceRequestData().setAcks((short) acks).setTimeoutMs(10_000);
            ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName(TOPIC);
            ByteBuffer batch = RecordBatchBuilder.build(List.of(new RecordBatchBuilder.KeyValue(null, value.getBytes())),
                    System.currentTimeMillis());
            t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(index)
                    .setRecords(new MemoryRecords(batch)));
            request.topicData().add(t);
            ProduceResponseData response = wire.send(ApiKey.PRODUCE, (short) 9, request);
            return response.responses().iterator().next().partitionResponses().get(0).errorCode();
        }
    }

    private FetchResponseData.PartitionData fetch(int id, long offset) throws IOException {
        try (KafkaWire wire = new KafkaWire(brokers.get(id).boundPort())) {
            FetchRequestData request = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
                    .setMaxBytes(16 << 20).setSessionEpoch(-1);
            FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopic(TOPIC);
            t.partitions().add(new FetchRequestData.FetchPartition().setPartition(index).setFetchOffset(offset)
                    .setPartitionMaxBytes(16 << 20).setLogStartOffset(-1).setCurrentLeaderEpoch(-1));
            request.topics().add(t);
            FetchResponseData response = wire.send(ApiKey.FETCH, (short) 12, request);
            return response.responses().get(0).partitions().get(0);
        }
    }

    private long fetchHighWatermark(int id) {
        try {
            return fetch(id, 0).highWatermark();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Every record value the leader serves (up to its high watermark). */
    private List<String> readAll(int id) throws IOException {
        List<String> values = new ArrayList<>();
        long offset = 0;
        while (true) {
            FetchResponseData.PartitionData data = fetch(id, offset);
            assertEquals(Errors.NONE, data.errorCode());
            ByteBuffer buf = ((MemoryRecords) data.records()).buffer();
            if (buf.remaining() == 0) {
                return values;
            }
            for (RecordBatch b : RecordBatch.batches(buf)) {
                for (int i = 0; i <= b.lastOffsetDelta(); i++) {
                    values.add("offset-" + (b.baseOffset() + i));
                }
                offset = b.nextOffset();
            }
        }
    }

    /** A live replica's log end. */
    private long logEnd(int id) {
        SkuaBroker b = brokers.get(id);
        var p = b == null ? null : b.component(TopicManager.class).orElseThrow().partition(TOPIC, index);
        return p == null ? -1 : p.logEndOffset();
    }

    private byte[] logBytes(int id, long upTo) {
        try (PartitionLog log = PartitionLog.open(dir.resolve("b" + id).resolve(TOPIC + "-" + index), LogConfig.DEFAULT,
                System::currentTimeMillis)) {
            ByteBuffer all = ByteBuffer.allocate(64 << 20);
            long offset = 0;
            while (offset < upTo) {
                ByteBuffer slice = log.read(offset, 1 << 20, upTo).readAll();
                if (slice.remaining() == 0) {
                    break;
                }
                for (RecordBatch b : RecordBatch.batches(slice.duplicate())) {
                    offset = b.nextOffset();
                }
                all.put(slice);
            }
            assertEquals(upTo, offset, "replica " + id + " holds everything below " + upTo);
            all.flip();
            byte[] out = new byte[all.remaining()];
            all.get(out);
            return out;
        }
    }
}
