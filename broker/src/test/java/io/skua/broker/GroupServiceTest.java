package io.skua.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.broker.config.BrokerConfig;
import io.skua.broker.group.GroupLog;
import io.skua.broker.group.GroupMessages.OffsetCommitRequest;
import io.skua.broker.group.GroupMessages.OffsetFetchGroup;
import io.skua.broker.group.GroupMessages.PartitionOffset;
import io.skua.broker.partition.IoThreads;
import io.skua.broker.partition.PartitionRegistry;
import io.skua.broker.group.OffsetsTopicLog;
import io.skua.broker.metadata.HostedReplicas;
import io.skua.broker.metadata.LocalCluster;
import io.skua.broker.metadata.LocalTopicService;
import io.skua.broker.metadata.TopicManager;
import io.skua.storage.LogConfig;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The group coordinator over a real {@code __consumer_offsets} on temp files. */
class GroupServiceTest {
    @TempDir
    Path dir;

    Vertx vertx;
    TopicManager topics;
    LocalTopicService admin;
    GroupService groups;
    LocalCluster cluster = new LocalCluster(() -> "cluster", 1);
    BrokerConfig config;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        config = BrokerConfig.of(Map.of("log.dirs", dir.toString(), "offsets.topic.num.partitions", "3",
                "group.initial.rebalance.delay.ms", "0"));
        open();
    }

    @AfterEach
    void stop() {
        close();
        await(vertx.close());
    }

    private void open() {
        openTopics();
        groups = new GroupService(vertx, config, topics, admin, cluster);
        await(groups.start());
        await(groups.loaded());
    }

    private void openTopics() {
        topics = new TopicManager(vertx, dir, LogConfig.DEFAULT, 300_000, new PartitionRegistry(new IoThreads(2)),
                HostedReplicas.SINGLE_NODE);
        admin = new LocalTopicService(topics, 1, 1, (short) 1);
        await(topics.start());
        await(admin.start());
    }

    private void close() {
        if (groups != null) {
            await(groups.stop());
            groups = null;
        }
        await(topics.stop());
    }

    @Test
    void shouldCreateACompactedOffsetsTopicOnFirstStart() {
        TopicMetadata topic = topics.topic(OffsetsTopicLog.TOPIC);
        assertEquals(3, topic.partitionCount());
        assertEquals("compact", topic.configs().get(LogConfig.CLEANUP_POLICY));
        assertEquals(String.valueOf(100 * 1024 * 1024), topic.configs().get(LogConfig.SEGMENT_BYTES));
    }

    @Test
    void shouldKeepThePartitionCountOfAnExistingTopic() {
        // Given the topic exists with 3 partitions
        close();
        // When the broker comes back with another setting
        config = config.with("offsets.topic.num.partitions", "7");
        open();
        // Then groups stay where they are
        assertEquals(3, topics.topic(OffsetsTopicLog.TOPIC).partitionCount());
        assertEquals(3, GroupService.groupConfig(config, 3).offsetsTopicPartitions());
    }

    @Test
    void shouldReplayAppendsInCallOrderAcrossARestart() {
        // Given 200 appends issued without waiting, with tombstones among them
        OffsetsTopicLog log = new OffsetsTopicLog(topics, System::currentTimeMillis);
        List<Future<Void>> appends = new ArrayList<>();
        List<GroupLog.Record> written = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            List<GroupLog.Record> batch = List.of(
                    new GroupLog.Record(bytes("k" + i), bytes("v" + i)),
                    new GroupLog.Record(bytes("t" + i), i % 3 == 0 ? null : bytes("x".repeat(i))));
            written.addAll(batch);
            appends.add(log.append(1, batch));
        }
        await(Future.all(appends));
        // When the logs are reopened and the partition is replayed (the records are not group records, so the
        // coordinator itself would refuse to load them)
        close();
        openTopics();
        List<GroupLog.Record> replayed = new ArrayList<>();
        await(new OffsetsTopicLog(topics, System::currentTimeMillis).replay(1, replayed::add));
        // Then every record comes back, in order
        assertEquals(written.size(), replayed.size());
        for (int i = 0; i < written.size(); i++) {
            assertArrayEquals(written.get(i).key(), replayed.get(i).key());
            if (written.get(i).value() == null) {
                assertNull(replayed.get(i).value());
            } else {
                assertArrayEquals(written.get(i).value(), replayed.get(i).value());
            }
        }
        List<GroupLog.Record> empty = new ArrayList<>();
        await(new OffsetsTopicLog(topics, System::currentTimeMillis).replay(2, empty::add));
        assertTrue(empty.isEmpty());
    }

    @Test
    void shouldServeTheOtherPartitionsWhenOneCannotBeLoaded() {
        // Given records the coordinator cannot read in partition 1
        await(new OffsetsTopicLog(topics, System::currentTimeMillis)
                .append(1, List.of(new GroupLog.Record(bytes("garbage"), bytes("garbage")))));
        String onOne = groupOn(1);
        String onTwo = groupOn(2);
        // When the broker restarts
        close();
        open();
        // Then that partition's groups have no coordinator, and the others do
        var found = await(groups.coordinator().findCoordinator((byte) 0, List.of(onOne, onTwo)));
        assertEquals(io.skua.protocol.Errors.NOT_COORDINATOR, found.get(0).error());
        assertEquals(io.skua.protocol.Errors.NONE, found.get(1).error());
    }

    private String groupOn(int partition) {
        for (int i = 0; ; i++) {
            if (groups.coordinator().partitionFor("group-" + i) == partition) {
                return "group-" + i;
            }
        }
    }

    @Test
    void shouldServeCommittedOffsetsAfterARestart() {
        // Given a topic and a commit
        await(admin.createTopic("orders", 2, (short) 1, Map.of(), false));
        var errors = await(groups.coordinator().commitOffsets(new OffsetCommitRequest("billing", -1, "", null, -1,
                List.of(new PartitionOffset("orders", 1, 42, 3, "meta")), 10)));
        assertEquals(0, errors.get(0).error());
        // When the broker restarts
        close();
        open();
        // Then the offset is read back from __consumer_offsets
        var fetched = await(groups.coordinator().fetchOffsets(List.of(new OffsetFetchGroup("billing", null)), false));
        var offset = fetched.get(0).partitions().get(0);
        assertEquals(42, offset.offset());
        assertEquals(3, offset.leaderEpoch());
        assertEquals("meta", offset.metadata());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
