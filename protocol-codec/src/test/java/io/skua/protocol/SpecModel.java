package io.skua.protocol;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Test-side reading of Kafka's JSON specs (the same files the generator reads), kept deliberately small. */
final class SpecModel {
    static final Path SPEC_DIR = Path.of(System.getProperty("skua.specs.dir", "target/kafka-specs/common/message"));

    record Range(int lo, int hi) {
        static final Range NONE = new Range(0, -1);

        static Range parse(JsonNode n) {
            if (n == null || n.isNull()) {
                return NONE;
            }
            String s = n.asText().trim();
            if (s.equals("none")) {
                return NONE;
            }
            if (s.endsWith("+")) {
                return new Range(Integer.parseInt(s.substring(0, s.length() - 1)), Short.MAX_VALUE);
            }
            int dash = s.indexOf('-');
            if (dash > 0) {
                return new Range(Integer.parseInt(s.substring(0, dash)), Integer.parseInt(s.substring(dash + 1)));
            }
            int v = Integer.parseInt(s);
            return new Range(v, v);
        }

        boolean contains(int v) {
            return v >= lo && v <= hi;
        }

        boolean isEmpty() {
            return lo > hi;
        }
    }

    record Field(String name, String type, Range versions, Range nullable, Range tagged, boolean isTagged,
                 boolean zeroCopy) {
        boolean presentIn(int version) {
            return versions.contains(version) && (!isTagged || tagged.contains(version));
        }
    }

    record Spec(String name, String type, Integer apiKey, Range validVersions, Range flexibleVersions,
                List<Field> fields, Map<String, List<Field>> structs) {
        String className() {
            return name + "Data";
        }
    }

    private SpecModel() {
    }

    static List<Spec> load() {
        ObjectMapper mapper = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
        List<Spec> specs = new ArrayList<>();
        try (Stream<Path> files = Files.list(SPEC_DIR)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode n = mapper.readTree(p.toFile());
                Map<String, List<Field>> structs = new HashMap<>();
                for (JsonNode s : n.path("commonStructs")) {
                    structs.put(s.get("name").asText(), fields(s.get("fields"), structs));
                }
                List<Field> fields = n.has("fields") ? fields(n.get("fields"), structs) : List.of();
                specs.add(new Spec(n.get("name").asText(), n.get("type").asText(),
                        n.has("apiKey") ? n.get("apiKey").asInt() : null,
                        Range.parse(n.get("validVersions")), Range.parse(n.get("flexibleVersions")), fields, structs));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (specs.isEmpty()) {
            throw new IllegalStateException("No specs found in " + SPEC_DIR.toAbsolutePath());
        }
        return specs;
    }

    private static List<Field> fields(JsonNode array, Map<String, List<Field>> structs) {
        List<Field> out = new ArrayList<>();
        for (JsonNode f : array) {
            String type = f.get("type").asText();
            if (f.has("fields")) {
                structs.put(type.replace("[]", ""), fields(f.get("fields"), structs));
            }
            out.add(new Field(f.get("name").asText(), type, Range.parse(f.get("versions")),
                    Range.parse(f.get("nullableVersions")), Range.parse(f.get("taggedVersions")), f.has("tag"),
                    f.path("zeroCopy").asBoolean(false)));
        }
        return out;
    }
}
