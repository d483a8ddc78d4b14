package io.skua.broker.group;

import io.skua.broker.group.GroupRecords.GroupKey;
import io.skua.broker.group.GroupRecords.GroupValue;
import io.skua.broker.group.GroupRecords.MemberValue;
import io.skua.broker.group.GroupRecords.OffsetKey;
import io.skua.broker.group.GroupRecords.OffsetValue;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GroupRecordsTest {

    @Test
    void shouldRoundTripKeys() {
        assertEquals(new OffsetKey("g", "topic", 7), GroupRecords.readKey(GroupRecords.offsetKey("g", "topic", 7)));
        assertEquals(new GroupKey("g"), GroupRecords.readKey(GroupRecords.groupKey("g")));
        // Kafka's key layout: int16 type, then the fields
        ByteBuffer b = ByteBuffer.wrap(GroupRecords.groupKey("ab"));
        assertEquals(2, b.getShort());
        assertEquals(2, b.getShort());
    }

    @Test
    void shouldRoundTripOffsetValuesInVersion3AndVersion1() {
        OffsetValue v3 = new OffsetValue(42, 5, "meta", 1234, -1);
        byte[] bytes = GroupRecords.offsetValue(v3);
        assertEquals(3, ByteBuffer.wrap(bytes).getShort());
        assertEquals(v3, GroupRecords.readOffsetValue(bytes));

        OffsetValue v1 = new OffsetValue(42, -1, "", 1234, 99_999);
        byte[] bytes1 = GroupRecords.offsetValue(v1);
        assertEquals(1, ByteBuffer.wrap(bytes1).getShort());
        assertEquals(v1, GroupRecords.readOffsetValue(bytes1));
    }

    @Test
    void shouldReadKafkaOffsetValueVersion0() {
        byte[] meta = "m".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + 2 + meta.length + 8);
        b.putShort((short) 0).putLong(10).putShort((short) meta.length).put(meta).putLong(77);
        assertEquals(new OffsetValue(10, -1, "m", 77, -1), GroupRecords.readOffsetValue(b.array()));
    }

    @Test
    void shouldRoundTripGroupValue() {
        GroupValue v = new GroupValue("consumer", 3, "range", "m1", 555, List.of(
                new MemberValue("m1", "instance", "client", "/h", 300, 100, new byte[] {1, 2}, new byte[] {3}),
                new MemberValue("m2", null, "client", "/h", 300, 100, new byte[0], new byte[0])));
        GroupValue back = GroupRecords.readGroupValue(GroupRecords.groupValue(v));
        assertEquals("consumer", back.protocolType());
        assertEquals(3, back.generation());
        assertEquals("range", back.protocol());
        assertEquals("m1", back.leader());
        assertEquals(555, back.currentStateTimestamp());
        assertEquals(2, back.members().size());
        assertEquals("instance", back.members().get(0).groupInstanceId());
        assertArrayEquals(new byte[] {1, 2}, back.members().get(0).subscription());
        assertArrayEquals(new byte[] {3}, back.members().get(0).assignment());
        assertNull(back.members().get(1).groupInstanceId());

        GroupValue empty = GroupRecords.readGroupValue(GroupRecords.groupValue(
                new GroupValue("consumer", 4, null, null, 1, List.of())));
        assertNull(empty.protocol());
        assertNull(empty.leader());
    }

    @Test
    void shouldRejectTruncatedAndUnknownRecords() {
        byte[] value = GroupRecords.groupValue(new GroupValue("consumer", 3, "range", "m1", 555, List.of(
                new MemberValue("m1", null, "client", "/h", 300, 100, new byte[] {1, 2}, new byte[] {3}))));
        for (int cut = 0; cut < value.length; cut++) {
            byte[] truncated = Arrays.copyOf(value, cut);
            assertThrows(GroupRecords.CorruptRecordException.class, () -> GroupRecords.readGroupValue(truncated));
        }
        assertThrows(GroupRecords.CorruptRecordException.class,
                () -> GroupRecords.readKey(new byte[] {0, 9, 0, 0}));
        assertThrows(GroupRecords.CorruptRecordException.class,
                () -> GroupRecords.readOffsetValue(new byte[] {0, 4, 0}));
    }
}
