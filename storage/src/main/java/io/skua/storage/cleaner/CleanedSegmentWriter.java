package io.skua.storage.cleaner;

import io.skua.protocol.record.CompressionType;
import io.skua.protocol.record.RecordBatch;
import io.skua.protocol.record.TimestampType;
import io.skua.storage.StorageException;
import io.skua.storage.segment.Segment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Rewrites a run of consecutive segments of a {@link LogCompactor.Plan} into one cleaned segment
 * ({@code <base>.log.cleaned} and its indexes), keeping the records the {@link KeyOffsetMap} says are newest and
 * tombstones within their delete horizon; see {@link LogCompactor} for the rules. Ends the output exactly where the
 * run ends, indexes and fsyncs it.
 *
 * <p>Thread-safety: none; one writer per output, on the cleaner's thread.
 */
final class CleanedSegmentWriter {
    private static final int CRC_OFFSET = 17;
    private static final short DELETE_HORIZON_FLAG = 0x40;

    private final LogCompactor.Plan plan;
    private final KeyOffsetMap map;
    private final RecordDecoder decoder;
    /** Accounts bytes read or written with the throttler (and fails once the cleaner stops). */
    private final LongConsumer acquire;
    private final long[] horizon;
    private final TransactionTracker transactions;
    private final long deleteHorizonIfNew;
    private final int interval;
    final List<Segment> group = new ArrayList<>();
    final Segment out;
    long removed;
    private RecordBatch lastBatch;

    /** @param horizon in/out: the earliest delete horizon of the tombstones kept so far, -1 for none */
    CleanedSegmentWriter(LogCompactor.Plan plan, KeyOffsetMap map, long baseOffset, long[] horizon,
                         TransactionTracker transactions, RecordDecoder decoder, LongConsumer acquire)
            throws IOException {
        this.plan = plan;
        this.transactions = transactions;
        this.map = map;
        this.decoder = decoder;
        this.acquire = acquire;
        this.horizon = horizon;
        this.deleteHorizonIfNew = plan.nowMs + plan.view.config().deleteRetentionMs();
        this.interval = plan.view.config().indexIntervalBytes();
        this.out = Segment.createCleaned(plan.view.dir(), baseOffset, plan.nowMs);
    }

    long baseOffset() {
        return out.baseOffset();
    }

    int outputSize() {
        return out.size();
    }

    void add(Segment s) throws IOException {
        group.add(s);
        s.forEachBatch(Integer.MAX_VALUE, batch -> {
            acquire.accept(batch.sizeInBytes());
            lastBatch = batch;
            ByteBuffer cleaned = clean(batch);
            if (cleaned != null) {
                append(cleaned, interval);
            }
        });
    }

    /** Ends the cleaned segment at the group's end offset, indexes and fsyncs it. */
    void finish() throws IOException {
        long groupEnd = group.get(group.size() - 1).nextOffset();
        if (out.nextOffset() < groupEnd && lastBatch != null && lastBatch.nextOffset() == groupEnd) {
            append(rebuild(lastBatch, new ArrayList<>(), false), interval); // keep the group's end offset
        }
        if (out.nextOffset() != groupEnd) {
            throw new IOException("Cleaned segment " + out + " ends at " + out.nextOffset() + ", not " + groupEnd);
        }
        out.onBecomeInactive(); // final time index entry, fsync
    }

    private void append(ByteBuffer batch, int interval) throws IOException {
        out.append(batch, List.of(RecordBatch.at(batch, batch.position())), interval);
        acquire.accept(batch.remaining());
    }

