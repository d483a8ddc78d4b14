package io.skua.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.broker.config.BrokerConfig;
import io.skua.broker.config.ConfigException;
import io.skua.protocol.record.TimestampType;
import io.skua.storage.LogConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogDefaultsTest {
    @Test
    void shouldTakeEveryStorageOwnedTopicDefaultFromItsBrokerProperty() {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "log.segment.bytes", "4096",
                "log.retention.minutes", "30",
                "log.cleanup.policy", "compact,delete",
                "log.message.timestamp.type", "LogAppendTime",
                "log.index.interval.bytes", "128",
                "log.segment.delete.delay.ms", "5",
                "log.flush.interval.messages", "1"));

        LogConfig defaults = KafkaProtocol.logDefaults(config);

        assertEquals(4096, defaults.segmentBytes());
        assertEquals(30 * 60_000L, defaults.retentionMs());
        assertEquals("compact,delete", defaults.cleanupPolicy());
        assertEquals(TimestampType.LOG_APPEND_TIME, defaults.timestampType());
        assertEquals(128, defaults.indexIntervalBytes());
        assertEquals(5L, defaults.fileDeleteDelayMs());
        assertTrue(defaults.flushOnAppend());
    }

    @Test
    void shouldRejectAnInvalidBrokerLevelTopicDefault() {
        BrokerConfig config = BrokerConfig.of(Map.of("log.cleanup.policy", "shred"));

        ConfigException e = assertThrows(ConfigException.class, () -> KafkaProtocol.logDefaults(config));

        assertTrue(e.getMessage().contains("cleanup.policy"), e.getMessage());
    }

    @Test
    void shouldListKnownPropertiesWithTypesAndWhetherTheyWereGiven() {
        BrokerConfig config = BrokerConfig.of(Map.of("num.partitions", "4"));

        var partitions = config.entries().stream().filter(e -> e.name().equals("num.partitions")).findFirst().orElseThrow();
        var retention = config.entries().stream().filter(e -> e.name().equals("log.retention.ms")).findFirst().orElseThrow();

        assertEquals(Integer.class, partitions.type());
        assertEquals(4, partitions.value());
        assertTrue(partitions.explicit());
        assertEquals(Long.class, retention.type());
        assertEquals(null, retention.value());
    }
}
