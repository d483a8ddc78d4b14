package io.skua.codec.generator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The parts of Kafka's message spec format (clients/src/main/resources/common/message/README.md) we use. */
final class Spec {
    private Spec() {
    }

    enum Kind { INT8, INT16, UINT16, INT32, UINT32, INT64, FLOAT64, BOOL, STRING, BYTES, UUID, RECORDS, STRUCT, ARRAY }

    /** A field type; {@code structName} for structs, {@code element} for arrays. */
    record Type(Kind kind, String structName, Type element) {
        static Type parse(String s) {
            if (s.startsWith("[]")) {
                return new Type(Kind.ARRAY, null, parse(s.substring(2)));
            }
            Kind k = switch (s) {
                case "int8" -> Kind.INT8;
                case "int16" -> Kind.INT16;
                case "uint16" -> Kind.UINT16;
                case "int32" -> Kind.INT32;
                case "uint32" -> Kind.UINT32;
                case "int64" -> Kind.INT64;
                case "float64" -> Kind.FLOAT64;
                case "bool" -> Kind.BOOL;
                case "string" -> Kind.STRING;
                case "bytes" -> Kind.BYTES;
                case "uuid" -> Kind.UUID;
                case "records" -> Kind.RECORDS;
                default -> Kind.STRUCT;
            };
            if (k == Kind.STRUCT && !Character.isUpperCase(s.charAt(0))) {
                throw new IllegalArgumentException("Unknown type " + s);
            }
            return new Type(k, k == Kind.STRUCT ? s : null, null);
        }

        boolean isStruct() {
            return kind == Kind.STRUCT;
        }

        boolean isArray() {
            return kind == Kind.ARRAY;
        }

        /** Bytes on the wire for fixed-size types, else -1. */
        int fixedSize() {
            return switch (kind) {
                case INT8, BOOL -> 1;
                case INT16, UINT16 -> 2;
                case INT32, UINT32 -> 4;
                case INT64, FLOAT64 -> 8;
                case UUID -> 16;
                default -> -1;
            };
        }
    }

    record Field(String name, Type type, Versions versions, Versions nullableVersions, Versions taggedVersions,
                 Integer tag, boolean ignorable, String defaultValue, boolean zeroCopy,
                 Versions flexibleOverride, List<Field> fields) {

        static Field parse(JsonNode n) {
            String name = n.get("name").asText();
            if (!n.hasNonNull("versions")) {
                throw new IllegalArgumentException("Field " + name + " has no versions");
            }
            List<Field> fields = n.has("fields") ? parseFields(n.get("fields")) : null;
            Versions tagged = Versions.parse(text(n, "taggedVersions"), Versions.NONE);
            Integer tag = n.has("tag") ? n.get("tag").asInt() : null;
            if ((tag == null) != tagged.isEmpty()) {
                throw new IllegalArgumentException("Field " + name + ": tag and taggedVersions go together");
            }
            return new Field(name, Type.parse(n.get("type").asText()),
                    Versions.parse(text(n, "versions"), null),
                    Versions.parse(text(n, "nullableVersions"), Versions.NONE),
                    tagged, tag,
                    n.path("ignorable").asBoolean(false),
                    text(n, "default"),
                    n.path("zeroCopy").asBoolean(false),
                    Versions.parse(text(n, "flexibleVersions"), null),
                    fields);
        }

        boolean isTagged() {
            return tag != null;
        }

        /** The versions in which the field is on the wire (tagged or not). */
        Versions presentVersions() {
            return isTagged() ? taggedVersions.intersect(versions) : versions;
        }

        String structName() {
            Type t = type.isArray() ? type.element() : type;
            return t.isStruct() ? t.structName() : null;
        }
    }

    record Struct(String name, Versions versions, List<Field> fields) {
    }

    record Message(String fileName, String name, String type, Short apiKey, Versions validVersions,
                   Versions flexibleVersions, boolean latestVersionUnstable, List<String> listeners,
                   List<Field> fields, List<Struct> commonStructs) {

        static Message parse(String fileName, JsonNode n) {
            List<Struct> common = new ArrayList<>();
            for (JsonNode s : n.path("commonStructs")) {
                common.add(new Struct(s.get("name").asText(), Versions.parse(text(s, "versions"), Versions.ALL),
                        parseFields(s.get("fields"))));
            }
            List<String> listeners = new ArrayList<>();
            for (JsonNode l : n.path("listeners")) {
                listeners.add(l.asText());
            }
            return new Message(fileName, n.get("name").asText(), n.get("type").asText(),
                    n.has("apiKey") ? (short) n.get("apiKey").asInt() : null,
                    Versions.parse(text(n, "validVersions"), null),
                    Versions.parse(text(n, "flexibleVersions"), Versions.NONE),
                    n.path("latestVersionUnstable").asBoolean(false),
                    listeners,
                    n.has("fields") ? parseFields(n.get("fields")) : List.of(),
                    common);
        }

        String className() {
            return name + "Data";
        }

        boolean isApi() {
            return apiKey != null && (type.equals("request") || type.equals("response"));
        }
    }

    static List<Field> parseFields(JsonNode array) {
        List<Field> fields = new ArrayList<>();
        for (JsonNode f : array) {
            fields.add(Field.parse(f));
        }
        return fields;
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
