package io.skua.broker.group;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary layouts of the records in {@code __consumer_offsets}: Kafka's own (OffsetCommitKey/Value,
 * GroupMetadataKey/Value, non-flexible versions), so a log written by Skua reads like Kafka's.
 *
 * <pre>
 * key   := int16 type, then
 *          type 0|1  OffsetCommitKey    group string, topic string, partition int32
 *          type 2    GroupMetadataKey   group string
 * OffsetCommitValue   := int16 version, then
 *          v0,v2  offset int64, metadata string, commitTimestamp int64
 *          v1     offset int64, metadata string, commitTimestamp int64, expireTimestamp int64
 *          v3     offset int64, leaderEpoch int32, metadata string, commitTimestamp int64
 * GroupMetadataValue  := int16 version (0..3), protocolType string, generation int32, protocol nullable string,
 *          leader nullable string, [v2+] currentStateTimestamp int64, members int32 count, each:
 *          memberId string, [v3+] groupInstanceId nullable string, clientId string, clientHost string,
 *          [v1+] rebalanceTimeout int32, sessionTimeout int32, subscription bytes, assignment bytes
 * string := int16 length (-1 = null) + UTF-8;  bytes := int32 length + bytes
 * </pre>
 * Skua writes OffsetCommitKey type 1, OffsetCommitValue v3 (v1 when the commit carries its own retention),
 * GroupMetadataValue v3. A null value is a tombstone.
 */
final class GroupRecords {
    static final short OFFSET_KEY_TYPE = 1;
    static final short GROUP_KEY_TYPE = 2;

    private GroupRecords() {
    }

    sealed interface Key permits OffsetKey, GroupKey {
        String group();
    }

    record OffsetKey(String group, String topic, int partition) implements Key {
    }

    record GroupKey(String group) implements Key {
    }

    /** @param expireTimestamp -1 when absent (only v1 carries it) */
    record OffsetValue(long offset, int leaderEpoch, String metadata, long commitTimestamp, long expireTimestamp) {
    }

    record MemberValue(String memberId, String groupInstanceId, String clientId, String clientHost,
                       int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }

    /** @param protocol nullable, @param leader nullable */
    record GroupValue(String protocolType, int generation, String protocol, String leader,
                      long currentStateTimestamp, List<MemberValue> members) {
    }

    static final class CorruptRecordException extends RuntimeException {
        CorruptRecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ---- encoding

    static byte[] offsetKey(String group, String topic, int partition) {
        Writer w = new Writer();
        w.int16(OFFSET_KEY_TYPE).string(group).string(topic).int32(partition);
        return w.bytes();
    }

    static byte[] groupKey(String group) {
        Writer w = new Writer();
        w.int16(GROUP_KEY_TYPE).string(group);
        return w.bytes();
    }

    static byte[] offsetValue(OffsetValue v) {
        Writer w = new Writer();
        if (v.expireTimestamp() >= 0) {
            w.int16((short) 1).int64(v.offset()).string(v.metadata()).int64(v.commitTimestamp()).int64(v.expireTimestamp());
        } else {
            w.int16((short) 3).int64(v.offset()).int32(v.leaderEpoch()).string(v.metadata()).int64(v.commitTimestamp());
        }
        return w.bytes();
    }

    static byte[] groupValue(GroupValue v) {
        Writer w = new Writer();
        w.int16((short) 3).string(v.protocolType()).int32(v.generation()).string(v.protocol()).string(v.leader())
                .int64(v.currentStateTimestamp()).int32(v.members().size());
        for (MemberValue m : v.members()) {
            w.string(m.memberId()).string(m.groupInstanceId()).string(m.clientId()).string(m.clientHost())
                    .int32(m.rebalanceTimeoutMs()).int32(m.sessionTimeoutMs()).bytes(m.subscription()).bytes(m.assignment());
        }
        return w.bytes();
    }

    // ---- decoding

    static Key readKey(byte[] key) {
        try {
            ByteBuffer b = ByteBuffer.wrap(key);
            short type = b.getShort();
            return switch (type) {
                case 0, 1 -> new OffsetKey(string(b), string(b), b.getInt());
                case 2 -> new GroupKey(string(b));
                default -> throw new CorruptRecordException("unknown key type " + type, null);
            };
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptRecordException("truncated key", e);
        }
    }

    static OffsetValue readOffsetValue(byte[] value) {
        try {
            ByteBuffer b = ByteBuffer.wrap(value);
            short version = b.getShort();
            return switch (version) {
                case 0, 2 -> new OffsetValue(b.getLong(), -1, string(b), b.getLong(), -1);
                case 1 -> new OffsetValue(b.getLong(), -1, string(b), b.getLong(), b.getLong());
                case 3 -> {
                    long offset = b.getLong();
                    int epoch = b.getInt();
                    yield new OffsetValue(offset, epoch, string(b), b.getLong(), -1);
                }
                default -> throw new CorruptRecordException("unsupported OffsetCommitValue version " + version, null);
            };
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptRecordException("truncated OffsetCommitValue", e);
        }
    }

    static GroupValue readGroupValue(byte[] value) {
        try {
            ByteBuffer b = ByteBuffer.wrap(value);
            short version = b.getShort();
            if (version < 0 || version > 3) {
                throw new CorruptRecordException("unsupported GroupMetadataValue version " + version, null);
            }
            String protocolType = string(b);
            int generation = b.getInt();
            String protocol = string(b);
            String leader = string(b);
            long stateTs = version >= 2 ? b.getLong() : -1;
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) {
                throw new CorruptRecordException("bad member count " + n, null);
            }
            List<MemberValue> members = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String memberId = string(b);
                String instanceId = version >= 3 ? string(b) : null;
                String clientId = string(b);
                String clientHost = string(b);
                int sessionTimeout;
                int rebalanceTimeout;
                if (version >= 1) {
                    rebalanceTimeout = b.getInt();
                    sessionTimeout = b.getInt();
                } else {
                    sessionTimeout = b.getInt();
                    rebalanceTimeout = sessionTimeout;
                }
                members.add(new MemberValue(memberId, instanceId, clientId, clientHost, rebalanceTimeout,
                        sessionTimeout, bytes(b), bytes(b)));
            }
            return new GroupValue(protocolType, generation, protocol, leader, stateTs, members);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptRecordException("truncated GroupMetadataValue", e);
        }
    }

    private static String string(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0) {
            return null;
        }
        if (len > b.remaining()) {
            throw new BufferUnderflowException();
        }
        String s = new String(b.array(), b.arrayOffset() + b.position(), len, StandardCharsets.UTF_8);
        b.position(b.position() + len);
        return s;
    }

    private static byte[] bytes(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] out = new byte[len];
        b.get(out);
        return out;
    }

    private static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(128);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        Writer int16(short v) {
            ensure(2);
            buf.putShort(v);
            return this;
        }

        Writer int32(int v) {
            ensure(4);
            buf.putInt(v);
            return this;
        }

        Writer int64(long v) {
            ensure(8);
            buf.putLong(v);
            return this;
        }

        Writer string(String s) {
            if (s == null) {
                return int16((short) -1);
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            if (utf8.length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("string too long: " + utf8.length + " bytes");
            }
            int16((short) utf8.length);
            ensure(utf8.length);
            buf.put(utf8);
            return this;
        }

        Writer bytes(byte[] v) {
            int32(v.length);
            ensure(v.length);
            buf.put(v);
            return this;
        }

        byte[] bytes() {
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        }
    }
}
