package io.skua.protocol;

import io.skua.protocol.SpecModel.Field;
import io.skua.protocol.SpecModel.Spec;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds random Skua messages valid for one version: walks the spec and sets, through the generated
 * setters, every field that exists in that version (nullable ones sometimes null, tagged ones usually set).
 */
final class RandomMessages {
    private static final String[] STRING_PIECES = {"a", "topic", "-", "_", "é", "日本", "\uD83D\uDE00", "", "x.y", "\u0000"};

    private final Random rnd;

    RandomMessages(long seed) {
        this.rnd = new Random(seed);
    }

    ApiMessage create(Spec spec, short version) throws ReflectiveOperationException {
        Class<?> cls = Class.forName("io.skua.protocol.message." + spec.className());
        return (ApiMessage) fill(spec, cls, spec.fields(), version, 0);
    }

    private Object fill(Spec spec, Class<?> cls, List<Field> fields, short version, int depth)
            throws ReflectiveOperationException {
        Object o = cls.getConstructor().newInstance();
        for (Field f : fields) {
            if (!f.presentIn(version)) {
                continue;
            }
            if (f.isTagged() && rnd.nextInt(4) == 0) {
                continue; // keep the default: tagged field not sent
            }
            Object v = value(spec, cls, f, f.type(), f.nullable().contains(version), version, depth);
            setter(cls, f.name()).invoke(o, v);
        }
        return o;
    }

    private Object value(Spec spec, Class<?> owner, Field f, String type, boolean nullable, short version, int depth)
            throws ReflectiveOperationException {
        if (type.startsWith("[]")) {
            if (nullable && rnd.nextInt(5) == 0) {
                return null;
            }
            int n = depth > 3 ? 0 : rnd.nextInt(4);
            List<Object> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(value(spec, owner, f, type.substring(2), false, version, depth + 1));
            }
            return list;
        }
        switch (type) {
            case "int8": return (byte) rnd.nextInt();
            case "int16": return (short) rnd.nextInt();
            case "uint16": return rnd.nextInt(65536);
            case "int32": return rnd.nextInt();
            case "uint32": return rnd.nextLong() & 0xffffffffL;
            case "int64": return rnd.nextLong();
            case "float64": return (rnd.nextDouble() - 0.5) * 1e9;
            case "bool": return rnd.nextBoolean();
            case "uuid": return new Uuid(rnd.nextLong(), rnd.nextLong());
            case "string":
                return nullable && rnd.nextInt(5) == 0 ? null : randomString();
            case "bytes": {
                if (nullable && rnd.nextInt(5) == 0) {
                    return null;
                }
                byte[] b = randomBytes(12);
                return f.zeroCopy() ? ByteBuffer.wrap(b) : b;
            }
            case "records":
                return nullable && rnd.nextInt(4) == 0 ? null : new MemoryRecords(ByteBuffer.wrap(randomBytes(40)));
            default: {
                if (nullable && rnd.nextInt(4) == 0) {
                    return null;
                }
                String outer = Class.forName("io.skua.protocol.message." + spec.className()).getName();
                Class<?> nested = Class.forName(outer + "$" + type);
                List<Field> fields = spec.structs().get(type);
                if (fields == null) {
                    throw new IllegalStateException("Unknown struct " + type + " in " + spec.name());
                }
                return fill(spec, nested, fields, version, depth + 1);
            }
        }
    }

    private String randomString() {
        int pieces = rnd.nextInt(5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            sb.append(STRING_PIECES[rnd.nextInt(STRING_PIECES.length)]);
        }
        return sb.toString();
    }

    private byte[] randomBytes(int max) {
        byte[] b = new byte[rnd.nextInt(max + 1)];
        rnd.nextBytes(b);
        return b;
    }

    static Method setter(Class<?> cls, String fieldName) {
        for (Method m : cls.getMethods()) {
            if (m.getName().equalsIgnoreCase("set" + fieldName) && m.getParameterCount() == 1) {
                return m;
            }
        }
        throw new IllegalStateException("No setter set" + fieldName + " on " + cls.getName());
    }
}
