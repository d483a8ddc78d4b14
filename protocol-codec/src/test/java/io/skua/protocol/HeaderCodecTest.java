package io.skua.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.skua.protocol.message.RequestHeaderData;
import io.skua.protocol.message.ResponseHeaderData;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.junit.jupiter.api.Test;

class HeaderCodecTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static RequestHeaderData header(String clientId) {
        return new RequestHeaderData().setRequestApiKey((short) 18).setRequestApiVersion((short) 3)
                .setCorrelationId(7).setClientId(clientId);
    }

    @Test
    void shouldWriteRequestHeaderV1WithInt16ClientIdAndNoTaggedFields() {
        byte[] bytes = KafkaCodec.skuaBytes(header("cli"), (short) 1);

        assertArrayEquals(hex("0012 0003 00000007 0003 636c69"), bytes);
    }

    @Test
    void shouldWriteRequestHeaderV2WithInt16ClientIdAndEmptyTaggedFields() {
        // ClientId keeps the 2-byte length even in the flexible header ("flexibleVersions": "none").
        byte[] bytes = KafkaCodec.skuaBytes(header("cli"), (short) 2);

        assertArrayEquals(hex("0012 0003 00000007 0003 636c69 00"), bytes);
    }

    @Test
    void shouldWriteNullClientIdAsMinusOne() {
        assertArrayEquals(hex("0012 0003 00000007 ffff 00"), KafkaCodec.skuaBytes(header(null), (short) 2));
        RequestHeaderData read = KafkaCodec.skuaRead(new RequestHeaderData(), hex("0012 0003 00000007 ffff 00"),
                (short) 2);
        assertNull(read.clientId());
    }

    @Test
    void shouldMatchKafkaRequestHeaders() {
        for (short v = 1; v <= 2; v++) {
            org.apache.kafka.common.message.RequestHeaderData kafka = new org.apache.kafka.common.message.RequestHeaderData()
                    .setRequestApiKey((short) 18).setRequestApiVersion((short) 3).setCorrelationId(7).setClientId("cli");
            assertArrayEquals(KafkaCodec.write(kafka, v), KafkaCodec.skuaBytes(header("cli"), v), "v" + v);
            RequestHeaderData read = KafkaCodec.skuaRead(new RequestHeaderData(), KafkaCodec.write(kafka, v), v);
            assertEquals(header("cli"), read);
        }
    }

    @Test
    void shouldNotSupportRequestHeaderV0BecauseKafka4RemovedIt() {
        // RequestHeader.json 4.3.1: "validVersions": "1-2" (v0 only served ControlledShutdown v0, removed in 4.0).
        assertThrows(ProtocolException.class, () -> KafkaCodec.skuaBytes(header("cli"), (short) 0));
        assertThrows(ProtocolException.class,
                () -> new RequestHeaderData().read(new ByteBufferReader(ByteBuffer.wrap(hex("0012 0003 00000007"))), (short) 0));
    }

    @Test
    void shouldWriteResponseHeaders() {
        ResponseHeaderData h = new ResponseHeaderData().setCorrelationId(0x01020304);

        assertArrayEquals(hex("01020304"), KafkaCodec.skuaBytes(h, (short) 0));
        assertArrayEquals(hex("01020304 00"), KafkaCodec.skuaBytes(h, (short) 1));
        for (short v = 0; v <= 1; v++) {
            org.apache.kafka.common.message.ResponseHeaderData kafka =
                    new org.apache.kafka.common.message.ResponseHeaderData().setCorrelationId(0x01020304);
            assertArrayEquals(KafkaCodec.write(kafka, v), KafkaCodec.skuaBytes(h, v));
        }
    }

    @Test
    void shouldSkipUnknownTaggedFieldsAndNotWriteThemBack() {
        // correlation id, 1 tagged field: tag 99, 3 bytes.
        byte[] withUnknown = hex("01020304 01 63 03 aabbcc");

        ResponseHeaderData h = KafkaCodec.skuaRead(new ResponseHeaderData(), withUnknown, (short) 1);

        assertEquals(0x01020304, h.correlationId());
        assertArrayEquals(hex("01020304 00"), KafkaCodec.skuaBytes(h, (short) 1));
        // Kafka reads the same bytes the same way.
        new org.apache.kafka.common.message.ResponseHeaderData(new ByteBufferAccessor(ByteBuffer.wrap(withUnknown)), (short) 1);
    }

    @Test
    void shouldComputeHeaderVersionsLikeKafkaForEveryApiAndVersion() {
        int checked = 0;
        for (ApiKey api : ApiKey.values()) {
            org.apache.kafka.common.protocol.ApiKeys kafka = org.apache.kafka.common.protocol.ApiKeys.forId(api.id());
            assertEquals(kafka.messageType.lowestSupportedVersion(), api.lowestVersion(), api.name());
            assertEquals(kafka.messageType.highestSupportedVersion(true), api.highestVersion(), api.name());
            assertEquals(kafka.name(), api.name());
            for (short v = api.lowestVersion(); v <= api.highestVersion(); v++) {
                assertEquals(kafka.requestHeaderVersion(v), api.requestHeaderVersion(v), api + " v" + v);
                assertEquals(kafka.responseHeaderVersion(v), api.responseHeaderVersion(v), api + " v" + v);
                assertEquals(kafka.messageType.requestHeaderVersion(v) == 2, api.isFlexibleRequest(v), api + " v" + v);
                checked++;
            }
            assertEquals(api, ApiKey.forId(api.id()));
            assertEquals(api.id(), api.newRequest().apiKey());
            assertEquals(api.id(), api.newResponse().apiKey());
        }
        // Kafka keeps removed APIs (LeaderAndIsr, StopReplica, UpdateMetadata, ControlledShutdown) with an empty
        // version range; Skua leaves them out, as it has no classes for them.
        long kafkaApisWithVersions = java.util.Arrays.stream(org.apache.kafka.common.message.ApiMessageType.values())
                .filter(t -> t.highestSupportedVersion(true) >= t.lowestSupportedVersion()).count();
        assertEquals(kafkaApisWithVersions, ApiKey.values().length);
        assertEquals(0, ApiKey.API_VERSIONS.responseHeaderVersion((short) 4));
        assertNull(ApiKey.forId((short) -1));
        assertNull(ApiKey.forId((short) 32000));
        assertNull(ApiKey.forId((short) 7)); // ControlledShutdown: removed, validVersions "none"
        System.out.println("header versions checked for " + checked + " (api, version) pairs");
    }
}
