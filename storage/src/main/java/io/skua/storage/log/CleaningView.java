package io.skua.storage.log;

import io.skua.storage.LogConfig;
import io.skua.storage.segment.Segment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the cleaner needs to plan a cleaning of a partition log, captured on its writer thread
 * ({@link PartitionLog#cleaningView}). Immutable.
 *
 * @param producerLastOffsets producer id -> last offset of its last batch (kept, maybe empty, by the cleaner)
 * @param lastStableOffset    the cleaner cleans only below it (and below the high watermark)
 */
public record CleaningView(Path dir, List<Segment> segments, long logStartOffset, long highWatermark, LogConfig config,
                           Map<Long, Long> producerLastOffsets, long lastStableOffset) {
}
