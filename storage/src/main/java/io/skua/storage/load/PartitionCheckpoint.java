package io.skua.storage.load;

import io.skua.storage.file.DurableFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The partition checkpoint file {@value #FILE}: Java properties {@value #RECOVERY_POINT}, {@value #LOG_START_OFFSET}
 * and {@value #HIGH_WATERMARK}, replaced atomically (temp file, fsync, rename, directory fsync). Read by
 * {@link LogLoader}; written by the partition log whenever one of them moves durably.
 *
 * <p>Thread-safety: stateless; the partition's writer is the only one to write the file.
 */
public final class PartitionCheckpoint {
    public static final String FILE = "partition.checkpoint";
    static final String RECOVERY_POINT = "recovery.point";
    static final String LOG_START_OFFSET = "log.start.offset";
    static final String HIGH_WATERMARK = "high.watermark";

    private PartitionCheckpoint() {
    }

    /** Replaces the checkpoint of the partition in {@code dir}. */
    public static void write(Path dir, long recoveryPoint, long logStartOffset, long highWatermark) throws IOException {
        Map<String, String> values = new TreeMap<>();
        values.put(RECOVERY_POINT, Long.toString(recoveryPoint));
        values.put(LOG_START_OFFSET, Long.toString(logStartOffset));
        values.put(HIGH_WATERMARK, Long.toString(highWatermark));
        DurableFiles.writeProperties(dir.resolve(FILE), values, "skua partition checkpoint");
    }
}
