package io.skua.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ApiVersions as KIP-511 and KIP-896 shape it, checked on raw sockets. */
class ApiVersionsTest {
    /** What the broker serves; anything else must be neither advertised nor answered. */
    static final Set<ApiKeys> SERVED = Set.of(ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.METADATA,
            ApiKeys.API_VERSIONS, ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS, ApiKeys.INIT_PRODUCER_ID,
            ApiKeys.OFFSET_FOR_LEADER_EPOCH, ApiKeys.DESCRIBE_CONFIGS, ApiKeys.ALTER_CONFIGS,
            ApiKeys.CREATE_PARTITIONS, ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.DESCRIBE_CLUSTER,
            // consumer groups (classic protocol)
            ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP,
            ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.LIST_GROUPS, ApiKeys.DESCRIBE_GROUPS,
            ApiKeys.DELETE_GROUPS, ApiKeys.OFFSET_DELETE,
            // admin surface
            ApiKeys.DELETE_RECORDS, ApiKeys.DESCRIBE_LOG_DIRS, ApiKeys.DESCRIBE_PRODUCERS, ApiKeys.ELECT_LEADERS,
            ApiKeys.LIST_PARTITION_REASSIGNMENTS, ApiKeys.DESCRIBE_TOPIC_PARTITIONS);

    @RegisterExtension
    final EmbeddedSkua skua = EmbeddedSkua.perTest();

    @Test
    void shouldAnswerAnUnknownApiVersionsVersionWithTheListInVersion0() throws Exception {
        byte[] answer;
        try (RawKafka raw = new RawKafka(skua)) {
            answer = raw.sendFrame(header(ApiKeys.API_VERSIONS.id, 99, 42));
        }
        ByteBuffer buf = ByteBuffer.wrap(answer);
        assertEquals(42, buf.getInt(), "response header v0: the correlation id only");
        ApiVersionsResponse response = ApiVersionsResponse.parse(new ByteBufferAccessor(buf), (short) 0);
        assertEquals(Errors.UNSUPPORTED_VERSION.code(), response.data().errorCode());
        assertEquals(0, buf.remaining());

        Set<ApiKeys> advertised = new TreeSet<>();
        for (ApiVersion v : response.data().apiKeys()) {
            ApiKeys key = ApiKeys.forId(v.apiKey());
            advertised.add(key);
            assertTrue(v.maxVersion() <= key.latestVersion() && v.minVersion() <= v.maxVersion(), key.name);
            if (key != ApiKeys.PRODUCE) {
                assertTrue(v.minVersion() >= key.oldestVersion(), key.name + " below what Kafka 4 serves");
            }
        }
        assertEquals(new TreeSet<>(SERVED), advertised);
        ApiVersion produce = response.data().apiKeys().find(ApiKeys.PRODUCE.id);
        assertEquals(0, produce.minVersion(), "librdkafka needs Produce from 0 (KAFKA-18659)");
    }

    @Test
    void shouldCloseOnlyTheConnectionThatSentARemovedOrUnservedRequest() throws Exception {
        try (var producer = Clients.producer(skua, new Properties())) {
            producer.send(new ProducerRecord<>("steady", 0, null, "before".getBytes())).get();
            // Produce v2 is advertised (from 0) but removed by KIP-896: that connection is closed
            try (RawKafka raw = new RawKafka(skua)) {
                assertTrue(raw.closedAfter(header(ApiKeys.PRODUCE.id, 2, 1)));
            }
            // An API the broker does not serve (AddPartitionsToTxn: no transactions) is not answered either
            try (RawKafka raw = new RawKafka(skua)) {
                assertTrue(raw.closedAfter(header(ApiKeys.ADD_PARTITIONS_TO_TXN.id, 3, 1)));
            }
            // The producer's own connection is unharmed
            assertEquals(1L, producer.send(new ProducerRecord<>("steady", 0, null, "after".getBytes())).get().offset());
        }
    }

    /** A request header v1 (key, version, correlation id, client id "raw") with an empty body. */
    private static byte[] header(short apiKey, int version, int correlationId) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeShort(apiKey);
        out.writeShort(version);
        out.writeInt(correlationId);
        out.writeShort(3);
        out.writeBytes("raw");
        return bytes.toByteArray();
    }
}
