package io.skua.storage.load;

import io.skua.storage.AbortedTransaction;
import io.skua.storage.LogConfig;
import io.skua.storage.file.DurableFiles;
import io.skua.storage.file.LogFileNames;
import io.skua.storage.producer.ProducerStateManager;
import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Opens a partition directory (Kafka's {@code LogLoader}): removes leftovers, completes interrupted cleaner swaps,
 * opens the segments, verifies those after the recovery point when the log was not closed cleanly, and rebuilds
 * producer state. It hands the result to the partition log as a {@link LoadedLog}; it knows nothing of the log
 * object itself.
 *
 * <h2>Crash behaviour</h2>
 * With the clean-shutdown marker ({@value #CLEAN_SHUTDOWN_FILE}, written by a clean close) the segments are trusted:
 * only their indexes' plausibility is checked and the batch headers after the last index entry are scanned. Without
 * it every batch (framing, CRC32C, offset order) from the segment holding the recovery point on is verified; at the
 * first bad one the segment is truncated, any later segment deleted, and those segments' indexes are rebuilt and
 * fsynced, so the log is always the longest prefix of intact batches. Producer state is the newest valid snapshot at
 * or below the log end plus the batches after it. The marker is deleted (and the directory fsynced) before the log is
 * used, so a later crash is noticed.
 *
 * <p>Thread-safety: a loader runs once, on the thread opening the log, before the log is published.
 */
public final class LogLoader {
    private static final System.Logger LOG = System.getLogger(LogLoader.class.getName());
    /** Present only between a clean close of the log and the next open. */
    public static final String CLEAN_SHUTDOWN_FILE = ".clean-shutdown";

    private final Path dir;
    private final LogConfig config;
    private final LongSupplier clock;

    /**
     * What loading found: the segments (ascending, never empty, the last one active) and the offsets to start from.
     */
    public record LoadedLog(List<Segment> segments, long logStartOffset, long logEndOffset, long highWatermark,
                            long recoveryPoint) {
    }

    private LogLoader(Path dir, LogConfig config, LongSupplier clock) {
        this.dir = dir;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Opens the log in {@code dir}, creating the directory if needed, and recovers it if it was not closed cleanly;
     * fills {@code producers} with the state as of the recovered log end. Deletes the clean-shutdown marker and
     * writes the checkpoint before returning.
     */
    public static LoadedLog load(Path dir, LogConfig config, LongSupplier clock, ProducerStateManager producers)
            throws IOException {
        return new LogLoader(dir, config, clock).load(producers);
    }

    private LoadedLog load(ProducerStateManager producers) throws IOException {
        Files.createDirectories(dir);
        Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.exists(marker);
        long checkpointRecovery = 0;
        long checkpointStart = 0;
        long checkpointHw = 0;
        if (Files.exists(dir.resolve(PartitionCheckpoint.FILE))) {
            Map<String, String> checkpoint = DurableFiles.readProperties(dir.resolve(PartitionCheckpoint.FILE));
            try {
                checkpointRecovery = Long.parseLong(checkpoint.getOrDefault(PartitionCheckpoint.RECOVERY_POINT, "0"));
                checkpointStart = Long.parseLong(checkpoint.getOrDefault(PartitionCheckpoint.LOG_START_OFFSET, "0"));
                checkpointHw = Long.parseLong(checkpoint.getOrDefault(PartitionCheckpoint.HIGH_WATERMARK, "0"));
            } catch (NumberFormatException e) {
                clean = false; // unreadable checkpoint: verify everything
                checkpointRecovery = 0;
            }
        }

        Set<Long> swapped = completeInterruptedSwaps();
        if (!swapped.isEmpty()) {
            clean = false;
        }
        TreeMap<Long, Path> logs = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(Segment.DELETED_SUFFIX) || name.endsWith(DurableFiles.TMP_SUFFIX)
                        || name.endsWith(Segment.CLEANED_SUFFIX)) {
                    Files.deleteIfExists(f);
                } else {
                    LogFileNames.parseOffset(f, Segment.LOG_SUFFIX).ifPresent(base -> logs.put(base, f));
                }
            }
        }
        deleteIndexesWithoutLog(logs);
        long now = clock.getAsLong();
        List<Segment> loaded = new ArrayList<>();
        Set<Long> rebuilt = new TreeSet<>(); // segments whose indexes were rebuilt, the transaction index included
        if (logs.isEmpty()) {
            loaded.add(Segment.create(dir, Math.max(0, checkpointStart), now));
            clean = true;
        } else {
            Long recoveryBase = logs.floorKey(checkpointRecovery);
            boolean recovering = false;
            int recovered = 0;
            long truncatedBytes = 0;
            int segmentsDeleted = 0;
            for (long base : logs.keySet()) {
                Segment segment = Segment.open(dir, base, now);
                loaded.add(segment);
                recovering |= !clean && (recoveryBase == null || base >= recoveryBase);
                boolean justSwapped = swapped.contains(base); // its indexes were dropped: rebuild them
                if (!recovering && !justSwapped && !segment.loadClean()) {
                    recovering = true; // a damaged index: verify this segment and all later ones
                }
                if (justSwapped && !recovering) {
                    segment.recover(config.indexIntervalBytes());
                    segment.flush();
                    rebuilt.add(base);
                }
                if (recovering) {
                    rebuilt.add(base);
                    recovered++;
                    truncatedBytes = segment.recover(config.indexIntervalBytes());
                    segment.flush();
                    if (truncatedBytes > 0) {
                        for (long later : logs.tailMap(base, false).keySet()) {
                            Segment.open(dir, later, now).delete();
                            segmentsDeleted++;
                        }
                        break;
                    }
                }
            }
            if (recovering) {
                clean = false;
                LOG.log(truncatedBytes > 0 ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                        "Recovered partition log dir={0} segmentsVerified={1} truncatedBytes={2} segmentsDeleted={3}",
                        dir, recovered, truncatedBytes, segmentsDeleted);
            }
        }
        List<Segment> segments = List.copyOf(loaded);
        Segment first = loaded.get(0);
        long logEndOffset = loaded.get(loaded.size() - 1).nextOffset();
        long logStartOffset = Math.min(Math.max(checkpointStart, first.baseOffset()), logEndOffset);
        long highWatermark = Math.min(Math.max(checkpointHw, logStartOffset), logEndOffset);
        long recoveryPoint = clean ? Math.min(checkpointRecovery, logEndOffset) : logEndOffset;
        rebuildProducerState(producers, segments, logEndOffset, rebuilt);
        Files.deleteIfExists(marker);
        DurableFiles.fsyncDirectory(dir);
        PartitionCheckpoint.write(dir, recoveryPoint, logStartOffset, highWatermark);
        return new LoadedLog(segments, logStartOffset, logEndOffset, highWatermark, recoveryPoint);
    }

    /**
     * Finishes segment swaps the cleaner began (see the cleaner's {@code LogCompactor}): a {@code <base>.log.swap}
     * file is a whole, fsynced cleaned segment, so the segments it replaces (those whose base offsets lie in
     * {@code [base, its next offset)}) are deleted and it takes their place. Swap index files are dropped and rebuilt
     * from the log. Without a {@code .log.swap}, leftover {@code .swap} index files belong to a swap that never began
     * and are deleted along with {@code .cleaned} files.
     *
     * @return the base offsets of the segments swapped in
     */
    private Set<Long> completeInterruptedSwaps() throws IOException {
        TreeSet<Long> swaps = new TreeSet<>();
        List<Path> swapIndexes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + Segment.SWAP_SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String unswapped = name.substring(0, name.length() - Segment.SWAP_SUFFIX.length());
                Optional<Long> base = LogFileNames.parseOffset(f.resolveSibling(unswapped), Segment.LOG_SUFFIX);
                if (base.isPresent()) {
                    swaps.add(base.get());
                } else {
                    swapIndexes.add(f);
                }
            }
        }
        for (Path f : swapIndexes) {
            Files.delete(f);
        }
        for (long base : swaps) {
            Segment swap = Segment.openSwap(dir, base, clock.getAsLong());
            long end;
            try {
                swap.recover(config.indexIntervalBytes());
                end = swap.nextOffset();
            } finally {
                swap.close();
            }
            TreeMap<Long, Path> replaced = new TreeMap<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    for (String suffix : List.of(Segment.LOG_SUFFIX, Segment.INDEX_SUFFIX, Segment.TIME_INDEX_SUFFIX,
                            Segment.TXN_INDEX_SUFFIX)) {
                        Optional<Long> b = LogFileNames.parseOffset(f, suffix);
                        if (b.isPresent() && b.get() >= base && b.get() < Math.max(end, base + 1)) {
                            replaced.put(b.get(), f);
                            Files.delete(f);
                        }
                    }
                }
            }
            for (String suffix : List.of(Segment.INDEX_SUFFIX, Segment.TIME_INDEX_SUFFIX, Segment.TXN_INDEX_SUFFIX)) {
                Files.deleteIfExists(dir.resolve(LogFileNames.fileName(base, suffix) + Segment.SWAP_SUFFIX));
            }
            Files.move(dir.resolve(LogFileNames.fileName(base, Segment.LOG_SUFFIX) + Segment.SWAP_SUFFIX),
                    dir.resolve(LogFileNames.fileName(base, Segment.LOG_SUFFIX)));
            DurableFiles.fsyncDirectory(dir);
            LOG.log(System.Logger.Level.INFO, "completed interrupted segment swap dir={0} base={1} end={2} replaced={3}",
                    dir.getFileName(), base, end, replaced.keySet());
        }
        return swaps;
    }

    private void deleteIndexesWithoutLog(TreeMap<Long, Path> logs) throws IOException {
        for (String suffix : List.of(Segment.INDEX_SUFFIX, Segment.TIME_INDEX_SUFFIX, Segment.TXN_INDEX_SUFFIX)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + suffix)) {
                for (Path f : files) {
                    Optional<Long> base = LogFileNames.parseOffset(f, suffix);
                    if (base.isPresent() && !logs.containsKey(base.get())) {
                        Files.delete(f);
                    }
                }
            }
        }
    }

    /**
     * Rebuilds {@code producers} for a log ending at {@code logEndOffset}: the newest snapshot at or below the log end,
     * then the batches after it (used on open and after a truncation). Writer thread.
     */
    public static void rebuildProducerState(ProducerStateManager producers, List<Segment> segments, long logEndOffset)
            throws IOException {
        rebuildProducerState(producers, segments, logEndOffset, Set.of());
    }

    /**
     * {@link #rebuildProducerState(ProducerStateManager, List, long)}, also refilling the (emptied) aborted-transaction
     * indexes of the segments based at {@code rebuilt}: the replay then starts from the newest snapshot at or below
     * the first of them, and each abort marker found in one of them adds its transaction to that segment's index.
     */
    static void rebuildProducerState(ProducerStateManager producers, List<Segment> segments, long logEndOffset,
                                     Set<Long> rebuilt) throws IOException {
        long ceiling = rebuilt.isEmpty() ? logEndOffset : Math.min(logEndOffset, rebuilt.iterator().next());
        long from = producers.loadLatestSnapshot(ceiling, logEndOffset);
        if (from == logEndOffset) {
            return;
        }
        IOException[] failure = {null};
        for (Segment s : segments) {
            if (s.nextOffset() <= from) {
                continue;
            }
            boolean reindex = rebuilt.contains(s.baseOffset());
            s.forEachBatchHeader(Math.max(from, 0), batch -> producers.replay(batch).ifPresent(txn -> {
                if (reindex && txn.aborted() && failure[0] == null) {
                    try {
                        s.appendAbortedTransaction(new AbortedTransaction(txn.producerId(), txn.firstOffset(),
                                txn.lastOffset(), txn.lastStableOffset()));
                    } catch (IOException e) {
                        failure[0] = e;
                    }
                }
            }));
            if (failure[0] != null) {
                throw failure[0];
            }
            if (reindex) {
                s.flush();
            }
        }
    }
}
