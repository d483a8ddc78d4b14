package io.skua.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layers of docs/storage.md, read from the imports of the main sources: each package may import only the
 * packages listed for it, which keeps them free of cycles. "" is {@code io.skua.storage} itself, the vocabulary the
 * broker passes around, which depends on no sub-package.
 */
class PackageDependenciesTest {
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "", Set.of(),
            "file", Set.of(),
            "segment", Set.of("", "file"),
            "producer", Set.of("", "file"),
            "load", Set.of("", "file", "segment", "producer"),
            "retention", Set.of("", "segment"),
            "log", Set.of("", "file", "segment", "producer", "load", "retention"),
            "cleaner", Set.of("", "file", "segment", "producer", "log"));
    private static final Path SOURCES = Path.of("src/main/java/io/skua/storage");
    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?io\\.skua\\.storage\\.(?:([a-z]\\w*)\\.)?[A-Z]", Pattern.MULTILINE);

    @Test
    void shouldKeepEveryPackageToTheLayersItMayUse() throws IOException {
        // Given the main sources
        Map<String, Set<String>> actual = importsByPackage();
        assertTrue(actual.size() >= ALLOWED.size() - 1, "sources not found under " + SOURCES.toAbsolutePath());

        // Then every package is known and imports only what it may
        List<String> violations = new ArrayList<>();
        actual.forEach((pkg, used) -> {
            Set<String> allowed = ALLOWED.get(pkg);
            if (allowed == null) {
                violations.add("package '" + pkg + "' is not in the layer map");
                return;
            }
            for (String target : used) {
                if (!target.equals(pkg) && !allowed.contains(target)) {
                    violations.add("'" + pkg + "' imports '" + target + "'");
                }
            }
        });
        assertEquals(List.of(), violations);
    }

    private static Map<String, Set<String>> importsByPackage() throws IOException {
        Map<String, Set<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = SOURCES.relativize(file.getParent());
                String pkg = relative.toString().replace(file.getFileSystem().getSeparator(), ".");
                Set<String> used = imports.computeIfAbsent(pkg, p -> new TreeSet<>());
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    used.add(m.group(1) == null ? "" : m.group(1));
                }
            }
        }
        return imports;
    }
}
