package io.skua.storage.producer;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The transactions of one partition that keep its last stable offset (LSO) down, as Kafka's producer state tracks
 * them: the <em>ongoing</em> ones (a producer appended a transactional batch and no marker yet) and the
 * <em>unreplicated</em> ones (their marker is written but not yet below the high watermark, so a new leader might
 * not have it). {@link #firstUnstableOffset()} is the first offset of the oldest of either; the partition's LSO is
 * that, clamped to [log start, high watermark].
 *
 * <p>Thread-safety: none; only the partition's writer thread uses it (through {@link ProducerStateManager}).
 */
public final class TransactionState {
    /** No transaction keeps the LSO down. */
    public static final long NONE = Long.MAX_VALUE;

    /** First offset -> producer id of the ongoing transactions. */
    private final TreeMap<Long, Long> ongoing = new TreeMap<>();
    /** First offset -> marker offset of completed transactions whose marker is not yet below the high watermark. */
    private final TreeMap<Long, Long> unreplicated = new TreeMap<>();

    void started(long producerId, long firstOffset) {
        ongoing.put(firstOffset, producerId);
    }

    /**
     * Records that {@code producerId}'s transaction starting at {@code firstOffset} ended with the marker at
     * {@code markerOffset}.
     *
     * @return the LSO right after it (Kafka's rule for the aborted-transaction index): the first offset of the oldest
     *         transaction of another producer still ongoing, else {@code markerOffset + 1}
     */
    long completed(long producerId, long firstOffset, long markerOffset) {
        long lso = markerOffset + 1;
        for (Map.Entry<Long, Long> e : ongoing.entrySet()) {
            if (e.getValue() != producerId) {
                lso = e.getKey();
                break;
            }
        }
        ongoing.remove(firstOffset);
        unreplicated.put(firstOffset, markerOffset);
        return lso;
    }

    /** Forgets completed transactions whose marker is below {@code highWatermark}. */
    public void onHighWatermarkUpdated(long highWatermark) {
        Iterator<Map.Entry<Long, Long>> it = unreplicated.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() < highWatermark) {
                it.remove();
            }
        }
    }

    /** The first offset of the oldest ongoing or unreplicated transaction, or {@link #NONE}. */
    public long firstUnstableOffset() {
        long first = ongoing.isEmpty() ? NONE : ongoing.firstKey();
        return unreplicated.isEmpty() ? first : Math.min(first, unreplicated.firstKey());
    }

    /** The number of ongoing transactions. */
    public int ongoingCount() {
        return ongoing.size();
    }

    void clear() {
        ongoing.clear();
        unreplicated.clear();
    }
}
