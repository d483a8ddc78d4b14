package io.skua.storage.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.protocol.Uuid;
import io.skua.protocol.record.TimestampType;
import io.skua.storage.AppendOrigin;
import io.skua.storage.Batches;
import io.skua.storage.LogConfig;
import io.skua.storage.TopicMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {
    @TempDir
    Path dataDir;

    LogManager open() {
        return LogManager.open(dataDir, LogConfig.DEFAULT, () -> 1L);
    }

    @Test
    void shouldPersistTopicsAndTheirDataAcrossRestarts() {
        Uuid id = Uuid.randomUuid();
        try (LogManager manager = open()) {
            manager.createTopic("orders", id, 3, Map.of(LogConfig.RETENTION_MS, "1000",
                    LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime"));
            manager.log("orders", 2).orElseThrow().append(Batches.plain(4, 1), AppendOrigin.CLIENT, 0);
        }

        try (LogManager manager = open()) {
            TopicMetadata topic = manager.topic("orders").orElseThrow();
            assertEquals(id, topic.id());
            assertEquals(3, topic.partitionCount());
            assertEquals("1000", topic.configs().get(LogConfig.RETENTION_MS));
            PartitionLog log = manager.log("orders", 2).orElseThrow();
            assertEquals(4, log.logEndOffset());
            assertEquals(1000, log.config().retentionMs());
            assertEquals(TimestampType.LOG_APPEND_TIME, log.config().timestampType());
            assertTrue(manager.log("orders", 3).isEmpty());
        }
    }

    @Test
    void shouldAddPartitionsAndUpdateConfigs() {
        try (LogManager manager = open()) {
            manager.createTopic("t", Uuid.randomUuid(), 1, Map.of());
            manager.addPartitions("t", 4);
            manager.updateConfigs("t", Map.of(LogConfig.SEGMENT_BYTES, "1000"));
            assertEquals(1000, manager.log("t", 3).orElseThrow().config().segmentBytes());
            assertThrows(IllegalArgumentException.class, () -> manager.addPartitions("t", 2));
        }
        try (LogManager manager = open()) {
            assertEquals(4, manager.topic("t").orElseThrow().partitionCount());
            assertEquals(1000, manager.log("t", 0).orElseThrow().config().segmentBytes());
        }
    }

    @Test
    void shouldDeleteTopicsWithTheirData() {
        try (LogManager manager = open()) {
            manager.createTopic("gone", Uuid.randomUuid(), 2, Map.of());
            manager.createTopic("kept", Uuid.randomUuid(), 1, Map.of());
            manager.deleteTopic("gone");
            assertTrue(manager.topic("gone").isEmpty());
            assertFalse(Files.exists(dataDir.resolve("gone-0")));
            manager.createTopic("gone", Uuid.randomUuid(), 1, Map.of());
            assertEquals(0, manager.log("gone", 0).orElseThrow().logEndOffset());
        }
        try (LogManager manager = open()) {
            assertEquals(2, manager.topics().size());
        }
    }

    @Test
    void shouldRemovePartitionDirectoriesNoTopicClaims() throws Exception {
        Files.createDirectories(dataDir.resolve("orphan-0"));
        Files.createDirectories(dataDir.resolve("x-1.abc-delete"));
        Files.createDirectories(dataDir.resolve("not a partition"));

        try (LogManager manager = open()) {
            assertTrue(manager.topics().isEmpty());
        }

        assertFalse(Files.exists(dataDir.resolve("orphan-0")));
        assertFalse(Files.exists(dataDir.resolve("x-1.abc-delete")));
        assertTrue(Files.exists(dataDir.resolve("not a partition")), "only our own naming is touched");
    }

    @Test
    void shouldRejectIllegalTopicsAndConfigs() {
        try (LogManager manager = open()) {
            assertThrows(IllegalArgumentException.class, () -> manager.createTopic("../etc", Uuid.randomUuid(), 1,
                    Map.of()));
            assertThrows(IllegalArgumentException.class, () -> manager.createTopic("t", Uuid.randomUuid(), 0,
                    Map.of()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> manager.createTopic("t", Uuid.randomUuid(), 1, Map.of(LogConfig.SEGMENT_BYTES, "lots")));
            assertTrue(e.getMessage().contains(LogConfig.SEGMENT_BYTES), e.getMessage());
            manager.createTopic("t", Uuid.randomUuid(), 1, Map.of());
            assertThrows(IllegalArgumentException.class, () -> manager.createTopic("t", Uuid.randomUuid(), 1,
                    Map.of()));
        }
    }
}
