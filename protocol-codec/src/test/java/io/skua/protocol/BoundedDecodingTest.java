package io.skua.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.skua.protocol.message.FetchRequestData;
import io.skua.protocol.message.ListOffsetsResponseData;
import io.skua.protocol.message.MetadataRequestData;
import io.skua.protocol.message.ProduceRequestData;
import io.skua.protocol.message.RequestHeaderData;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedDecodingTest {
    private static ByteBufferReader reader(String hex) {
        return new ByteBufferReader(ByteBuffer.wrap(HexFormat.of().parseHex(hex.replace(" ", ""))));
    }

    @Test
    void shouldRejectHugeArrayCountBeforeAllocating() {
        // MetadataRequest v4: Topics is a classic array, int32 count 1_000_000_000, then 10 bytes.
        ByteBufferReader r = reader("3b9aca00 00000000000000000000");

        ProtocolException e = assertTimeoutPreemptively(Duration.ofSeconds(1),
                () -> assertThrows(ProtocolException.class, () -> new MetadataRequestData().read(r, (short) 4)));
        assertEquals(true, e.getMessage().contains("1000000000"), e.getMessage());
    }

    @Test
    void shouldRejectHugeCompactArrayCountBeforeAllocating() {
        // MetadataRequest v12: compact array, unsigned varint 1_000_000_001 (count + 1), then 10 bytes.
        ByteBuffer buf = ByteBuffer.allocate(15);
        new ByteBufferWriter(buf).writeUnsignedVarint(1_000_000_001);
        buf.position(buf.position() + 10).flip();

        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> assertThrows(ProtocolException.class,
                () -> new MetadataRequestData().read(new ByteBufferReader(buf), (short) 12)));
    }

    @Test
    void shouldRejectStringLongerThanRemainingBytes() {
        // RequestHeader v1 with a client id claiming 0x7fff bytes.
        assertThrows(ProtocolException.class,
                () -> new RequestHeaderData().read(reader("0012 0003 00000007 7fff 6162"), (short) 1));
    }

    @Test
    void shouldRejectNegativeLengthsThatAreNotTheNullMarker() {
        assertThrows(ProtocolException.class,
                () -> new RequestHeaderData().read(reader("0012 0003 00000007 fffe"), (short) 1));
        assertThrows(ProtocolException.class,
                () -> new MetadataRequestData().read(reader("fffffffe 00"), (short) 4));
    }

    @Test
    void shouldRejectNullForNonNullableArray() {
        // MetadataRequest Topics is nullable from v1 only.
        assertThrows(ProtocolException.class, () -> new MetadataRequestData().read(reader("ffffffff"), (short) 0));
        MetadataRequestData nullTopics = new MetadataRequestData();
        nullTopics.read(reader("ffffffff 01"), (short) 4);
        assertEquals(null, nullTopics.topics());
    }

    @Test
    void shouldRejectHugeRecordsLength() {
        // ProduceRequest v3: transactional id null, acks 1, timeout, 1 topic "t", 1 partition, records length 2^30.
        ByteBufferReader r = reader("ffff 0001 00000064 00000001 0001 74 00000001 00000000 40000000 0000");

        assertThrows(ProtocolException.class, () -> new ProduceRequestData().read(r, (short) 3));
    }

    @Test
    void shouldRejectOverlongVarint() {
        assertThrows(ProtocolException.class, () -> reader("ffffffffff01").readUnsignedVarint());
        assertThrows(ProtocolException.class, () -> reader("ffffffffffffffffffff01").readVarlong());
    }

    @Test
    void shouldThrowProtocolExceptionForEveryTruncationOfAValidMessage() throws Exception {
        int truncations = 0;
        for (SpecModel.Spec spec : SpecModel.load()) {
            if (spec.validVersions().isEmpty()) {
                continue;
            }
            for (short v = (short) spec.validVersions().lo(); v <= spec.validVersions().hi(); v++) {
                ApiMessage m = new RandomMessages(v * 7919L + spec.name().hashCode()).create(spec, v);
                byte[] full = KafkaCodec.skuaBytes(m, v);
                for (int len = 0; len < full.length; len++) {
                    ByteBuffer prefix = ByteBuffer.wrap(full, 0, len).slice();
                    ApiMessage target = m.getClass().getConstructor().newInstance();
                    short version = v;
                    assertThrows(ProtocolException.class, () -> target.read(new ByteBufferReader(prefix), version),
                            () -> spec.name() + " v" + version + " truncated to " + prefix.capacity() + " bytes");
                    truncations++;
                }
            }
        }
        System.out.println("truncated-input decoding checked " + truncations + " prefixes");
    }

    @Test
    void shouldThrowWhenWritingNonIgnorableFieldAtVersionWithoutIt() {
        // AllowAutoTopicCreation: versions 4+, default true, not ignorable.
        MetadataRequestData m = new MetadataRequestData().setAllowAutoTopicCreation(false);

        assertThrows(ProtocolException.class, () -> KafkaCodec.skuaBytes(m, (short) 3));
    }

    @Test
    void shouldDropResponseFieldsTheVersionLacks() {
        // LeaderEpoch: versions 4+, not ignorable; a broker answering v1 must still answer.
        ListOffsetsResponseData withEpoch = new ListOffsetsResponseData().setTopics(List.of(
                new ListOffsetsResponseData.ListOffsetsTopicResponse().setName("t").setPartitions(List.of(
                        new ListOffsetsResponseData.ListOffsetsPartitionResponse().setOffset(5).setLeaderEpoch(3)))));
        ListOffsetsResponseData plain = new ListOffsetsResponseData().setTopics(List.of(
                new ListOffsetsResponseData.ListOffsetsTopicResponse().setName("t").setPartitions(List.of(
                        new ListOffsetsResponseData.ListOffsetsPartitionResponse().setOffset(5)))));

        assertArrayEquals(KafkaCodec.skuaBytes(plain, (short) 1), KafkaCodec.skuaBytes(withEpoch, (short) 1));
    }

    @Test
    void shouldDropIgnorableFieldAtVersionWithoutIt() {
        // ClusterId: tagged, versions 12+, ignorable.
        FetchRequestData withClusterId = new FetchRequestData().setClusterId("c1");
        FetchRequestData plain = new FetchRequestData();

        assertArrayEquals(KafkaCodec.skuaBytes(plain, (short) 11), KafkaCodec.skuaBytes(withClusterId, (short) 11));
    }

    @Test
    void shouldRejectUnsupportedVersions() {
        assertThrows(ProtocolException.class, () -> KafkaCodec.skuaBytes(new ProduceRequestData(), (short) 2));
        assertThrows(ProtocolException.class, () -> new ProduceRequestData().read(reader("00"), (short) 99));
    }
}
