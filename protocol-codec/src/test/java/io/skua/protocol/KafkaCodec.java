package io.skua.protocol;

import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** kafka-clients' own generated classes, used as the reference encoder/decoder. */
final class KafkaCodec {
    private KafkaCodec() {
    }

    /** Kafka names request, response and header classes {@code <name>Data}, and "data" specs just {@code <name>}. */
    static Class<?> kafkaClass(SpecModel.Spec spec) throws ClassNotFoundException {
        String suffix = spec.type().equals("data") ? "" : "Data";
        return Class.forName("org.apache.kafka.common.message." + spec.name() + suffix);
    }

    static Message read(SpecModel.Spec spec, byte[] bytes, short version) throws ReflectiveOperationException {
        String specName = spec.name();
        Class<?> cls = kafkaClass(spec);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        Message m = (Message) cls.getConstructor(org.apache.kafka.common.protocol.Readable.class, short.class)
                .newInstance(new ByteBufferAccessor(buf), version);
        if (buf.hasRemaining()) {
            throw new AssertionError("Kafka left " + buf.remaining() + " bytes unread in " + specName + " v" + version);
        }
        return m;
    }

    static byte[] write(Message m, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = m.size(cache, version);
        ByteBuffer buf = ByteBuffer.allocate(size);
        m.write(new ByteBufferAccessor(buf), cache, version);
        if (buf.hasRemaining()) {
            throw new AssertionError("Kafka size " + size + " but wrote " + buf.position());
        }
        return buf.array();
    }

    static byte[] skuaBytes(ApiMessage m, short version) {
        ByteBuffer buf = ByteBufferWriter.serialize(m, version);
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
    }

    static <T extends ApiMessage> T skuaRead(T m, byte[] bytes, short version) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        m.read(new ByteBufferReader(buf), version);
        if (buf.hasRemaining()) {
            throw new AssertionError("Skua left " + buf.remaining() + " bytes unread in "
                    + m.getClass().getSimpleName() + " v" + version);
        }
        return m;
    }
}
