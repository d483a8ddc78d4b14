package io.skua.storage.log;

import io.skua.storage.file.DurableFiles;
import io.skua.storage.retention.SegmentDeletions;
import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The segment files of one partition log (what Kafka's {@code LocalLog} and {@code LogSegments} hold): the
 * copy-on-write list of segments, ascending by base offset, never empty once loaded, the last one active; the changes
 * of that list (roll, removal of the oldest, truncation, a cleaner's swap); fsyncs of its segments; and the delayed
 * deletion of the segments it drops ({@link SegmentDeletions}). It keeps no offsets beyond the segments' own: the
 * partition log decides, and owns the log start and end, the high watermark and the recovery point.
 *
 * <p>Thread-safety: the partition's writer thread changes the list; readers on any thread take {@link #list()} once
 * and use that snapshot (immutable, replaced whole). {@link #flushRolled} may run on any thread.
 */
final class LogSegments {
    private final Path dir;
    private final LongSupplier clock;
    private final SegmentDeletions deletions = new SegmentDeletions();
    /** Copy-on-write, ascending base offsets, never empty once loaded; the last one is active. */
    private volatile List<Segment> list;

    LogSegments(Path dir, LongSupplier clock) {
        this.dir = dir;
        this.clock = clock;
    }

    /** The current list; null only before {@link #set} (a failed open). */
    List<Segment> list() {
        return list;
    }

    /** Writer: publishes {@code segments} as the list. */
    void set(List<Segment> segments) {
        list = List.copyOf(segments);
    }

    Segment active() {
        List<Segment> l = list;
        return l.get(l.size() - 1);
    }

    /** Bytes in all live segments. */
    long sizeInBytes() {
        long total = 0;
        for (Segment s : list) {
            total += s.size();
        }
        return total;
    }

    /** Unmodifiable view for tests and tools. */
    List<Long> baseOffsets() {
        List<Long> bases = new ArrayList<>();
        for (Segment s : list) {
            bases.add(s.baseOffset());
        }
        return Collections.unmodifiableList(bases);
    }

    /** Writer: renames {@code removed} to {@code *.deleted}; their files go at the first purge from {@code dueMs}. */
    void scheduleDeletion(List<Segment> removed, long dueMs) throws IOException {
        deletions.schedule(removed, dueMs);
    }

    /** Writer: closes and deletes the files of removed segments whose delay ended at or before {@code nowMs}. */
    void purgeDeletions(long nowMs) throws IOException {
        deletions.purge(nowMs);
    }

    /**
     * Writer: makes a new empty segment at {@code baseOffset} the active one. The old active segment gets its final
     * time-index entry but no fsync (see {@link PartitionLog#flushRolledSegments}); if it is empty it is dropped.
     *
     * @return the new active segment
     */
    Segment roll(long baseOffset, long nowMs, long delayMs) throws IOException {
        Segment active = active();
        // No fsync of the old segment here: it would stall appends for as long as its dirty pages take to write
        // (seconds under load). flushRolledSegments() does it off the writer; the recovery point stays below the
        // old segment until then, so a crash before it only means that segment is verified on the next start.
        active.finishActive();
        Segment next = Segment.create(dir, baseOffset, nowMs);
        List<Segment> updated = new ArrayList<>(list);
        if (active.size() == 0) {
            // Only a replicated batch far beyond an empty segment's relative-offset range gets here.
            updated.remove(updated.size() - 1);
            deletions.schedule(List.of(active), nowMs + delayMs);
        }
        updated.add(next);
        list = List.copyOf(updated);
        return next;
    }

    /**
     * Writer: removes the batch holding {@code offset} and everything after it; {@code offset} must lie above the
     * first segment's base offset.
     *
     * @return the new end offset of the log
     */
    long truncateTo(long offset, long delayMs) throws IOException {
        List<Segment> l = list;
        int keep = SegmentLookup.floorSegment(l, offset);
        if (l.get(keep).baseOffset() == offset) {
            keep--;
        }
        List<Segment> kept = l.subList(0, keep + 1);
        List<Segment> removed = l.subList(keep + 1, l.size());
        Segment last = kept.get(kept.size() - 1);
        list = List.copyOf(kept);
        scheduleDeletion(removed, clock.getAsLong() + delayMs);
        last.truncateTo(offset);
        return last.nextOffset();
    }

    /** Writer: drops every segment and starts again with one empty segment at {@code offset}. */
    void resetTo(long offset, long delayMs) throws IOException {
        List<Segment> removed = list;
        scheduleDeletion(removed, clock.getAsLong() + delayMs);
        list = List.of(Segment.create(dir, offset, clock.getAsLong()));
    }

    /**
     * Writer: {@link PartitionLog#replaceSegments}: checks that {@code replaced} is still a run of inactive segments of
     * the list and that {@code cleaned} covers it exactly (a complete, fsynced segment whose files carry
     * {@link Segment#CLEANED_SUFFIX}, with the base offset of the first replaced segment and the next offset of the
     * last), then swaps it in crash-safely: rename the cleaned files to {@code .swap}, fsync the directory, rename the
     * old segments to {@code .deleted} (kept readable for {@code file.delete.delay.ms} like retention's), rename the
     * swap files to their final names, fsync the directory, then publish the new segment list. The loader completes a
     * swap interrupted after the first step and discards one interrupted before it.
     *
     * @return false, with nothing changed, if {@code replaced} is gone or would reach the active segment
     * @throws IllegalArgumentException if {@code cleaned} does not start and end where {@code replaced} does
     */
    boolean replace(List<Segment> replaced, Segment cleaned, SwapObserver observer, long delayMs) throws IOException {
        List<Segment> l = list;
        int first = l.indexOf(replaced.get(0));
        if (first < 0 || first + replaced.size() >= l.size()) {
            return false; // gone, or the run would reach the active segment
        }
        for (int i = 0; i < replaced.size(); i++) {
            if (l.get(first + i) != replaced.get(i)) {
                return false;
            }
        }
        Segment last = replaced.get(replaced.size() - 1);
        if (cleaned.baseOffset() != replaced.get(0).baseOffset() || cleaned.nextOffset() != last.nextOffset()) {
            throw new IllegalArgumentException("Cleaned segment " + cleaned + " does not cover " + replaced);
        }
        swap(first, replaced, cleaned, observer, delayMs);
        return true;
    }

    /**
     * Writer: the file protocol of {@link PartitionLog#replaceSegments}, after its checks: rename {@code cleaned} to
     * {@code .swap}, fsync the directory, rename the replaced segments to {@code .deleted}, rename the swap files to
     * their final names, fsync, then publish the list with {@code cleaned} in place of the run starting at
     * {@code first}.
     */
    private void swap(int first, List<Segment> replaced, Segment cleaned, SwapObserver observer, long delayMs)
            throws IOException {
        List<Segment> l = list;
        cleaned.renameFiles(Segment.SWAP_SUFFIX);
        DurableFiles.fsyncDirectory(dir);
        observer.reached(SwapStep.RENAMED_TO_SWAP);
        scheduleDeletion(replaced, clock.getAsLong() + delayMs);
        observer.reached(SwapStep.OLD_SEGMENTS_DELETED);
        cleaned.renameFiles("");
        DurableFiles.fsyncDirectory(dir);
        List<Segment> updated = new ArrayList<>(l.subList(0, first));
        updated.add(cleaned);
        updated.addAll(l.subList(first + replaced.size(), l.size()));
        list = List.copyOf(updated);
        observer.reached(SwapStep.SWAPPED);
    }

    /**
     * Any thread: fsyncs, in order, the segments below the active one that end after {@code from}; stops quietly at a
     * segment closed meanwhile.
     *
     * @return the end offset of the last segment fsynced, -1 if none
     */
    long flushRolled(long from) {
        List<Segment> l = list;
        long through = -1;
        for (int i = 0; i < l.size() - 1; i++) {
            Segment s = l.get(i);
            if (s.nextOffset() <= from) {
                continue;
            }
            try {
                s.flush();
            } catch (IOException e) {
                break;
            }
            through = s.nextOffset();
        }
        return through;
    }

    /** Writer: fsyncs the active segment and every segment ending after {@code recoveryPoint}. */
    void flushFrom(long recoveryPoint) throws IOException {
        for (Segment s : list) {
            if (s.nextOffset() > recoveryPoint || s == active()) {
                s.flush();
            }
        }
    }

    /** Writer: completes every pending deletion and closes the segments (a clean close). */
    void close() throws IOException {
        deletions.purge(Long.MAX_VALUE);
        for (Segment s : list) {
            s.close();
        }
    }

    /** Closes every segment, live or pending deletion, ignoring errors (the log failed). */
    void closeQuietly() {
        List<Segment> l = list == null ? List.of() : list;
        for (Segment s : l) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
        deletions.closeQuietly();
    }
}
