package io.skua.codec.generator;

import static io.skua.codec.generator.JavaTypes.fieldName;

import io.skua.codec.generator.Spec.Field;
import io.skua.codec.generator.Spec.Message;
import io.skua.codec.generator.Spec.Struct;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Emits one Java class for one message spec: the message itself plus every struct it uses, as public
 * static nested classes. The code checks versions at run time ({@code if (_version >= 3)}), with the
 * conditions simplified against the message's valid versions ({@link VersionConditions}), and never reflects.
 * This class lays out the classes (fields, constructors, accessors, equals/hashCode/toString); {@link WireMethods}
 * emits read, write and size, and {@link JavaTypes} maps the spec's types and defaults to Java.
 */
final class MessageGenerator {
    static final String PACKAGE = "io.skua.protocol.message";

    private final Message msg;
    /** Every struct of the message by name, in declaration order (depth first). */
    private final Map<String, Struct> structs = new LinkedHashMap<>();
    private final CodeWriter cw = new CodeWriter();
    private final JavaTypes types;
    private final WireMethods wire;

    MessageGenerator(Message msg) {
        this.msg = msg;
        this.types = new JavaTypes(msg.name());
        this.wire = new WireMethods(msg, cw, new VersionConditions(msg.validVersions(), msg.flexibleVersions()), types);
        for (Struct s : msg.commonStructs()) {
            structs.put(s.name(), s);
        }
        collectStructs(msg.fields());
        checkStructsResolved(msg.fields());
    }

    private void collectStructs(List<Field> fields) {
        for (Field f : fields) {
            if (f.fields() != null) {
                String name = f.structName();
                if (name == null) {
                    throw new IllegalArgumentException(msg.name() + "." + f.name() + ": fields on a non-struct type");
                }
                if (structs.containsKey(name)) {
                    throw new IllegalArgumentException(msg.name() + ": struct " + name + " declared twice");
                }
                structs.put(name, new Struct(name, f.versions(), f.fields()));
                collectStructs(f.fields());
            }
        }
    }

    private void checkStructsResolved(List<Field> fields) {
        for (Field f : fields) {
            String name = f.structName();
            if (name != null && !structs.containsKey(name)) {
                throw new IllegalArgumentException(msg.name() + "." + f.name() + ": unknown struct " + name);
            }
        }
        for (Struct s : msg.commonStructs()) {
            for (Field f : s.fields()) {
                String name = f.structName();
                if (name != null && !structs.containsKey(name)) {
                    throw new IllegalArgumentException(msg.name() + "." + f.name() + ": unknown struct " + name);
                }
            }
        }
    }

    String generate() {
        cw.line("package " + PACKAGE + ";");
        cw.blank();
        cw.line("import io.skua.protocol.ApiMessage;");
        cw.line("import io.skua.protocol.ByteUtils;");
        cw.line("import io.skua.protocol.FieldCodec;");
        cw.line("import io.skua.protocol.Readable;");
        cw.line("import io.skua.protocol.Records;");
        cw.line("import io.skua.protocol.Uuid;");
        cw.line("import io.skua.protocol.Writable;");
        cw.line("import java.nio.ByteBuffer;");
        cw.line("import java.util.ArrayList;");
        cw.line("import java.util.Arrays;");
        cw.line("import java.util.List;");
        cw.line("import java.util.Objects;");
        cw.blank();
        cw.line("/**");
        cw.line(" * " + msg.name() + ", versions " + msg.validVersions() + ", flexible " + msg.flexibleVersions() + ".");
        cw.line(" * Generated from Kafka's {@code common/message/" + msg.fileName() + "} by the Skua codec generator;");
        cw.line(" * do not edit.");
        cw.line(" */");
        cw.line("@SuppressWarnings({\"unused\", \"PointlessBooleanExpression\", \"ConstantConditions\"})");
        structClass(msg.className(), msg.fields(), true);
        return cw.toString();
    }

    // ------------------------------------------------------------------ class layout

