package io.skua.broker.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerConfigTest {

    @Test
    void shouldUseKafkaDefaults() {
        BrokerConfig config = BrokerConfig.defaults();

        assertEquals(1, config.nodeId());
        assertEquals(List.of(new Endpoint("PLAINTEXT", SecurityProtocol.PLAINTEXT, "localhost", 9092)), config.listeners());
        assertEquals(config.listeners(), config.advertisedListeners());
        assertEquals(List.of(Path.of("data").toAbsolutePath()), config.logDirs());
        assertEquals(1, config.numPartitions());
        assertEquals(1, config.defaultReplicationFactor());
        assertTrue(config.autoCreateTopicsEnable());
        assertEquals(104_857_600, config.socketRequestMaxBytes());
        assertEquals(1_048_588, config.messageMaxBytes());
        assertEquals(1_073_741_824, config.logSegmentBytes());
        assertEquals(168 * 3_600_000L, config.logRollMs());
        assertEquals(168 * 3_600_000L, config.logRetentionMs());
        assertEquals(-1L, config.logRetentionBytes());
        assertEquals(300_000L, config.logRetentionCheckIntervalMs());
        assertEquals(Long.MAX_VALUE, config.logFlushIntervalMessages());
        assertEquals(50, config.offsetsTopicNumPartitions());
        assertEquals(64, config.queuedMaxRequestsPerConnection());
        assertTrue(config.numNetworkThreads() >= 1);
        assertTrue(config.zeroCopyEnabled());
        assertEquals(3000, config.groupInitialRebalanceDelayMs());
        assertEquals(6000, config.groupMinSessionTimeoutMs());
        assertEquals(1_800_000, config.groupMaxSessionTimeoutMs());
        assertEquals(Integer.MAX_VALUE, config.groupMaxSize());
        assertEquals(10080, config.offsetsRetentionMinutes());
        assertEquals(600_000L, config.offsetsRetentionCheckIntervalMs());
        assertEquals(4096, config.offsetMetadataMaxBytes());
    }

    @Test
    void shouldRejectAMinSessionTimeoutAboveTheMax() {
        ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(Map.of(
                "group.min.session.timeout.ms", "10000", "group.max.session.timeout.ms", "9000")));

        assertTrue(e.getMessage().contains("group.max.session.timeout.ms"), e.getMessage());
    }

    @Test
    void shouldLoadAFileAndApplyOverridesOnTop(@TempDir Path dir) throws Exception {
        // Given
        Path file = dir.resolve("server.properties");
        Files.writeString(file, """
                # a comment
                node.id=7
                listeners=PLAINTEXT://:19092
                log.dirs=%s/a,%s/b
                num.partitions = 3
                """.formatted(dir, dir));

        // When
        BrokerConfig config = BrokerConfig.load(file, Map.of("num.partitions", "5"));

        // Then
        assertEquals(7, config.nodeId());
        assertEquals(5, config.numPartitions());
        assertEquals(List.of(dir.resolve("a"), dir.resolve("b")), config.logDirs());
        assertEquals("", config.listeners().get(0).host());
        assertEquals(19092, config.listeners().get(0).port());
    }

    @Test
    void shouldAdvertiseAHostNameForWildcardListeners() {
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://0.0.0.0:9092"));

        Endpoint advertised = config.advertisedListeners().get(0);
        assertFalse(advertised.host().isEmpty());
        assertFalse(advertised.host().equals("0.0.0.0"));
        assertEquals(9092, advertised.port());
    }

    @Test
    void shouldPreferRetentionMsOverMinutesOverHours() {
        assertEquals(5L, BrokerConfig.of(Map.of("log.retention.ms", "5", "log.retention.minutes", "1")).logRetentionMs());
        assertEquals(120_000L, BrokerConfig.of(Map.of("log.retention.minutes", "2", "log.retention.hours", "1")).logRetentionMs());
        assertEquals(3_600_000L, BrokerConfig.of(Map.of("log.retention.hours", "1")).logRetentionMs());
        assertEquals(-1L, BrokerConfig.of(Map.of("log.retention.ms", "-1")).logRetentionMs());
        assertEquals(1000L, BrokerConfig.of(Map.of("log.roll.ms", "1000", "log.roll.hours", "1")).logRollMs());
    }

    @Test
    void shouldPreferLogDirsOverLogDir() {
        BrokerConfig config = BrokerConfig.of(Map.of("log.dir", "/tmp/x", "log.dirs", "/tmp/y"));
        assertEquals(List.of(Path.of("/tmp/y")), config.logDirs());
        assertEquals(List.of(Path.of("/tmp/x")), BrokerConfig.of(Map.of("log.dir", "/tmp/x")).logDirs());
    }

    @Test
    void shouldAcceptLegacyBrokerIdUnlessNodeIdIsSet() {
        assertEquals(4, BrokerConfig.of(Map.of("broker.id", "4")).nodeId());
        assertEquals(2, BrokerConfig.of(Map.of("broker.id", "4", "node.id", "2")).nodeId());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "node.id|-1|must be at least 0",
            "node.id|one|not a number of type INT",
            "num.partitions|0|must be at least 1",
            "default.replication.factor|40000|between 1 and 32767",
            "auto.create.topics.enable|yes|expected true or false",
            "socket.request.max.bytes|0|at least 1",
            "socket.request.max.bytes|3000000000|not a number of type INT",
            "socket.send.buffer.bytes|-2|-1 or at least 1",
            "message.max.bytes|-5|at least 0",
            "log.segment.bytes|10|at least 14",
            "log.retention.ms|-2|at least -1",
            "log.retention.bytes|lots|not a number of type LONG",
            "log.flush.interval.messages|0|at least 1",
            "log.retention.check.interval.ms|0|at least 1",
            "offsets.topic.num.partitions|0|at least 1",
            "group.initial.rebalance.delay.ms|-1|at least 0",
            "group.max.size|0|at least 1",
            "offsets.retention.minutes|0|at least 1",
            "offsets.retention.check.interval.ms|0|at least 1",
            "offset.metadata.max.bytes|-1|at least 0",
            "queued.max.requests.per.connection|0|between 1 and 100000",
            "listeners|localhost:9092|not of the form NAME://host:port",
            "listeners|PLAINTEXT://localhost:70000|port out of range",
            "listeners|SSL://localhost:9093|not supported yet",
            "listeners|CUSTOM://localhost:9093|no security protocol",
            "listeners|PLAINTEXT://a:1,PLAINTEXT://b:2|appears twice",
            "advertised.listeners|PLAINTEXT://0.0.0.0:9092|wildcard",
            "advertised.listeners|OTHER://h:1|OTHER",
    })
    void shouldRejectInvalidValuesNamingPropertyAndValue(String name, String value, String reason) {
        ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(Map.of(name, value)));

        assertTrue(e.getMessage().contains(name), e.getMessage());
        assertTrue(e.getMessage().contains(value), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void shouldReportEveryInvalidPropertyAtOnce() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("node.id", "x");
        props.put("num.partitions", "0");

        ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(props));

        assertTrue(e.getMessage().contains("node.id"), e.getMessage());
        assertTrue(e.getMessage().contains("num.partitions"), e.getMessage());
    }

    @Test
    void shouldKeepButIgnoreUnknownProperties() {
        BrokerConfig config = BrokerConfig.of(Map.of("no.such.thing", "1", "process.roles", "broker,controller",
                "num.partitions", "2", "min.insync.replicas", "2"));

        // (min.insync.replicas is used, so it is not reported as unknown)
        assertEquals(Set.of("no.such.thing"), config.unknownProperties());
        assertEquals(2, config.minInsyncReplicas());
        assertEquals(Set.of("process.roles"), config.inapplicableProperties());
        assertEquals(2, config.numPartitions());
    }

    @Test
    void shouldMapCustomListenerNamesThroughTheProtocolMap() {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "listeners", "INTERNAL://127.0.0.1:0,EXTERNAL://[::1]:9094",
                "listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT"));

        assertEquals("INTERNAL", config.listeners().get(0).listenerName());
        assertEquals(0, config.listeners().get(0).port());
        assertEquals("::1", config.listeners().get(1).host());
        assertEquals("EXTERNAL://[::1]:9094", config.listeners().get(1).toString());
    }

    @Test
    void shouldParseOverrides() {
        assertEquals(Map.entry("a.b", "c=d"), ConfigSources.parseOverride("a.b=c=d"));
        assertThrows(ConfigException.class, () -> ConfigSources.parseOverride("novalue"));
        assertThrows(ConfigException.class, () -> ConfigSources.parseOverride("=x"));
    }

    @Test
    void shouldFailOnAMissingFile(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> BrokerConfig.load(dir.resolve("missing.properties"), Map.of()));
        assertTrue(e.getMessage().contains("missing.properties"));
    }

    @Test
    void shouldRunAloneWithoutClusterSettings() {
        // Given / When
        BrokerConfig config = BrokerConfig.defaults();

        // Then
        assertTrue(!config.clustered());
        assertTrue(config.clusterSeeds().isEmpty());
        assertEquals("skua", config.clusterName());
        assertTrue(!config.uncleanLeaderElectionEnable());
    }

    @Test
    void shouldParseClusterSettings() {
        // Given / When
        BrokerConfig config = BrokerConfig.of(Map.of("cluster.bind", "127.0.0.1:7800",
                "cluster.seeds", "127.0.0.1:7800, 127.0.0.1:7801,[::1]:7802", "cluster.name", "prod-1"));

        // Then
        assertTrue(config.clustered());
        assertEquals(new HostPort("127.0.0.1", 7800), config.clusterBind());
        assertEquals(java.util.List.of(new HostPort("127.0.0.1", 7800), new HostPort("127.0.0.1", 7801),
                new HostPort("::1", 7802)), config.clusterSeeds());
        assertEquals("prod-1", config.clusterName());
    }

    @Test
    void shouldRejectInvalidClusterSettings() {
        for (Map<String, String> bad : java.util.List.of(
                Map.of("cluster.bind", "127.0.0.1"),
                Map.of("cluster.bind", "127.0.0.1:0"),
                Map.of("cluster.bind", "127.0.0.1:70000"),
                Map.of("cluster.bind", ":7800"),
                Map.of("cluster.bind", "127.0.0.1:7800", "cluster.seeds", "127.0.0.1:x"),
                Map.of("cluster.seeds", "127.0.0.1:7800"),
                Map.of("cluster.bind", "127.0.0.1:7800", "cluster.name", "no spaces"))) {
            ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.of(bad), bad.toString());
            assertTrue(e.getMessage().contains("cluster."), e.getMessage());
        }
    }
}
