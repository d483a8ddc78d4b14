package io.skua.codec.generator;

import static io.skua.codec.generator.JavaTypes.fieldName;
import static io.skua.codec.generator.VersionConditions.and;
import static io.skua.codec.generator.VersionConditions.not;

import io.skua.codec.generator.Spec.Field;
import io.skua.codec.generator.Spec.Message;
import io.skua.codec.generator.Spec.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Emits the wire methods of a message or struct class: {@code read}, {@code write} and {@code size}, field by field
 * in spec order, each guarded by the versions the field is present in, then the tagged fields of flexible versions
 * in tag order. Fields a version lacks must hold their default when a request is written.
 */
final class WireMethods {
    private final Message msg;
    private final CodeWriter cw;
    private final VersionConditions conditions;
    private final JavaTypes types;

    WireMethods(Message msg, CodeWriter cw, VersionConditions conditions, JavaTypes types) {
        this.msg = msg;
        this.cw = cw;
        this.conditions = conditions;
        this.types = types;
    }

    // ------------------------------------------------------------------ read

    void readMethod(String className, List<Field> fields, boolean top) {
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
            String present = conditions.cond(f.versions());
            String target = "this." + fieldName(f);
            if (present.equals("true")) {
                readField(f, target, conditions.flexible(f), conditions.cond(f.nullableVersions()));
            } else if (present.equals("false")) {
                cw.line(target + " = " + types.defaultValue(f) + ";");
            } else {
                cw.open("if (" + present + ")");
                readField(f, target, conditions.flexible(f), conditions.cond(f.nullableVersions()));
                cw.reopen("else");
                cw.line(target + " = " + types.defaultValue(f) + ";");
                cw.close();
            }
        }
        for (Field f : tagged) {
            cw.line("this." + fieldName(f) + " = " + types.defaultValue(f) + ";");
        }
        String flex = conditions.cond(msg.flexibleVersions());
        cw.when(flex, () -> {
            cw.line("int _numTaggedFields = _readable.readUnsignedVarint();");
            cw.open("for (int _t = 0; _t < _numTaggedFields; _t++)");
            cw.line("int _tag = _readable.readUnsignedVarint();");
            cw.line("int _tagSize = _readable.readUnsignedVarint();");
            tagged.sort(Comparator.comparing(Field::tag));
            boolean first = true;
            for (Field f : tagged) {
                String c = and("_tag == " + f.tag(), conditions.cond(f.presentVersions()));
                if (first) {
                    cw.open("if (" + c + ")");
                } else {
                    cw.reopen("else if (" + c + ")");
                }
                first = false;
                readField(f, "this." + fieldName(f), "true", conditions.cond(f.nullableVersions()));
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
                cw.line("ArrayList<" + types.boxed(e) + "> _list = new ArrayList<>(_n);");
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

    void writeMethod(String className, List<Field> fields, boolean top) {
        if (top) {
            cw.line("@Override");
        }
        cw.open("public void write(Writable _writable, short _version)");
        if (top) {
            versionCheck();
        }
        List<Field> tagged = new ArrayList<>();
        for (Field f : fields) {
            String present = conditions.cond(f.presentVersions());
            if (f.isTagged()) {
                tagged.add(f);
            } else {
                cw.when(present, () -> writeField(f, "this." + fieldName(f), conditions.flexible(f), conditions.cond(f.nullableVersions())));
            }
            // Responses drop fields their version lacks: a broker answers every version it advertises, and
            // a newer field a handler filled in (a leader epoch, say) is simply not part of the older answer.
            if (!f.ignorable() && !present.equals("true") && !"response".equals(msg.type())) {
                String check = and(not(present), types.nonDefault(f, "this." + fieldName(f)));
                cw.when(check, () -> cw.line("throw FieldCodec.unsupported(\"" + f.name() + "\", _version);"));
            }
        }
        tagged.sort(Comparator.comparing(Field::tag));
        String flex = conditions.cond(msg.flexibleVersions());
        cw.when(flex, () -> {
            if (tagged.isEmpty()) {
                cw.line("_writable.writeUnsignedVarint(0);");
                return;
            }
            cw.line("int _numTaggedFields = 0;");
            for (Field f : tagged) {
                String c = and(conditions.cond(f.presentVersions()), types.nonDefault(f, "this." + fieldName(f)));
                cw.when(c, () -> cw.line("_numTaggedFields++;"));
            }
            cw.line("_writable.writeUnsignedVarint(_numTaggedFields);");
            for (Field f : tagged) {
                String c = and(conditions.cond(f.presentVersions()), types.nonDefault(f, "this." + fieldName(f)));
                String nullable = conditions.cond(f.nullableVersions());
                cw.whenBlock(c, () -> {
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
                    cw.when(not(nullable), () -> cw.line("throw FieldCodec.nullNotAllowed(" + name + ");"));
                    cw.line("_writable.writeByte((byte) -1);");
                    cw.reopen("else");
                    cw.when(nullable, () -> cw.line("_writable.writeByte((byte) 1);"));
                    cw.line(value + ".write(_writable, _version);");
                    cw.close();
                }
            }
            case ARRAY -> {
                cw.open("if (" + value + " == null)");
                cw.line("FieldCodec.writeNullArray(_writable, " + compact + ", " + nullable + ", " + name + ");");
                cw.reopen("else");
                cw.line("FieldCodec.writeArrayLength(_writable, " + value + ".size(), " + compact + ");");
                cw.open("for (" + types.boxed(t.element()) + " _e : " + value + ")");
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

    void sizeMethod(List<Field> fields, boolean top) {
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
                cw.when(conditions.cond(f.versions()), () -> sizeField(f, "this." + fieldName(f), conditions.flexible(f),
                        conditions.cond(f.nullableVersions()), "_size"));
            }
        }
        tagged.sort(Comparator.comparing(Field::tag));
        String flex = conditions.cond(msg.flexibleVersions());
        cw.when(flex, () -> {
            if (tagged.isEmpty()) {
                cw.line("_size += 1;");
                return;
            }
            cw.line("int _numTaggedFields = 0;");
            for (Field f : tagged) {
                String c = and(conditions.cond(f.presentVersions()), types.nonDefault(f, "this." + fieldName(f)));
                cw.whenBlock(c, () -> {
                    cw.line("_numTaggedFields++;");
                    cw.line("int _s = 0;");
                    sizeField(f, "this." + fieldName(f), "true", conditions.cond(f.nullableVersions()), "_s");
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
                    cw.when(nullable, () -> cw.line(acc + " += 1;"));
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
                    cw.open("for (" + types.boxed(e) + " _e : " + value + ")");
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

    // ------------------------------------------------------------------ version check

    private void versionCheck() {
        cw.open("if (_version < LOWEST_SUPPORTED_VERSION || _version > HIGHEST_SUPPORTED_VERSION)");
        cw.line("throw FieldCodec.unsupportedVersion(\"" + msg.name() + "\", _version);");
        cw.close();
    }
}
