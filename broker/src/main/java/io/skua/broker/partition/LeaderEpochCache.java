package io.skua.broker.partition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A partition's leader-epoch history: for every leader epoch that wrote to the log, the offset of its first batch.
 * Kept in {@code leader-epoch-checkpoint} in the partition directory (Kafka's layout: a version line {@code 0}, the
 * entry count, then one {@code epoch startOffset} line per entry), rewritten (temp file + rename) whenever an entry is
 * added or removed. Used by OffsetForLeaderEpoch and by followers truncating after a leader change (KIP-101/279).
 *
 * <p>Mutated only on the partition's writer thread; reads take the same lock, so any thread may ask.
 */
public final class LeaderEpochCache {
    public static final String FILE = "leader-epoch-checkpoint";
    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_OFFSET = -1;

    /** One answer of {@link #endOffsetFor}. */
    public record EpochEnd(int epoch, long endOffset) {
    }

    private record Entry(int epoch, long startOffset) {
    }

    private final Path file;
    private final List<Entry> entries = new ArrayList<>();

    private LeaderEpochCache(Path file) {
        this.file = file;
    }

    /** Loads the checkpoint of the partition in {@code dir}; a missing or unreadable file gives an empty history. */
    public static LeaderEpochCache load(Path dir) {
        LeaderEpochCache cache = new LeaderEpochCache(dir == null ? null : dir.resolve(FILE));
        if (cache.file != null && Files.exists(cache.file)) {
            try {
                List<String> lines = Files.readAllLines(cache.file, StandardCharsets.UTF_8);
                int count = Integer.parseInt(lines.get(1).trim());
                for (int i = 0; i < count; i++) {
                    String[] parts = lines.get(2 + i).trim().split("\\s+");
                    cache.entries.add(new Entry(Integer.parseInt(parts[0]), Long.parseLong(parts[1])));
                }
            } catch (IOException | RuntimeException e) {
                cache.entries.clear();
            }
        }
        return cache;
    }

    public synchronized boolean isEmpty() {
        return entries.isEmpty();
    }

    public synchronized int latestEpoch() {
        return entries.isEmpty() ? UNDEFINED_EPOCH : entries.get(entries.size() - 1).epoch();
    }

    /** Records that {@code epoch} starts at {@code startOffset}, if it is newer than every known epoch. */
    public synchronized void assign(int epoch, long startOffset) {
        if (epoch < 0 || (!entries.isEmpty() && epoch <= latestEpoch())) {
            return;
        }
        // an older epoch that starts at or after this one never wrote anything that survives
        entries.removeIf(e -> e.startOffset() >= startOffset);
        entries.add(new Entry(epoch, startOffset));
        write();
    }

    /** After the log was truncated to {@code endOffset}: epochs starting at or after it are forgotten. */
    public synchronized void truncateFromEnd(long endOffset) {
        if (entries.removeIf(e -> e.startOffset() >= endOffset)) {
            write();
        }
    }

    /** After the whole log was replaced, starting at {@code offset}. */
    public synchronized void clear() {
        if (!entries.isEmpty()) {
            entries.clear();
            write();
        }
    }

    /**
     * The largest epoch at or below {@code requested} and its end offset: the start of the next epoch, or
     * {@code logEndOffset} for the latest one. {@code requested} above the latest epoch, or undefined: (-1, -1).
     * Below the first known epoch: ({@code requested}, start of the first epoch).
     */
    public synchronized EpochEnd endOffsetFor(int requested, long logEndOffset) {
        if (requested == UNDEFINED_EPOCH || entries.isEmpty()) {
            return new EpochEnd(UNDEFINED_EPOCH, UNDEFINED_OFFSET);
        }
        if (requested == latestEpoch()) {
            return new EpochEnd(requested, logEndOffset);
        }
        if (requested > latestEpoch()) {
            return new EpochEnd(UNDEFINED_EPOCH, UNDEFINED_OFFSET);
        }
        Entry floor = null;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.epoch() > requested) {
                return floor == null ? new EpochEnd(requested, e.startOffset()) : new EpochEnd(floor.epoch(), e.startOffset());
            }
            floor = e;
        }
        return new EpochEnd(floor.epoch(), logEndOffset);
    }

    @Override
    public synchronized String toString() {
        return entries.toString();
    }

    private void write() {
        if (file == null) {
            return;
        }
        StringBuilder sb = new StringBuilder("0\n").append(entries.size()).append('\n');
        for (Entry e : entries) {
            sb.append(e.epoch()).append(' ').append(e.startOffset()).append('\n');
        }
        try {
            Path tmp = file.resolveSibling(FILE + ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
