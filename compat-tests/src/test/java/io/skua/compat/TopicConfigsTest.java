package io.skua.compat;

import static io.skua.compat.TopicAdminTest.assertCause;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.broker.metadata.TopicConfigs;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigType;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topics and the broker. */
class TopicConfigsTest {
    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest(Map.of(
            "log.segment.bytes", "1048576",
            "log.retention.hours", "48",
            "min.insync.replicas", "1"));
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
    void shouldDescribeEveryTopicConfigWithValueSourceAndSynonyms() throws Exception {
        admin.createTopics(List.of(new NewTopic("described", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")))).all().get();

        Config config = describeTopic("described");

        int known = 0;
        for (TopicConfigs.Def ignored : TopicConfigs.all()) {
            known++;
        }
        assertEquals(known, config.entries().size());
        // Set on the topic
        ConfigEntry policy = config.get("cleanup.policy");
        assertEquals("compact", policy.value());
        assertEquals(ConfigSource.DYNAMIC_TOPIC_CONFIG, policy.source());
        assertEquals(ConfigType.LIST, policy.type());
        assertEquals(List.of("cleanup.policy", "log.cleanup.policy"), names(policy.synonyms()));
        assertEquals(ConfigSource.DYNAMIC_TOPIC_CONFIG, policy.synonyms().get(0).source());
        // Set by the broker's configuration (storage-owned: what the broker's logs run with)
        ConfigEntry segment = config.get("segment.bytes");
        assertEquals("1048576", segment.value());
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, segment.source());
        assertEquals(ConfigType.INT, segment.type());
        ConfigEntry retention = config.get("retention.ms");
        assertEquals(String.valueOf(48 * 3_600_000L), retention.value());
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, retention.source());
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, retention.synonyms().get(0).source());
        assertEquals("log.retention.hours", retention.synonyms().get(0).name());
        assertEquals("48", retention.synonyms().get(0).value());
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, config.get("min.insync.replicas").source());
        // Kafka's defaults
        ConfigEntry maxBytes = config.get("max.message.bytes");
        assertEquals("1048588", maxBytes.value());
        assertEquals(ConfigSource.DEFAULT_CONFIG, maxBytes.source());
        assertTrue(maxBytes.isDefault());
        assertEquals("CreateTime", config.get("message.timestamp.type").value());
        assertEquals("producer", config.get("compression.type").value());
        for (ConfigEntry e : config.entries()) {
            assertEquals(false, e.isReadOnly(), e.name());
            assertEquals(false, e.isSensitive(), e.name());
            assertNull(e.documentation(), e.name());
        }
    }

    @Test
    void shouldFilterConfigurationKeysAndFailForUnknownTopics() throws Exception {
        admin.createTopics(List.of(new NewTopic("filtered", 1, (short) 1))).all().get();
        DescribeConfigsRequestData data = new DescribeConfigsRequestData().setIncludeDocumentation(true);
        data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("filtered")
                .setConfigurationKeys(List.of("retention.bytes", "segment.ms", "no.such.key")));
        try (RawKafka raw = new RawKafka(skua)) {
            DescribeConfigsResponse response = raw.send(new DescribeConfigsRequest(data, (short) 4));
            var result = response.data().results().get(0);
            assertEquals(Errors.NONE.code(), result.errorCode());
            assertEquals(List.of("retention.bytes", "segment.ms"),
                    result.configs().stream().map(c -> c.name()).toList());
            assertTrue(result.configs().get(0).documentation() != null);
        }
        assertCause(UnknownTopicOrPartitionException.class, admin.describeConfigs(
                List.of(new ConfigResource(ConfigResource.Type.TOPIC, "absent"))).all());
    }

    @Test
    void shouldDescribeTheBrokersStaticConfiguration() throws Exception {
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
        Config config = admin.describeConfigs(List.of(broker), new DescribeConfigsOptions().includeSynonyms(true))
                .all().get().get(broker);

        assertEquals("1048576", config.get("log.segment.bytes").value());
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, config.get("log.segment.bytes").source());
        assertEquals("1", config.get("num.partitions").value());
        assertEquals(ConfigSource.DEFAULT_CONFIG, config.get("num.partitions").source());
        assertEquals("true", config.get("auto.create.topics.enable").value());
        assertEquals(ConfigType.BOOLEAN, config.get("auto.create.topics.enable").type());
        assertEquals(skua.dataDir().toString(), config.get("log.dirs").value());
        assertEquals("1", config.get("min.insync.replicas").value());
        for (String name : List.of("node.id", "listeners", "advertised.listeners", "default.replication.factor",
                "message.max.bytes", "log.retention.ms", "log.retention.bytes", "offsets.topic.num.partitions")) {
            assertTrue(config.get(name) != null, name);
        }
        assertTrue(config.entries().stream().allMatch(ConfigEntry::isReadOnly));

        // The Admin client sends a broker's resource to that broker; ask this one about broker 7 directly
        DescribeConfigsRequestData data = new DescribeConfigsRequestData();
        data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName("7"));
        try (RawKafka raw = new RawKafka(skua)) {
            DescribeConfigsResponse response = raw.send(new DescribeConfigsRequest(data, (short) 4));
            assertEquals(Errors.INVALID_REQUEST.code(), response.data().results().get(0).errorCode());
        }
        ConfigResource clusterDefault = new ConfigResource(ConfigResource.Type.BROKER, "");
        assertTrue(admin.describeConfigs(List.of(clusterDefault)).all().get().get(clusterDefault).entries().isEmpty());
    }

    @Test
    void shouldAlterTopicConfigsIncrementallyAndKeepThemAcrossRestart() throws Exception {
        admin.createTopics(List.of(new NewTopic("altered", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact", "retention.bytes", "100000")))).all().get();
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "altered");

        admin.incrementalAlterConfigs(Map.of(topic, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), OpType.APPEND),
                new AlterConfigOp(new ConfigEntry("retention.bytes", null), OpType.DELETE),
                new AlterConfigOp(new ConfigEntry("message.timestamp.type", "LogAppendTime"), OpType.SET),
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "2000"), OpType.SET)))).all().get();

        Config config = describeTopic("altered");
        assertEquals("3600000", config.get("retention.ms").value());
        assertEquals(ConfigSource.DYNAMIC_TOPIC_CONFIG, config.get("retention.ms").source());
        assertEquals("compact,delete", config.get("cleanup.policy").value());
        assertEquals("-1", config.get("retention.bytes").value());
        assertEquals(ConfigSource.DEFAULT_CONFIG, config.get("retention.bytes").source());
        // The partition log runs with the new configs at once
        try (var producer = Clients.producer(skua, new Properties())) {
            var meta = producer.send(new ProducerRecord<>("altered", 0, 1000L, "k".getBytes(), "v".getBytes())).get();
            assertTrue(meta.timestamp() > 1000L, "log append time, not the producer's");
            ExecutionException tooBig = assertThrows(ExecutionException.class, () -> producer.send(
                    new ProducerRecord<>("altered", 0, "k".getBytes(), new byte[5000])).get());
            assertTrue(tooBig.getCause() instanceof RecordTooLargeException, tooBig.getCause().toString());
        }
        admin.incrementalAlterConfigs(Map.of(topic, List.of(
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), OpType.SUBTRACT)))).all().get();

        skua.restart();
        try (Admin again = Admin.create(skua.clientProps())) {
            Config after = again.describeConfigs(List.of(topic)).all().get().get(topic);
            assertEquals("3600000", after.get("retention.ms").value());
            assertEquals("delete", after.get("cleanup.policy").value());
            assertEquals("LogAppendTime", after.get("message.timestamp.type").value());
        }
    }

    @Test
    void shouldRejectInvalidIncrementalAlterationsNamingTheProperty() throws Exception {
        admin.createTopics(List.of(new NewTopic("strict", 1, (short) 1))).all().get();
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "strict");

        assertInvalidConfig("no.such.config", topic, new AlterConfigOp(new ConfigEntry("no.such.config", "1"), OpType.SET));
        assertInvalidConfig("retention.ms", topic, new AlterConfigOp(new ConfigEntry("retention.ms", "soon"), OpType.SET));
        assertInvalidConfig("segment.bytes", topic, new AlterConfigOp(new ConfigEntry("segment.bytes", "1"), OpType.SET));
        assertInvalidConfig("retention.ms", topic, new AlterConfigOp(new ConfigEntry("retention.ms", "1"), OpType.APPEND));
        // validateOnly checks but changes nothing
        admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "1000"),
                OpType.SET))), new AlterConfigsOptions().validateOnly(true)).all().get();
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, describeTopic("strict").get("retention.ms").source());
        // Dynamic broker configs are not supported
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
        assertCause(InvalidRequestException.class, admin.incrementalAlterConfigs(Map.of(broker, List.of(
                new AlterConfigOp(new ConfigEntry("num.partitions", "3"), OpType.SET)))).all());
    }

    @Test
    void shouldReplaceAllTopicOverridesWithLegacyAlterConfigs() throws Exception {
        admin.createTopics(List.of(new NewTopic("legacy", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact", "retention.ms", "5000")))).all().get();

        AlterConfigsRequestData data = new AlterConfigsRequestData();
        AlterConfigsRequestData.AlterConfigsResource resource = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("legacy");
        resource.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("segment.ms").setValue("60000"));
        data.resources().add(resource);
        data.resources().add(new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("absent"));
        AlterConfigsRequestData.AlterConfigsResource bad = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName("1");
        bad.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("num.partitions").setValue("3"));
        data.resources().add(bad);
        try (RawKafka raw = new RawKafka(skua)) {
            AlterConfigsResponse response = raw.send(new AlterConfigsRequest(data, (short) 2));
            var results = response.data().responses();
            assertEquals(Errors.NONE.code(), results.get(0).errorCode());
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), results.get(1).errorCode());
            assertEquals(Errors.INVALID_REQUEST.code(), results.get(2).errorCode());
        }

        Config config = describeTopic("legacy");
        assertEquals("60000", config.get("segment.ms").value());
        assertEquals(ConfigSource.DYNAMIC_TOPIC_CONFIG, config.get("segment.ms").source());
        assertEquals("delete", config.get("cleanup.policy").value());
        assertEquals(ConfigSource.DEFAULT_CONFIG, config.get("cleanup.policy").source());
        assertEquals(ConfigSource.STATIC_BROKER_CONFIG, config.get("retention.ms").source());
    }

    @Test
    void shouldStampLogAppendTimeOnTopicsConfiguredForIt() throws Exception {
        admin.createTopics(List.of(new NewTopic("appended", 1, (short) 1)
                .configs(Map.of("message.timestamp.type", "LogAppendTime")))).all().get();
        long before = System.currentTimeMillis();
        long stamped;
        try (var producer = Clients.producer(skua, new Properties())) {
            stamped = producer.send(new ProducerRecord<>("appended", 0, 1234L, null, "v".getBytes())).get().timestamp();
        }
        assertTrue(stamped >= before && stamped <= System.currentTimeMillis(), "produce response carries the append time");
        try (var consumer = Clients.consumer(skua, new Properties())) {
            var record = Clients.readAll(consumer, new TopicPartition("appended", 0), 0, 1).get(0);
            assertEquals(TimestampType.LOG_APPEND_TIME, record.timestampType());
            assertEquals(stamped, record.timestamp());
        }
    }

    private void assertInvalidConfig(String property, ConfigResource topic, AlterConfigOp op) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> admin.incrementalAlterConfigs(Map.of(topic, List.of(op))).all().get());
        assertTrue(e.getCause() instanceof InvalidConfigurationException, e.getCause().toString());
        assertTrue(e.getCause().getMessage().contains(property), e.getCause().getMessage());
    }

    private Config describeTopic(String name) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        return admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true))
                .all().get().get(resource);
    }

    private static List<String> names(Collection<ConfigEntry.ConfigSynonym> synonyms) {
        List<String> out = new ArrayList<>();
        synonyms.forEach(s -> out.add(s.name()));
        return out;
    }
}
