package io.skua.codec.generator;

import io.skua.codec.generator.Spec.Field;
import io.skua.codec.generator.Spec.Kind;
import io.skua.codec.generator.Spec.Type;

/**
 * How the fields of one message map to Java: names, types (boxed in lists), the default value of each field as a Java
 * expression, and the test that a value differs from it. A default the generated code could not express fails
 * generation, naming the message and the field.
 */
final class JavaTypes {
    private final String messageName;

    JavaTypes(String messageName) {
        this.messageName = messageName;
    }

    static String fieldName(Field f) {
        return Character.toLowerCase(f.name().charAt(0)) + f.name().substring(1);
    }

    String javaType(Field f) {
        if (f.type().kind() == Kind.BYTES && f.zeroCopy()) {
            return "ByteBuffer";
        }
        return javaType(f.type());
    }

    String javaType(Type t) {
        return switch (t.kind()) {
            case INT8 -> "byte";
            case INT16 -> "short";
            case UINT16, INT32 -> "int";
            case UINT32, INT64 -> "long";
            case FLOAT64 -> "double";
            case BOOL -> "boolean";
            case STRING -> "String";
            case BYTES -> "byte[]";
            case UUID -> "Uuid";
            case RECORDS -> "Records";
            case STRUCT -> t.structName();
            case ARRAY -> "List<" + boxed(t.element()) + ">";
        };
    }

    String boxed(Type t) {
        return switch (t.kind()) {
            case INT8 -> "Byte";
            case INT16 -> "Short";
            case UINT16, INT32 -> "Integer";
            case UINT32, INT64 -> "Long";
            case FLOAT64 -> "Double";
            case BOOL -> "Boolean";
            default -> javaType(t);
        };
    }

    String defaultValue(Field f) {
        String d = f.defaultValue();
        Type t = f.type();
        boolean isNull = "null".equals(d);
        if (isNull && f.nullableVersions().isEmpty()) {
            throw new IllegalArgumentException(messageName + "." + f.name() + ": null default but never nullable");
        }
        switch (t.kind()) {
            case INT8:
                return "(byte) " + intDefault(f, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case INT16:
                return "(short) " + intDefault(f, Short.MIN_VALUE, Short.MAX_VALUE);
            case UINT16:
                return Long.toString(intDefault(f, 0, 65535));
            case INT32:
                return Long.toString(intDefault(f, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case UINT32:
                return intDefault(f, 0, 0xffffffffL) + "L";
            case INT64:
                return intDefault(f, Long.MIN_VALUE, Long.MAX_VALUE) + "L";
            case FLOAT64:
                return d == null ? "0.0" : Double.toString(Double.parseDouble(d));
            case BOOL:
                if (d == null || d.isEmpty()) {
                    return "false";
                }
                if (d.equalsIgnoreCase("true") || d.equalsIgnoreCase("false")) {
                    return d.toLowerCase();
                }
                throw new IllegalArgumentException(messageName + "." + f.name() + ": bad bool default " + d);
            case STRING:
                return isNull ? "null" : d == null ? "\"\"" : javaString(d);
            case BYTES:
                if (isNull) {
                    return "null";
                }
                requireEmptyDefault(f);
                return f.zeroCopy() ? "ByteUtils.EMPTY_BUFFER" : "ByteUtils.EMPTY_BYTES";
            case UUID:
                return d == null || d.isEmpty() ? "Uuid.ZERO" : "Uuid.fromString(" + javaString(d) + ")";
            case RECORDS:
                return "null";
            case STRUCT:
                if (isNull) {
                    return "null";
                }
                requireEmptyDefault(f);
                return "new " + t.structName() + "()";
            case ARRAY:
                if (isNull) {
                    return "null";
                }
                requireEmptyDefault(f);
                return "new ArrayList<>(0)";
            default:
                throw new IllegalStateException();
        }
    }

    /** A Java boolean expression that holds when {@code v} differs from the field's default. */
    String nonDefault(Field f, String v) {
        String d = f.defaultValue();
        boolean isNull = "null".equals(d);
        return switch (f.type().kind()) {
            case INT8, INT16, UINT16, INT32, UINT32, INT64, BOOL -> v + " != " + defaultValue(f);
            case FLOAT64 -> "Double.compare(" + v + ", " + defaultValue(f) + ") != 0";
            case STRING -> isNull ? v + " != null" : "!" + defaultValue(f) + ".equals(" + v + ")";
            case UUID -> "!" + defaultValue(f) + ".equals(" + v + ")";
            case BYTES -> isNull ? v + " != null"
                    : "(" + v + " == null || " + (f.zeroCopy() ? v + ".hasRemaining())" : v + ".length != 0)");
            case RECORDS -> v + " != null";
            case STRUCT -> isNull ? v + " != null" : "!" + f.type().structName() + ".DEFAULT_INSTANCE.equals(" + v + ")";
            case ARRAY -> isNull ? v + " != null" : "(" + v + " == null || !" + v + ".isEmpty())";
        };
    }

    private long intDefault(Field f, long min, long max) {
        String d = f.defaultValue();
        if (d == null || d.isEmpty()) {
            return 0;
        }
        long v;
        try {
            v = Long.decode(d);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(messageName + "." + f.name() + ": bad integer default " + d, e);
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(messageName + "." + f.name() + ": default " + d + " out of range");
        }
        return v;
    }

    private void requireEmptyDefault(Field f) {
        String d = f.defaultValue();
        if (d != null && !d.isEmpty()) {
            throw new IllegalArgumentException(messageName + "." + f.name() + ": unsupported default " + d);
        }
    }

    private static String javaString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
