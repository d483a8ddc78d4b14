package io.skua.storage.cleaner;

import io.skua.storage.file.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-partition file {@value #FILE}: Java properties {@code first.dirty.offset} (where the next cleaning's dirty
 * range starts) and {@code tombstone.horizon.ms} (the earliest delete horizon of a kept tombstone, -1 for none),
 * replaced atomically. An absent or unreadable file reads as everything dirty and no horizon, which is safe.
 *
 * <p>Thread-safety: immutable; written on the partition's writer thread after a swap.
 */
record CleanerCheckpoint(long firstDirtyOffset, long tombstoneHorizonMs) {
    static final String FILE = "cleaner.checkpoint";
    private static final String FIRST_DIRTY = "first.dirty.offset";
    private static final String HORIZON = "tombstone.horizon.ms";

    static CleanerCheckpoint read(Path dir) {
        Map<String, String> values = readProperties(dir.resolve(FILE));
        return new CleanerCheckpoint(parse(values.get(FIRST_DIRTY), 0), parse(values.get(HORIZON), -1));
    }

    void write(Path dir) throws IOException {
        Map<String, String> values = new TreeMap<>();
        values.put(FIRST_DIRTY, Long.toString(firstDirtyOffset));
        values.put(HORIZON, Long.toString(tombstoneHorizonMs));
        DurableFiles.writeProperties(dir.resolve(FILE), values, "skua cleaner checkpoint");
    }

    private static Map<String, String> readProperties(Path file) {
        try {
            return Files.exists(file) ? DurableFiles.readProperties(file) : Map.of();
        } catch (IOException e) {
            return Map.of(); // unreadable: everything is dirty, which is safe
        }
    }

    private static long parse(String value, long fallback) {
        try {
            return value == null ? fallback : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
