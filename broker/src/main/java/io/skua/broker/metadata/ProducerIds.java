package io.skua.broker.metadata;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Hands out producer ids that are never reused, across restarts: ids come in blocks, and the end of the
 * current block is persisted before any id of it is given out.
 */
public final class ProducerIds {
    static final String FILE = "producer-id-block";
    private static final long BLOCK = 1000;

    private final Vertx vertx;
    private final Path file;
    private long next;
    private long blockEnd;

    private ProducerIds(Vertx vertx, Path file, long start) {
        this.vertx = vertx;
        this.file = file;
        this.next = start;
        this.blockEnd = start;
    }

    /** Blocking: reads where the last run's block ended. */
    public static ProducerIds load(Vertx vertx, Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            long start = Files.exists(file) ? Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()) : 0L;
            return new ProducerIds(vertx, file, start);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("Cannot read " + file + ": " + e, e);
        }
    }

    public Future<Long> nextId() {
        synchronized (this) {
            if (next < blockEnd) {
                return Future.succeededFuture(next++);
            }
        }
        return vertx.executeBlocking(() -> {
            synchronized (this) {
                if (next >= blockEnd) {
                    persist(blockEnd + BLOCK);
                    blockEnd += BLOCK;
                }
                return next++;
            }
        });
    }

    private void persist(long end) {
        try {
            Path tmp = file.resolveSibling(FILE + ".tmp");
            Files.writeString(tmp, Long.toString(end), StandardCharsets.UTF_8);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot persist producer id block to " + file, e);
        }
    }
}