    /** The batch to write for {@code batch}: itself, a rewritten copy, or null to drop it. */
    private ByteBuffer clean(RecordBatch batch) throws IOException {
        if (!batch.isValid()) {
            throw new StorageException(StorageException.Error.CORRUPT_MESSAGE, "Batch at offset "
                    + batch.baseOffset() + " in " + plan.view.dir() + " fails its CRC");
        }
        if (batch.isControl()) {
            return cleanControl(batch);
        }
        transactions.onDataBatch(batch);
        boolean aborted = transactions.isAborted(batch);
        List<ParsedRecord> kept = new ArrayList<>();
        boolean[] tombstoneKept = {false};
        boolean hasHorizon = batch.hasDeleteHorizon();
        long batchHorizon = hasHorizon ? batch.baseTimestamp() : deleteHorizonIfNew;
        int[] total = {0};
        decoder.forEachRecord(batch, r -> {
            total[0]++;
            if (r.key == null || aborted) {
                return;
            }
            long newest = map.get(r.key);
            if (newest > r.offset) {
                return;
            }
            if (r.tombstone) {
                if (batchHorizon <= plan.nowMs) {
                    return;
                }
                tombstoneKept[0] = true;
            }
            kept.add(r);
        });
        removed += total[0] - kept.size();
        boolean setHorizon = tombstoneKept[0] && !hasHorizon;
        if (tombstoneKept[0]) {
            horizon[0] = horizon[0] < 0 ? batchHorizon : Math.min(horizon[0], batchHorizon);
        }
        if (kept.size() == total[0] && !setHorizon && total[0] > 0) {
            return batch.slice();
        }
        // An empty batch left by an earlier cleaning goes too, unless it still holds a producer's place.
        Long producerLast = batch.hasProducerId() ? plan.view.producerLastOffsets().get(batch.producerId()) : null;
        if (kept.isEmpty() && (producerLast == null || producerLast != batch.lastOffset())) {
            return null;
        }
        return rebuild(batch, kept, setHorizon);
    }

    /**
     * A marker still needed is copied (an abort's index entry goes with it). One whose transaction has no batch left
     * gets a delete horizon (now + {@code delete.retention.ms}) the first time, and goes once it has passed.
     */
    private ByteBuffer cleanControl(RecordBatch batch) throws IOException {
        TransactionTracker.MarkerDecision decision = transactions.onControlBatch(batch);
        if (decision.needed()) {
            if (decision.indexEntry().isPresent()) {
                out.appendAbortedTransaction(decision.indexEntry().get());
            }
            return batch.slice();
        }
        long batchHorizon = batch.hasDeleteHorizon() ? batch.baseTimestamp() : deleteHorizonIfNew;
        if (batchHorizon <= plan.nowMs) {
            return null;
        }
        horizon[0] = horizon[0] < 0 ? batchHorizon : Math.min(horizon[0], batchHorizon);
        if (batch.hasDeleteHorizon()) {
            return batch.slice();
        }
        List<ParsedRecord> records = new ArrayList<>();
        decoder.forEachRecord(batch, records::add);
        return rebuild(batch, records, true);
    }

    /** A copy of {@code batch}'s header with only {@code kept} records (maybe none). */
    private ByteBuffer rebuild(RecordBatch batch, List<ParsedRecord> kept, boolean setHorizon) throws IOException {
        long baseTimestamp = batch.baseTimestamp();
        long newBase = setHorizon ? deleteHorizonIfNew : baseTimestamp;
        boolean logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME;
        long maxTimestamp = kept.isEmpty() || logAppendTime ? batch.maxTimestamp() : RecordBatch.NO_TIMESTAMP;
        int rawSize = 0;
        for (ParsedRecord r : kept) {
            rawSize += r.length + 20; // room for a longer timestamp delta
        }
        ByteBuffer raw = ByteBuffer.allocate(rawSize);
        for (ParsedRecord r : kept) {
            if (!logAppendTime) {
                maxTimestamp = Math.max(maxTimestamp, r.timestamp);
            }
            if (newBase == baseTimestamp) {
                raw.put(r.bytes, r.start, r.length);
            } else {
                r.writeWithTimestampDelta(raw, r.timestamp - newBase);
            }
        }
        CompressionType codec = batch.compressionType();
        byte[] payload = kept.isEmpty() ? new byte[0] : BatchCodecs.compress(codec, raw.array(), 0, raw.position());
        short attributes = batch.attributes();
        if (setHorizon) {
            attributes |= DELETE_HORIZON_FLAG;
        }
        if (kept.isEmpty() && !batch.hasDeleteHorizon()) {
            newBase = maxTimestamp; // an empty batch carries its max timestamp as its first, as Kafka's do
        }
        ByteBuffer b = ByteBuffer.allocate(RecordBatch.HEADER_SIZE + payload.length);
        b.putLong(batch.baseOffset())
                .putInt(b.capacity() - RecordBatch.LOG_OVERHEAD)
                .putInt(batch.partitionLeaderEpoch())
                .put(RecordBatch.MAGIC)
                .putInt(0)
                .putShort(attributes)
                .putInt(batch.lastOffsetDelta())
                .putLong(newBase)
                .putLong(maxTimestamp)
                .putLong(batch.producerId())
                .putShort(batch.producerEpoch())
                .putInt(batch.baseSequence())
                .putInt(kept.size())
                .put(payload);
        b.flip();
        b.putInt(CRC_OFFSET, (int) RecordBatch.at(b, 0).computeCrc());
        return b;
    }
}
