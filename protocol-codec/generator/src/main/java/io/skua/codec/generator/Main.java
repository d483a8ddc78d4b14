package io.skua.codec.generator;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.skua.codec.generator.Spec.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads Kafka's JSON message specs and writes the Skua codec sources.
 *
 * <p>Usage: {@code Main <spec dir> <output source root>}. Specs whose {@code validVersions} is
 * {@code "none"} (APIs removed from Kafka) are skipped, as Kafka's own generator does.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Main <spec dir> <output source root>");
            System.exit(2);
        }
        Path specDir = Path.of(args[0]);
        Path outRoot = Path.of(args[1]);
        int n = generate(specDir, outRoot);
        System.out.println("[skua-codec-generator] wrote " + n + " classes from " + specDir + " to " + outRoot);
    }

    static int generate(Path specDir, Path outRoot) throws IOException {
        ObjectMapper mapper = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
        List<Path> files;
        try (Stream<Path> s = Files.list(specDir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("No *.json specs in " + specDir);
        }
        List<Message> messages = new ArrayList<>();
        for (Path p : files) {
            JsonNode node = mapper.readTree(p.toFile());
            Message m;
            try {
                m = Message.parse(p.getFileName().toString(), node);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Cannot parse " + p + ": " + e.getMessage(), e);
            }
            if (m.validVersions() == null) {
                throw new IllegalArgumentException(p + ": no validVersions");
            }
            if (!m.validVersions().isEmpty()) {
                messages.add(m);
            }
        }
        Path msgDir = outRoot.resolve(MessageGenerator.PACKAGE.replace('.', '/'));
        Files.createDirectories(msgDir);
        for (Message m : messages) {
            String code;
            try {
                code = new MessageGenerator(m).generate();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Cannot generate " + m.fileName() + ": " + e.getMessage(), e);
            }
            writeIfChanged(msgDir.resolve(m.className() + ".java"), code);
        }
        Path apiDir = outRoot.resolve("io/skua/protocol");
        Files.createDirectories(apiDir);
        writeIfChanged(apiDir.resolve("ApiKey.java"), new ApiKeyGenerator(messages).generate());
        return messages.size() + 1;
    }

    /** Leaves unchanged files alone so incremental compilation does not rebuild everything. */
    private static void writeIfChanged(Path file, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (Files.exists(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
            return;
        }
        Files.write(file, bytes);
    }
}
