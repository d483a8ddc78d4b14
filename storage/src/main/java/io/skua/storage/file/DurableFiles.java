package io.skua.storage.file;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Crash-safe small files: write a temp file, fsync it, rename it over the target, fsync the directory.
 *
 * <p>Thread-safety: stateless; concurrent writers of the same file must be serialised by the caller.
 */
public final class DurableFiles {
    public static final String TMP_SUFFIX = ".tmp";

    private DurableFiles() {
    }

    public static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        fsyncDirectory(target.getParent());
    }

    /** Makes renames, creations and deletions in {@code dir} durable (a no-op where the OS cannot open directories). */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
                throw e;
            }
        }
    }

    /** Writes string properties sorted by key, atomically. */
    public static void writeProperties(Path target, Map<String, String> values, String comment) throws IOException {
        Properties props = new Properties();
        props.putAll(values);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        props.store(out, comment);
        writeAtomically(target, out.toByteArray());
    }

    public static Map<String, String> readProperties(Path source) throws IOException {
        Properties props = new Properties();
        props.load(new ByteArrayInputStream(Files.readAllBytes(source)));
        Map<String, String> values = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k)));
        return values;
    }
}
