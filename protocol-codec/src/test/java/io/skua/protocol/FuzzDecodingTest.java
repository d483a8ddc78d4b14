package io.skua.protocol;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Corrupted input must either decode or fail with ProtocolException; nothing else may escape. */
class FuzzDecodingTest {
    @Test
    void shouldOnlyEverThrowProtocolExceptionOnCorruptedInput() throws Exception {
        Random rnd = new Random(42);
        int decoded = 0;
        int rejected = 0;
        for (SpecModel.Spec spec : SpecModel.load()) {
            if (spec.validVersions().isEmpty()) {
                continue;
            }
            for (short v = (short) spec.validVersions().lo(); v <= spec.validVersions().hi(); v++) {
                for (int i = 0; i < 40; i++) {
                    ApiMessage m = new RandomMessages(rnd.nextLong()).create(spec, v);
                    byte[] bytes = KafkaCodec.skuaBytes(m, v);
                    if (i % 4 == 0 || bytes.length == 0) {
                        bytes = new byte[rnd.nextInt(64)];
                        rnd.nextBytes(bytes);
                    } else {
                        for (int flips = 1 + rnd.nextInt(3); flips > 0; flips--) {
                            int pos = rnd.nextInt(bytes.length);
                            bytes[pos] = rnd.nextInt(3) == 0 ? (byte) 0xff : (byte) (bytes[pos] ^ (1 << rnd.nextInt(8)));
                        }
                    }
                    ApiMessage target = m.getClass().getConstructor().newInstance();
                    try {
                        target.read(new ByteBufferReader(ByteBuffer.wrap(bytes)), v);
                        decoded++;
                    } catch (ProtocolException e) {
                        rejected++;
                    } catch (RuntimeException | Error e) {
                        fail(spec.name() + " v" + v + " threw " + e + " on " + java.util.HexFormat.of().formatHex(bytes), e);
                    }
                }
            }
        }
        System.out.println("fuzzed decoding: " + decoded + " decoded, " + rejected + " rejected with ProtocolException");
    }
}
