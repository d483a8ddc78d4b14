package io.skua.storage.retention;

import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Segments removed from a log (by retention, DeleteRecords, truncation or a cleaner swap) whose files are deleted
 * later: {@link #schedule} renames them to {@code *.deleted} at once and {@link #purge} closes and deletes them once
 * {@code file.delete.delay.ms} has passed, so fetch regions handed out before stay readable until then. A crash leaves
 * the {@code *.deleted} files for the next open to remove.
 *
 * <p>Thread-safety: none; only the partition's writer thread uses it.
 */
public final class SegmentDeletions {
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    private record Pending(Segment segment, long dueMs) {
    }

    /** Renames {@code removed} to {@code *.deleted}; their files go at the first {@link #purge} from {@code dueMs}. */
    public void schedule(List<Segment> removed, long dueMs) throws IOException {
        for (Segment s : removed) {
            s.renameForDeletion();
            pending.addLast(new Pending(s, dueMs));
        }
    }

    /** Closes and deletes the segments whose delay ended at or before {@code nowMs}. */
    public void purge(long nowMs) throws IOException {
        while (!pending.isEmpty() && pending.peekFirst().dueMs() <= nowMs) {
            pending.removeFirst().segment().delete();
        }
    }

    /** Closes every pending segment, leaving its files (the log failed or is closing after a failure). */
    public void closeQuietly() {
        for (Pending p : pending) {
            try {
                p.segment().close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }
}