    private void structClass(String className, List<Field> fields, boolean top) {
        if (top) {
            cw.open("public final class " + className + " implements ApiMessage");
            if (msg.isApi()) {
                cw.line("public static final short API_KEY = " + msg.apiKey() + ";");
            }
            cw.line("public static final short LOWEST_SUPPORTED_VERSION = " + msg.validVersions().lo() + ";");
            cw.line("public static final short HIGHEST_SUPPORTED_VERSION = " + msg.validVersions().hi() + ";");
            cw.blank();
        } else {
            cw.open("public static final class " + className);
            cw.line("/** Compared against, never handed out: tells whether a struct field holds its default. */");
            cw.line("private static final " + className + " DEFAULT_INSTANCE = new " + className + "();");
            cw.blank();
        }
        for (Field f : fields) {
            cw.line("private " + types.javaType(f) + " " + fieldName(f) + ";");
        }
        cw.blank();

        cw.open("public " + className + "()");
        for (Field f : fields) {
            cw.line("this." + fieldName(f) + " = " + types.defaultValue(f) + ";");
        }
        cw.close();
        cw.blank();
        cw.open("public " + className + "(Readable _readable, short _version)");
        cw.line("read(_readable, _version);");
        cw.close();
        cw.blank();

        if (top) {
            cw.line("@Override");
            cw.open("public short apiKey()");
            cw.line("return " + (msg.isApi() ? "API_KEY" : "-1") + ";");
            cw.close();
            cw.blank();
            cw.line("@Override");
            cw.open("public short lowestSupportedVersion()");
            cw.line("return LOWEST_SUPPORTED_VERSION;");
            cw.close();
            cw.blank();
            cw.line("@Override");
            cw.open("public short highestSupportedVersion()");
            cw.line("return HIGHEST_SUPPORTED_VERSION;");
            cw.close();
            cw.blank();
        }

        wire.readMethod(className, fields, top);
        wire.writeMethod(className, fields, top);
        wire.sizeMethod(fields, top);
        accessors(className, fields);
        equalsHashCodeToString(className, fields);

        if (top) {
            for (Struct s : structs.values()) {
                cw.blank();
                structClass(s.name(), s.fields(), false);
            }
        }
        cw.close();
    }

    private void accessors(String className, List<Field> fields) {
        for (Field f : fields) {
            String n = fieldName(f);
            cw.blank();
            cw.open("public " + types.javaType(f) + " " + n + "()");
            cw.line("return this." + n + ";");
            cw.close();
            cw.blank();
            cw.open("public " + className + " set" + Character.toUpperCase(f.name().charAt(0)) + f.name().substring(1) + "(" + types.javaType(f) + " v)");
            cw.line("this." + n + " = v;");
            cw.line("return this;");
            cw.close();
        }
    }

    private void equalsHashCodeToString(String className, List<Field> fields) {
        cw.blank();
        cw.line("@Override");
        cw.open("public boolean equals(Object obj)");
        cw.line("if (this == obj) return true;");
        cw.line("if (!(obj instanceof " + className + ")) return false;");
        if (!fields.isEmpty()) {
            cw.line(className + " other = (" + className + ") obj;");
        }
        for (Field f : fields) {
            String a = "this." + fieldName(f);
            String b = "other." + fieldName(f);
            String differs = switch (types.javaType(f)) {
                case "byte", "short", "int", "long", "boolean" -> a + " != " + b;
                case "double" -> "Double.compare(" + a + ", " + b + ") != 0";
                case "byte[]" -> "!Arrays.equals(" + a + ", " + b + ")";
                default -> "!Objects.equals(" + a + ", " + b + ")";
            };
            cw.line("if (" + differs + ") return false;");
        }
        cw.line("return true;");
        cw.close();
        cw.blank();
        cw.line("@Override");
        cw.open("public int hashCode()");
        cw.line("int h = 0;");
        for (Field f : fields) {
            String a = "this." + fieldName(f);
            String hash = switch (types.javaType(f)) {
                case "byte" -> "Byte.hashCode(" + a + ")";
                case "short" -> "Short.hashCode(" + a + ")";
                case "int" -> a;
                case "long" -> "Long.hashCode(" + a + ")";
                case "boolean" -> "Boolean.hashCode(" + a + ")";
                case "double" -> "Double.hashCode(" + a + ")";
                case "byte[]" -> "Arrays.hashCode(" + a + ")";
                default -> "Objects.hashCode(" + a + ")";
            };
            cw.line("h = 31 * h + " + hash + ";");
        }
        cw.line("return h;");
        cw.close();
        cw.blank();
        cw.line("@Override");
        cw.open("public String toString()");
        StringBuilder sb = new StringBuilder("return \"" + className + "(\"");
        String sep = "";
        for (Field f : fields) {
            String a = "this." + fieldName(f);
            String v = types.javaType(f).equals("byte[]") ? "Arrays.toString(" + a + ")" : a;
            sb.append("\n        + \"").append(sep).append(fieldName(f)).append("=\" + ").append(v);
            sep = ", ";
        }
        sb.append("\n        + \")\";");
        for (String l : sb.toString().split("\n")) {
            cw.line(l);
        }
        cw.close();
    }
}
