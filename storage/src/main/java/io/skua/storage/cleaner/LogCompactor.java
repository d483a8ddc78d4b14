package io.skua.storage.cleaner;

import io.skua.storage.AbortedTransaction;
import io.skua.storage.LogConfig;
import io.skua.storage.StorageException;
import io.skua.storage.log.CleaningView;
import io.skua.storage.log.SwapObserver;
import io.skua.storage.log.PartitionLog;
import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Log compaction ({@code cleanup.policy=compact}): keeps the newest record of each key, with its original offset
 * and timestamp, and drops tombstones (null values) {@code delete.retention.ms} after they were first compacted.
 *
 * <h2>A cleaning, in three steps</h2>
 * <ol>
 *   <li>{@link #plan} (the partition's writer thread, cheap): picks the cleanable segments — inactive, wholly
 *       below the high watermark, and no record younger than {@code min.compaction.lag.ms} — and decides whether
 *       the dirty share of their bytes (those at or after the first dirty offset of {@value #CHECKPOINT_FILE})
 *       reaches {@code min.cleanable.dirty.ratio}, or a retained tombstone's delete horizon has passed. It
 *       captures the segment list and each idempotent producer's last batch.</li>
 *   <li>{@link #build} (the cleaner's own thread, throttled by a {@link Throttler}): scans the dirty segments into a
 *       {@link KeyOffsetMap} (key → newest offset; bounded, so a huge dirty range is cleaned over several passes),
 *       then rewrites every cleanable segment from the log start, grouped so that each group's total size stays
 *       under {@code segment.bytes}, into {@code <base>.log.cleaned} files, fsynced. It only reads segments, which
 *       is safe concurrently with the writer; segment files deleted meanwhile make it fail harmlessly.</li>
 *   <li>{@link #swap} (the writer thread): for each group still intact, {@link PartitionLog#replaceSegments}
 *       swaps the cleaned segment in crash-safely; then the new first dirty offset is checkpointed.</li>
 * </ol>
 * {@link #clean} runs all three on the calling thread (tests, tools).
 *
 * <h2>What is kept</h2>
 * A record is kept if it has a key and no record of the same key at a higher offset lies in the scanned dirty range;
 * a kept tombstone is dropped once its batch's delete horizon (KIP-534: set to now + {@code delete.retention.ms} in
 * the batch's base timestamp, attribute bit 6, when the cleaner first keeps it; with {@code delete.retention.ms=0}
 * that is at once) has passed. Records without a key are dropped (Kafka rejects them on compacted topics). Control
 * batches are copied unchanged. A batch is rewritten only if it loses a record or gains a delete horizon; otherwise
 * its bytes are copied as they are. A rewritten batch keeps its base offset, last offset delta, partition leader
 * epoch, producer id/epoch and base sequence, codec and timestamp type; its max timestamp becomes that of its kept
 * records ({@code CreateTime}); it gets a fresh CRC32C. A batch losing every record is dropped, except that it is
 * kept empty (header only, so its producer's sequence survives recovery) when it is its producer's last batch, and
 * the last batch of each group is kept empty too, so a cleaned segment ends at the same offset as the segments it
 * replaces — which is what lets recovery know which segments an interrupted swap replaces.
 *
 * <h2>Safety</h2>
 * Compressed payloads are inflated with a cap ({@code maxDecompressedBytes}); a batch that fails its CRC, exceeds the
 * cap, or does not decode aborts the cleaning of that log (it is then uncleanable; the broker skips it) rather than
 * risking to keep an older value while dropping its tombstone.
 *
 * <h2>Thread-safety</h2>
 * A compactor holds no per-log state; its {@link KeyOffsetMap} is allocated per build. One build per log at a time
 * (the broker runs one cleaner thread). {@link #plan} and {@link #swap} must run on the log's writer thread.
 */
public final class LogCompactor {
    private static final System.Logger LOG = System.getLogger(LogCompactor.class.getName());
    /** Per-partition file: {@code first.dirty.offset} and {@code tombstone.horizon.ms} (Java properties). */
    public static final String CHECKPOINT_FILE = CleanerCheckpoint.FILE;
    private static final SwapObserver NO_OBSERVER = step -> { };

    private final Throttler throttler;
    private final int maxMapEntries;
    private final RecordDecoder decoder;
    private final LongSupplier clock;
    private final SwapObserver observer;
    private volatile boolean stopped;

    /**
     * @param maxMapEntries        distinct keys one pass may track (24 bytes each)
     * @param maxDecompressedBytes the largest inflated payload of one batch accepted
     */
    public LogCompactor(Throttler throttler, int maxMapEntries, int maxDecompressedBytes, LongSupplier clock) {
        this(throttler, maxMapEntries, maxDecompressedBytes, clock, NO_OBSERVER);
    }

    LogCompactor(Throttler throttler, int maxMapEntries, int maxDecompressedBytes, LongSupplier clock,
                 SwapObserver observer) {
        if (maxDecompressedBytes < 1) {
            throw new IllegalArgumentException("maxDecompressedBytes must be positive");
        }
        this.throttler = throttler;
        this.maxMapEntries = maxMapEntries;
        this.decoder = new RecordDecoder(maxDecompressedBytes);
        this.clock = clock;
        this.observer = observer;
    }

    /** Makes builds in progress, and later ones, fail promptly (broker shutdown). */
    public void stop() {
        stopped = true;
    }

    private void acquire(long bytes) {
        if (stopped) {
            throw new StorageException(StorageException.Error.KAFKA_STORAGE_ERROR, "The cleaner is stopping");
        }
        throttler.acquire(bytes);
    }

    /** What one cleaning did. */
    public record Result(int segmentsBefore, int segmentsAfter, long bytesBefore, long bytesAfter,
                         long recordsRemoved, long firstDirtyOffset) {
        static final Result NOTHING = new Result(0, 0, 0, 0, 0, -1);
    }

    /** A planned cleaning: the segments to rewrite, captured on the writer thread. */
    public static final class Plan {
        final CleaningView view;
        final List<Segment> cleanable;
        final long firstDirty;
        final long nowMs;
        /** The aborted transactions overlapping the cleanable segments. */
        final List<AbortedTransaction> aborted;

        private Plan(CleaningView view, List<Segment> cleanable, long firstDirty, long nowMs,
                     List<AbortedTransaction> aborted) {
            this.view = view;
            this.cleanable = cleanable;
            this.firstDirty = firstDirty;
            this.nowMs = nowMs;
            this.aborted = aborted;
        }
    }

    /** The cleaned segments of a {@link Plan}, ready to swap in; {@link #discard()} if they will not be. */
    public static final class Cleaned {
        final Plan plan;
        final List<List<Segment>> groups;
        final List<Segment> outputs;
        final long firstDirtyAfter;
        final long horizon;
        final long recordsRemoved;

        private Cleaned(Plan plan, List<List<Segment>> groups, List<Segment> outputs, long firstDirtyAfter,
                        long horizon, long recordsRemoved) {
            this.plan = plan;
            this.groups = groups;
            this.outputs = outputs;
            this.firstDirtyAfter = firstDirtyAfter;
            this.horizon = horizon;
            this.recordsRemoved = recordsRemoved;
        }

        /** Deletes the cleaned files not swapped in. Safe to call more than once. */
        public void discard() {
            for (Segment s : outputs) {
                if (s != null) {
                    try {
                        s.delete();
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.DEBUG, "cannot delete cleaned segment {0}: {1}", s, e);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- 1. plan (writer thread)

    /** Decides whether {@code log} is due for cleaning; see the class comment. Writer thread. */
    public Optional<Plan> plan(PartitionLog log) {
        CleaningView view = log.cleaningView();
        LogConfig cfg = view.config();
        if (!cfg.compactEnabled()) {
            return Optional.empty();
        }
        long now = clock.getAsLong();
        List<Segment> all = view.segments();
        List<Segment> cleanable = new ArrayList<>();
        try {
            for (int i = 0; i < all.size() - 1; i++) {
                Segment s = all.get(i);
                if (s.nextOffset() > view.lastStableOffset()
                        || (cfg.minCompactionLagMs() > 0 && now - s.largestTimestamp() < cfg.minCompactionLagMs())) {
                    break;
                }
                cleanable.add(s);
            }
        } catch (IOException e) {
            throw StorageException.io("Cannot plan cleaning of " + view.dir(), e);
        }
        if (cleanable.isEmpty()) {
            return Optional.empty();
        }
        CleanerCheckpoint checkpoint = CleanerCheckpoint.read(view.dir());
        long end = cleanable.get(cleanable.size() - 1).nextOffset();
        long firstDirty = Math.min(Math.max(checkpoint.firstDirtyOffset(), view.logStartOffset()), end);
        long horizon = checkpoint.tombstoneHorizonMs();
        long dirtyBytes = 0;
        long totalBytes = 0;
        for (Segment s : cleanable) {
            totalBytes += s.size();
            if (s.nextOffset() > firstDirty) {
                dirtyBytes += s.size();
            }
        }
        boolean horizonPassed = horizon >= 0 && horizon <= now;
        double ratio = totalBytes == 0 ? 0 : (double) dirtyBytes / totalBytes;
        if (!horizonPassed && (dirtyBytes == 0 || ratio < cfg.minCleanableDirtyRatio())) {
            return Optional.empty();
        }
        List<AbortedTransaction> aborted = log.abortedTransactions(cleanable.get(0).baseOffset(), end);
        return Optional.of(new Plan(view, List.copyOf(cleanable), firstDirty, now, aborted));
    }

    // ---------------------------------------------------------------- 2. build (cleaner thread)

    /**
     * Writes the cleaned segments of {@code plan} to {@code .cleaned} files. Runs on the cleaner's thread, off the
     * writer; throttled.
     *
     * @throws StorageException CORRUPT_MESSAGE for a batch that fails its CRC or does not decode,
     *                          KAFKA_STORAGE_ERROR for I/O errors (a segment deleted meanwhile included)
     */
    public Cleaned build(Plan plan) {
        CleaningView view = plan.view;
        LogConfig cfg = view.config();
        KeyOffsetMap map = new KeyOffsetMap(maxMapEntries);
        List<Segment> outputs = new ArrayList<>();
        TransactionTracker transactions = new TransactionTracker(plan.aborted);
        try {
            long mapEnd = buildMap(plan, map, new TransactionTracker(plan.aborted));
            long[] horizon = {-1};
            long removed = 0;
            List<List<Segment>> groups = new ArrayList<>();
            CleanedSegmentWriter writer = null;
            for (Segment s : plan.cleanable) {
                if (s.nextOffset() > mapEnd) {
                    break;
                }
                // Group while the output so far plus all of the next input fits segment.bytes and int32 offsets.
                if (writer != null && (writer.outputSize() + s.size() > cfg.segmentBytes()
                        || s.nextOffset() - 1 - writer.baseOffset() > Integer.MAX_VALUE)) {
                    writer.finish();
                    groups.add(writer.group);
                    removed += writer.removed;
                    writer = null;
                }
                if (writer == null) {
                    writer = new CleanedSegmentWriter(plan, map, s.baseOffset(), horizon, transactions, decoder,
                            this::acquire);
                    outputs.add(writer.out); // from now on, a failure discards it
                }
                writer.add(s);
            }
            if (writer != null) {
                writer.finish();
                groups.add(writer.group);
                removed += writer.removed;
            }
            long firstDirtyAfter = groups.isEmpty() ? plan.firstDirty
                    : Math.max(plan.firstDirty, groups.get(groups.size() - 1).get(groups.get(groups.size() - 1).size() - 1)
                            .nextOffset());
            return new Cleaned(plan, groups, outputs, firstDirtyAfter, horizon[0], removed);
        } catch (IOException e) {
            new Cleaned(plan, List.of(), outputs, 0, -1, 0).discard();
            throw StorageException.io("Cleaning of " + view.dir() + " failed", e);
        } catch (RuntimeException e) {
            new Cleaned(plan, List.of(), outputs, 0, -1, 0).discard();
            throw e;
        }
    }

    /** Scans the dirty segments into {@code map}; returns the offset below which the map is complete. */
    private long buildMap(Plan plan, KeyOffsetMap map, TransactionTracker transactions) throws IOException {
        long end = plan.cleanable.get(plan.cleanable.size() - 1).nextOffset();
        for (Segment s : plan.cleanable) {
            if (s.nextOffset() <= plan.firstDirty) {
                continue;
            }
            long[] full = {-1};
            s.forEachBatch(Integer.MAX_VALUE, batch -> {
                acquire(batch.sizeInBytes());
                if (full[0] >= 0 || batch.lastOffset() < plan.firstDirty || batch.isControl()
                        || transactions.isAborted(batch)) {
                    return;
                }
                if (map.wouldOverflow(batch.recordCount())) {
                    full[0] = batch.baseOffset();
                    return;
                }
                decoder.forEachRecord(batch, record -> {
                    if (record.key != null && record.offset >= plan.firstDirty) {
                        map.put(record.key, record.offset);
                    }
                });
            });
            if (full[0] >= 0) {
                LOG.log(System.Logger.Level.DEBUG, "cleaner map full dir={0} keys={1} at={2}",
                        plan.view.dir().getFileName(), map.size(), full[0]);
                return s.baseOffset();
            }
        }
        return end;
    }

    // ---------------------------------------------------------------- 3. swap (writer thread)

    /**
     * Swaps the cleaned segments in, group by group, and checkpoints the new first dirty offset. A group whose
     * segments changed meanwhile is discarded (and the rest with it); the next pass redoes it. Writer thread.
     */
    public Result swap(PartitionLog log, Cleaned cleaned) {
        int before = 0;
        int after = 0;
        long bytesBefore = 0;
        long bytesAfter = 0;
        boolean complete = true;
        for (int i = 0; i < cleaned.groups.size(); i++) {
            List<Segment> group = cleaned.groups.get(i);
            Segment out = cleaned.outputs.get(i);
            boolean swapped;
            try {
                swapped = complete && log.replaceSegments(group, out, observer);
            } catch (RuntimeException e) {
                // The swap may be half done: its files are now the only copy of the data. Leave them to recovery.
                cleaned.outputs.set(i, null);
                throw e;
            }
            if (!swapped) {
                complete = false;
                cleaned.outputs.set(i, null);
                deleteQuietly(out);
            } else {
                cleaned.outputs.set(i, null);
                before += group.size();
                after++;
                for (Segment s : group) {
                    bytesBefore += s.size();
                }
                bytesAfter += out.size();
            }
        }
        if (!complete) {
            return Result.NOTHING;
        }
        try {
            new CleanerCheckpoint(cleaned.firstDirtyAfter, cleaned.horizon).write(cleaned.plan.view.dir());
        } catch (IOException e) {
            throw StorageException.io("Cannot write the cleaner checkpoint of " + cleaned.plan.view.dir(), e);
        }
        return new Result(before, after, bytesBefore, bytesAfter, cleaned.recordsRemoved, cleaned.firstDirtyAfter);
    }

    /** Plans, builds and swaps on the calling thread, which must be the log's writer. */
    public Result clean(PartitionLog log) {
        Optional<Plan> plan = plan(log);
        if (plan.isEmpty()) {
            return Result.NOTHING;
        }
        Cleaned cleaned = build(plan.get());
        try {
            return swap(log, cleaned);
        } finally {
            cleaned.discard();
        }
    }

    private static void deleteQuietly(Segment s) {
        try {
            s.delete();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot delete cleaned segment {0}: {1}", s, e);
        }
    }
}
