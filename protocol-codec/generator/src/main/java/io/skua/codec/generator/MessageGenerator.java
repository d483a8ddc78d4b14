package io.skua.codec.generator;

import io.skua.codec.generator.Spec.Field;
import io.skua.codec.generator.Spec.Kind;
import io.skua.codec.generator.Spec.Message;
import io.skua.codec.generator.Spec.Struct;
import io.skua.codec.generator.Spec.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Emits one Java class for one message spec: the message itself plus every struct it uses, as public
 * static nested classes. The code checks versions at run time ({@code if (_version >= 3)}), with the
 * conditions simplified against the message's valid versions, and never reflects.
 */
final class MessageGenerator {
    static final String PACKAGE = "io.skua.protocol.message";

    private final Message msg;
    /** Every struct of the message by name, in declaration order (depth first). */
    private final Map<String, Struct> structs = new LinkedHashMap<>();
    private final CodeWriter cw = new CodeWriter();

    MessageGenerator(Message msg) {
        this.msg = msg;
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
            cw.line("private " + javaType(f) + " " + fieldName(f) + ";");
        }
        cw.blank();

        cw.open("public " + className + "()");
        for (Field f : fields) {
            cw.line("this." + fieldName(f) + " = " + defaultValue(f) + ";");
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

        readMethod(className, fields, top);
        writeMethod(className, fields, top);
        sizeMethod(fields, top);
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
            cw.open("public " + javaType(f) + " " + n + "()");
            cw.line("return this." + n + ";");
            cw.close();
            cw.blank();
            cw.open("public " + className + " set" + Character.toUpperCase(f.name().charAt(0)) + f.name().substring(1) + "(" + javaType(f) + " v)");
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
            String differs = switch (javaType(f)) {
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
            String hash = switch (javaType(f)) {
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
            String v = javaType(f).equals("byte[]") ? "Arrays.toString(" + a + ")" : a;
            sb.append("\n        + \"").append(sep).append(fieldName(f)).append("=\" + ").append(v);
            sep = ", ";
        }
        sb.append("\n        + \")\";");
        for (String l : sb.toString().split("\n")) {
            cw.line(l);
        }
        cw.close();
    }

    // ------------------------------------------------------------------ read

    private void readMethod(String className, List<Field> fields, boolean top) {
        if (top) {
            cw.line("@Override");
        }
        cw.open("public void read(Readable _readable, short _version)");
        if (top) {
            versionCheck();
        }
        List<Field> tagged = new ArrayList<>();
        for (Field f : fields) {
            if (f.isTagged()) {
                tagged.add(f);
                continue;
            }
            String present = cond(f.versions());
            String target = "this." + fieldName(f);
            if (present.equals("true")) {
                readField(f, target, flexible(f), cond(f.nullableVersions()));
            } else if (present.equals("false")) {
                cw.line(target + " = " + defaultValue(f) + ";");
            } else {
                cw.open("if (" + present + ")");
                readField(f, target, flexible(f), cond(f.nullableVersions()));
                cw.reopen("else");
                cw.line(target + " = " + defaultValue(f) + ";");
                cw.close();
            }
        }
        for (Field f : tagged) {
            cw.line("this." + fieldName(f) + " = " + defaultValue(f) + ";");
        }
        String flex = cond(msg.flexibleVersions());
        when(flex, () -> {
            cw.line("int _numTaggedFields = _readable.readUnsignedVarint();");
            cw.open("for (int _t = 0; _t < _numTaggedFields; _t++)");
            cw.line("int _tag = _readable.readUnsignedVarint();");
            cw.line("int _tagSize = _readable.readUnsignedVarint();");
            tagged.sort(Comparator.comparing(Field::tag));
            boolean first = true;
            for (Field f : tagged) {
                String c = and("_tag == " + f.tag(), cond(f.presentVersions()));
                if (first) {
                    cw.open("if (" + c + ")");
                } else {
                    cw.reopen("else if (" + c + ")");
                }
                first = false;
                readField(f, "this." + fieldName(f), "true", cond(f.nullableVersions()));
            }
            if (tagged.isEmpty()) {
                cw.line("FieldCodec.skipTaggedField(_readable, _tagSize);");
            } else {
                cw.reopen("else");
                cw.line("FieldCodec.skipTaggedField(_readable, _tagSize);");
                cw.close();
            }
            cw.close();
        });
        cw.close();
        cw.blank();
    }

    private void readField(Field f, String target, String compact, String nullable) {
        Type t = f.type();
        String name = "\"" + f.name() + "\"";
        switch (t.kind()) {
            case STRUCT -> {
                String ctor = "new " + t.structName() + "(_readable, _version)";
                if (nullable.equals("false")) {
                    cw.line(target + " = " + ctor + ";");
                } else {
                    cw.open("if (" + and(nullable, "_readable.readByte() < 0") + ")");
                    cw.line(target + " = null;");
                    cw.reopen("else");
                    cw.line(target + " = " + ctor + ";");
                    cw.close();
                }
            }
            case ARRAY -> {
                Type e = t.element();
                cw.open("");
                cw.line("int _n = FieldCodec.readArrayLength(_readable, " + compact + ", " + nullable + ", " + name + ");");
                cw.open("if (_n < 0)");
                cw.line(target + " = null;");
                cw.reopen("else");
                cw.line("ArrayList<" + boxed(e) + "> _list = new ArrayList<>(_n);");
                cw.open("for (int _k = 0; _k < _n; _k++)");
                cw.line("_list.add(" + readExpr(e, compact, "false", name, false) + ");");
                cw.close();
                cw.line(target + " = _list;");
                cw.close();
                cw.close();
            }
            default -> cw.line(target + " = " + readExpr(t, compact, nullable, name, f.zeroCopy()) + ";");
        }
    }

    /** An expression reading one non-array value (struct values must not be nullable here). */
    private String readExpr(Type t, String compact, String nullable, String name, boolean zeroCopy) {
        String args = "(_readable, " + compact + ", " + nullable + ", " + name + ")";
        return switch (t.kind()) {
            case INT8 -> "_readable.readByte()";
            case INT16 -> "_readable.readShort()";
            case UINT16 -> "_readable.readShort() & 0xffff";
            case INT32 -> "_readable.readInt()";
            case UINT32 -> "_readable.readInt() & 0xffffffffL";
            case INT64 -> "_readable.readLong()";
            case FLOAT64 -> "_readable.readDouble()";
            case BOOL -> "_readable.readByte() != 0";
            case UUID -> "_readable.readUuid()";
            case STRING -> "FieldCodec.readString" + args;
            case BYTES -> (zeroCopy ? "FieldCodec.readByteBuffer" : "FieldCodec.readBytes") + args;
            case RECORDS -> "FieldCodec.readRecords" + args;
            case STRUCT -> "new " + t.structName() + "(_readable, _version)";
            case ARRAY -> throw new IllegalArgumentException("Arrays of arrays are not supported");
        };
    }

    // ------------------------------------------------------------------ write

    private void writeMethod(String className, List<Field> fields, boolean top) {
        if (top) {
            cw.line("@Override");
        }
        cw.open("public void write(Writable _writable, short _version)");
        if (top) {
            versionCheck();
        }
        List<Field> tagged = new ArrayList<>();
        for (Field f : fields) {
            String present = cond(f.presentVersions());
            if (f.isTagged()) {
                tagged.add(f);
            } else {
                when(present, () -> writeField(f, "this." + fieldName(f), flexible(f), cond(f.nullableVersions())));
            }
            // Responses drop fields their version lacks: a broker answers every version it advertises, and
            // a newer field a handler filled in (a leader epoch, say) is simply not part of the older answer.
            if (!f.ignorable() && !present.equals("true") && !"response".equals(msg.type())) {
                String check = and(not(present), nonDefault(f, "this." + fieldName(f)));
                when(check, () -> cw.line("throw FieldCodec.unsupported(\"" + f.name() + "\", _version);"));
            }
        }
        tagged.sort(Comparator.comparing(Field::tag));
        String flex = cond(msg.flexibleVersions());
        when(flex, () -> {
            if (tagged.isEmpty()) {
                cw.line("_writable.writeUnsignedVarint(0);");
                return;
            }
            cw.line("int _numTaggedFields = 0;");
            for (Field f : tagged) {
                String c = and(cond(f.presentVersions()), nonDefault(f, "this." + fieldName(f)));
                when(c, () -> cw.line("_numTaggedFields++;"));
            }
            cw.line("_writable.writeUnsignedVarint(_numTaggedFields);");
            for (Field f : tagged) {
                String c = and(cond(f.presentVersions()), nonDefault(f, "this." + fieldName(f)));
                String nullable = cond(f.nullableVersions());
                whenBlock(c, () -> {
                    cw.line("_writable.writeUnsignedVarint(" + f.tag() + ");");
                    cw.line("int _s = 0;");
                    sizeField(f, "this." + fieldName(f), "true", nullable, "_s");
                    cw.line("_writable.writeUnsignedVarint(_s);");
                    writeField(f, "this." + fieldName(f), "true", nullable);
                });
            }
        });
        cw.close();
        cw.blank();
    }

    private void writeField(Field f, String value, String compact, String nullable) {
        Type t = f.type();
        String name = "\"" + f.name() + "\"";
        switch (t.kind()) {
            case STRUCT -> {
                if (nullable.equals("false")) {
                    cw.open("if (" + value + " == null)");
                    cw.line("throw FieldCodec.nullNotAllowed(" + name + ");");
                    cw.close();
                    cw.line(value + ".write(_writable, _version);");
                } else {
                    cw.open("if (" + value + " == null)");
                    when(not(nullable), () -> cw.line("throw FieldCodec.nullNotAllowed(" + name + ");"));
                    cw.line("_writable.writeByte((byte) -1);");
                    cw.reopen("else");
                    when(nullable, () -> cw.line("_writable.writeByte((byte) 1);"));
                    cw.line(value + ".write(_writable, _version);");
                    cw.close();
                }
            }
            case ARRAY -> {
                cw.open("if (" + value + " == null)");
                cw.line("FieldCodec.writeNullArray(_writable, " + compact + ", " + nullable + ", " + name + ");");
                cw.reopen("else");
                cw.line("FieldCodec.writeArrayLength(_writable, " + value + ".size(), " + compact + ");");
                cw.open("for (" + boxed(t.element()) + " _e : " + value + ")");
                writeValue(t.element(), "_e", compact, "false", name, false);
                cw.close();
                cw.close();
            }
            default -> writeValue(t, value, compact, nullable, name, f.zeroCopy());
        }
    }

    private void writeValue(Type t, String v, String compact, String nullable, String name, boolean zeroCopy) {
        String args = "(_writable, " + v + ", " + compact + ", " + nullable + ", " + name + ");";
        cw.line(switch (t.kind()) {
            case INT8 -> "_writable.writeByte(" + v + ");";
            case INT16 -> "_writable.writeShort(" + v + ");";
            case UINT16 -> "_writable.writeShort((short) " + v + ");";
            case INT32 -> "_writable.writeInt(" + v + ");";
            case UINT32 -> "_writable.writeInt((int) " + v + ");";
            case INT64 -> "_writable.writeLong(" + v + ");";
            case FLOAT64 -> "_writable.writeDouble(" + v + ");";
            case BOOL -> "_writable.writeByte(" + v + " ? (byte) 1 : (byte) 0);";
            case UUID -> "_writable.writeUuid(" + v + ");";
            case STRING -> "FieldCodec.writeString" + args;
            case BYTES -> (zeroCopy ? "FieldCodec.writeByteBuffer" : "FieldCodec.writeBytes") + args;
            case RECORDS -> "FieldCodec.writeRecords" + args;
            case STRUCT -> v + ".write(_writable, _version);";
            case ARRAY -> throw new IllegalArgumentException("Arrays of arrays are not supported");
        });
    }

    // ------------------------------------------------------------------ size

    private void sizeMethod(List<Field> fields, boolean top) {
        if (top) {
            cw.line("@Override");
        }
        cw.open("public int size(short _version)");
        cw.line("int _size = 0;");
        List<Field> tagged = new ArrayList<>();
        for (Field f : fields) {
            if (f.isTagged()) {
                tagged.add(f);
            } else {
                when(cond(f.versions()), () -> sizeField(f, "this." + fieldName(f), flexible(f),
                        cond(f.nullableVersions()), "_size"));
            }
        }
        tagged.sort(Comparator.comparing(Field::tag));
        String flex = cond(msg.flexibleVersions());
        when(flex, () -> {
            if (tagged.isEmpty()) {
                cw.line("_size += 1;");
                return;
            }
            cw.line("int _numTaggedFields = 0;");
            for (Field f : tagged) {
                String c = and(cond(f.presentVersions()), nonDefault(f, "this." + fieldName(f)));
                whenBlock(c, () -> {
                    cw.line("_numTaggedFields++;");
                    cw.line("int _s = 0;");
                    sizeField(f, "this." + fieldName(f), "true", cond(f.nullableVersions()), "_s");
                    cw.line("_size += ByteUtils.sizeOfUnsignedVarint(" + f.tag()
                            + ") + ByteUtils.sizeOfUnsignedVarint(_s) + _s;");
                });
            }
            cw.line("_size += ByteUtils.sizeOfUnsignedVarint(_numTaggedFields);");
        });
        cw.line("return _size;");
        cw.close();
    }

    private void sizeField(Field f, String value, String compact, String nullable, String acc) {
        Type t = f.type();
        switch (t.kind()) {
            case STRUCT -> {
                if (nullable.equals("false")) {
                    cw.line(acc + " += " + value + ".size(_version);");
                } else {
                    when(nullable, () -> cw.line(acc + " += 1;"));
                    cw.open("if (" + value + " != null)");
                    cw.line(acc + " += " + value + ".size(_version);");
                    cw.close();
                }
            }
            case ARRAY -> {
                Type e = t.element();
                cw.open("if (" + value + " == null)");
                cw.line(acc + " += FieldCodec.sizeOfArrayLength(-1, " + compact + ");");
                cw.reopen("else");
                cw.line(acc + " += FieldCodec.sizeOfArrayLength(" + value + ".size(), " + compact + ");");
                if (e.fixedSize() > 0) {
                    cw.line(acc + " += " + value + ".size() * " + e.fixedSize() + ";");
                } else {
                    cw.open("for (" + boxed(e) + " _e : " + value + ")");
                    cw.line(acc + " += " + sizeExpr(e, "_e", compact, false) + ";");
                    cw.close();
                }
                cw.close();
            }
            default -> cw.line(acc + " += " + sizeExpr(t, value, compact, f.zeroCopy()) + ";");
        }
    }

    private String sizeExpr(Type t, String v, String compact, boolean zeroCopy) {
        if (t.fixedSize() > 0) {
            return Integer.toString(t.fixedSize());
        }
        return switch (t.kind()) {
            case STRING -> "FieldCodec.sizeOfString(" + v + ", " + compact + ")";
            case BYTES -> (zeroCopy ? "FieldCodec.sizeOfByteBuffer(" : "FieldCodec.sizeOfBytes(") + v + ", " + compact + ")";
            case RECORDS -> "FieldCodec.sizeOfRecords(" + v + ", " + compact + ")";
            case STRUCT -> v + ".size(_version)";
            default -> throw new IllegalArgumentException("No size for " + t);
        };
    }

    // ------------------------------------------------------------------ helpers

    private void versionCheck() {
        cw.open("if (_version < LOWEST_SUPPORTED_VERSION || _version > HIGHEST_SUPPORTED_VERSION)");
        cw.line("throw FieldCodec.unsupportedVersion(\"" + msg.name() + "\", _version);");
        cw.close();
    }

    /** Emits {@code body} guarded by {@code cond}, leaving out the guard when it is constant. */
    private void when(String cond, Runnable body) {
        if (cond.equals("false")) {
            return;
        }
        if (cond.equals("true")) {
            body.run();
            return;
        }
        cw.open("if (" + cond + ")");
        body.run();
        cw.close();
    }

    /** Like {@link #when} but always opens a block, so locals declared by {@code body} stay scoped. */
    private void whenBlock(String cond, Runnable body) {
        if (cond.equals("false")) {
            return;
        }
        cw.open(cond.equals("true") ? "" : "if (" + cond + ")");
        body.run();
        cw.close();
    }

    /** A Java boolean expression in {@code _version} that holds exactly for {@code v} within the valid versions. */
    private String cond(Versions v) {
        Versions ctx = msg.validVersions();
        Versions eff = v.intersect(ctx);
        if (eff.isEmpty()) {
            return "false";
        }
        boolean lo = eff.lo() > ctx.lo();
        boolean hi = eff.hi() < ctx.hi();
        if (!lo && !hi) {
            return "true";
        }
        if (lo && hi) {
            return eff.lo() == eff.hi()
                    ? "_version == " + eff.lo()
                    : "_version >= " + eff.lo() + " && _version <= " + eff.hi();
        }
        return lo ? "_version >= " + eff.lo() : "_version <= " + eff.hi();
    }

    private String flexible(Field f) {
        return cond(f.flexibleOverride() != null ? f.flexibleOverride() : msg.flexibleVersions());
    }

    private static String and(String a, String b) {
        if (a.equals("false") || b.equals("false")) {
            return "false";
        }
        if (a.equals("true")) {
            return b;
        }
        if (b.equals("true")) {
            return a;
        }
        return "(" + a + ") && (" + b + ")";
    }

    private static String not(String a) {
        if (a.matches("_version (>=|<=) \\d+")) {
            return a.replace(">=", "<").replace("<=", ">");
        }
        return switch (a) {
            case "true" -> "false";
            case "false" -> "true";
            default -> "!(" + a + ")";
        };
    }

    static String fieldName(Field f) {
        return Character.toLowerCase(f.name().charAt(0)) + f.name().substring(1);
    }

    private String javaType(Field f) {
        if (f.type().kind() == Kind.BYTES && f.zeroCopy()) {
            return "ByteBuffer";
        }
        return javaType(f.type());
    }

    private String javaType(Type t) {
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

    private String boxed(Type t) {
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

    private String defaultValue(Field f) {
        String d = f.defaultValue();
        Type t = f.type();
        boolean isNull = "null".equals(d);
        if (isNull && f.nullableVersions().isEmpty()) {
            throw new IllegalArgumentException(msg.name() + "." + f.name() + ": null default but never nullable");
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
                throw new IllegalArgumentException(msg.name() + "." + f.name() + ": bad bool default " + d);
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
    private String nonDefault(Field f, String v) {
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
            throw new IllegalArgumentException(msg.name() + "." + f.name() + ": bad integer default " + d, e);
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(msg.name() + "." + f.name() + ": default " + d + " out of range");
        }
        return v;
    }

    private void requireEmptyDefault(Field f) {
        String d = f.defaultValue();
        if (d != null && !d.isEmpty()) {
            throw new IllegalArgumentException(msg.name() + "." + f.name() + ": unsupported default " + d);
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
