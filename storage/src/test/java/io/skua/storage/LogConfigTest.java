package io.skua.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.protocol.record.TimestampType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogConfigTest {

    @Test
    void shouldDefaultLikeKafka() {
        LogConfig c = LogConfig.DEFAULT;
        assertEquals(1 << 30, c.segmentBytes());
        assertEquals(604_800_000L, c.segmentMs());
        assertEquals(604_800_000L, c.retentionMs());
        assertEquals(-1, c.retentionBytes());
        assertEquals(1_048_588, c.maxMessageBytes());
        assertEquals(4096, c.indexIntervalBytes());
        assertEquals(TimestampType.CREATE_TIME, c.timestampType());
        assertFalse(c.flushOnAppend());
        assertEquals(60_000L, c.fileDeleteDelayMs());
        assertTrue(c.deleteEnabled());
        assertFalse(c.compactEnabled());
    }

    @Test
    void shouldParseKafkaTopicConfigs() {
        LogConfig c = LogConfig.fromProperties(Map.of("segment.bytes", "1024", "segment.ms", "10",
                "retention.ms", "-1", "retention.bytes", "5000", "max.message.bytes", "100",
                "message.timestamp.type", "LogAppendTime", "cleanup.policy", "compact,delete", "flush.messages", "1",
                "file.delete.delay.ms", "0", "unclean.leader.election.enable", "true"));
        assertEquals(1024, c.segmentBytes());
        assertEquals(10, c.segmentMs());
        assertEquals(-1, c.retentionMs());
        assertEquals(5000, c.retentionBytes());
        assertEquals(100, c.maxMessageBytes());
        assertEquals(TimestampType.LOG_APPEND_TIME, c.timestampType());
        assertTrue(c.compactEnabled() && c.deleteEnabled());
        assertTrue(c.flushOnAppend());
        assertFalse(LogConfig.fromProperties(Map.of("flush.messages", "9223372036854775807")).flushOnAppend());
    }

    @Test
    void shouldNameThePropertyAtFault() {
        for (Map<String, String> bad : new Map[] {Map.of("segment.bytes", "x"), Map.of("segment.bytes", "1"),
            Map.of("retention.ms", "-2"), Map.of("message.timestamp.type", "Whenever"),
            Map.of("cleanup.policy", "keep"), Map.of("flush.messages", "0"), Map.of("segment.ms", "0")}) {
            String property = bad.keySet().iterator().next();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LogConfig.fromProperties(bad));
            assertTrue(e.getMessage().contains(property), e.getMessage());
        }
    }
}
