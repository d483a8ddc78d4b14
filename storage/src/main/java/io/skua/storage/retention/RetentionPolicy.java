package io.skua.storage.retention;

import io.skua.storage.LogConfig;
import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.util.List;

/**
 * Which of a log's oldest segments go: by time ({@code retention.ms}) and size ({@code retention.bytes}) when
 * {@code cleanup.policy} includes {@code delete}, and below the log start offset (after DeleteRecords) always. Only
 * whole segments go, never the active one and never one holding data at or above the high watermark. It decides;
 * the partition log removes the segments and {@link SegmentDeletions} deletes their files later.
 *
 * <p>Thread-safety: stateless; called on the partition's writer thread with the segment list it sees.
 */
public final class RetentionPolicy {
    private RetentionPolicy() {
    }

    /**
     * How many segments from the start of {@code list} retention deletes now: while the next segment starts at or
     * below the high watermark and the segment is wholly below the log start, or its largest timestamp is older than
     * {@code retention.ms}, or the log exceeds {@code retention.bytes} by at least its size.
     *
     * @param sizeInBytes the bytes in all of {@code list}
     */
    public static int segmentsToDelete(List<Segment> list, LogConfig cfg, long logStartOffset, long highWatermark,
                                       long sizeInBytes, long nowMs) throws IOException {
        int deletable = 0;
        long excess = cfg.retentionBytes() < 0 ? 0 : sizeInBytes - cfg.retentionBytes();
        for (int i = 0; i < list.size() - 1; i++) {
            Segment s = list.get(i);
            long nextBase = list.get(i + 1).baseOffset();
            if (nextBase > highWatermark) {
                break;
            }
            boolean belowStart = nextBase <= logStartOffset;
            boolean expired = cfg.deleteEnabled() && cfg.retentionMs() >= 0
                    && nowMs - s.largestTimestamp() > cfg.retentionMs();
            boolean tooBig = cfg.deleteEnabled() && cfg.retentionBytes() >= 0 && excess >= s.size();
            if (!(belowStart || expired || tooBig)) {
                break;
            }
            excess -= s.size();
            deletable++;
        }
        return deletable;
    }

    /** DeleteRecords: how many segments from the start of {@code list} lie wholly below {@code logStartOffset}. */
    public static int segmentsBelow(List<Segment> list, long logStartOffset) {
        int deletable = 0;
        while (deletable < list.size() - 1 && list.get(deletable + 1).baseOffset() <= logStartOffset) {
            deletable++;
        }
        return deletable;
    }
}
