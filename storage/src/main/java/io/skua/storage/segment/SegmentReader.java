package io.skua.storage.segment;

import io.skua.protocol.record.CompressionType;
import io.skua.protocol.record.Record;
import io.skua.protocol.record.RecordBatch;
import io.skua.protocol.record.TimestampType;
import io.skua.storage.FetchSlice;
import io.skua.storage.TimestampOffset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The read path of a {@link Segment}: fetches of whole batches (through the recent-batch starts and the tail ring when
 * a consumer follows the tail, else the offset index), timestamp lookups, and scans for recovery and the cleaner.
 *
 * <p>Thread-safety: any thread, concurrently with the segment's writer. Every read first takes the segment's volatile
 * size and only looks at bytes below it, which the writer publishes after the bytes and their index entries; all file
 * reads are positional.
 */
final class SegmentReader {
    /** Control batches up to this size are passed whole by {@link #forEachBatchHeader} (a marker is 78 bytes). */
    private static final int MAX_WHOLE_CONTROL_BATCH = 4096;
    private final Segment segment;
    private final SparseIndex offsetIndex;
    private final SparseIndex timeIndex;

    SegmentReader(Segment segment, SparseIndex offsetIndex, SparseIndex timeIndex) {
        this.segment = segment;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
    }

    /**
     * Whole batches from the one holding {@code startOffset} (or the first after it), ending before any batch whose
     * last offset is {@code maxOffsetExclusive} or more, at most {@code maxBytes} unless the first batch alone is
     * bigger. Empty if this segment has no such first batch.
     */
    FetchSlice read(long startOffset, int maxBytes, long maxOffsetExclusive) throws IOException {
        int limit = segment.size();
        ByteBuffer scratch = headerBuffer();
        RecordBatch h = null;
        int pos = segment.recentStart(startOffset, limit);
        if (pos >= 0) {
            h = header(pos, limit, scratch);
            if (h == null || h.baseOffset() != startOffset) {
                h = null; // stale (truncated meanwhile): look it up
            }
        }
        if (h == null) {
            pos = segment.positionFor(startOffset);
            while (true) {
                h = header(pos, limit, scratch);
                if (h == null) {
                    return FetchSlice.EMPTY;
                }
                if (h.lastOffset() >= startOffset) {
                    break;
                }
                pos += h.sizeInBytes();
            }
        }
        if (h.lastOffset() >= maxOffsetExclusive) {
            return FetchSlice.EMPTY;
        }
        int first = pos;
        int total = h.sizeInBytes();
        pos += total;
        if (maxOffsetExclusive >= segment.nextOffset() && (long) first + maxBytes >= limit) {
            // Everything up to the end is below the bound and fits: whole batches up to limit, no more reads.
            return new FetchSlice(segment.channel(), first, limit - first);
        }
        if (maxOffsetExclusive >= segment.nextOffset() && maxBytes > total) {
            // Every batch below limit is below the bound: jump through the index close to the byte limit.
            int i = offsetIndex.floorByValue(Math.min((long) first + maxBytes, limit));
            if (i >= 0 && offsetIndex.value(i) > pos) {
                pos = offsetIndex.value(i);
                total = pos - first;
            }
        }
        while (true) {
            h = header(pos, limit, scratch);
            if (h == null || h.lastOffset() >= maxOffsetExclusive || (long) total + h.sizeInBytes() > maxBytes) {
                break;
            }
            total += h.sizeInBytes();
            pos += h.sizeInBytes();
        }
        return new FetchSlice(segment.channel(), first, total);
    }

    /**
     * {@link #read} answered without searching the file: when {@code startOffset} starts one of the recently appended
     * batches and everything from there to the end is below the bound and fits in {@code maxBytes} (a consumer
     * following the tail). Up to {@link TailBytes#CAPACITY} bytes come copied from memory; a larger region, or one the
     * ring no longer holds, is a file region. Null when the read needs the file.
     */
    FetchSlice readRecent(long startOffset, int maxBytes, long maxOffsetExclusive) {
        TailBytes t = segment.tail();
        long stamp = t == null ? -1 : t.stamp();
        int limit = segment.size();
        if (maxOffsetExclusive < segment.nextOffset()) {
            return null;
        }
        int pos = segment.recentStart(startOffset, limit);
        if (pos < 0 || (long) pos + maxBytes < limit) {
            return null;
        }
        ByteBuffer bytes = t != null && limit - pos <= TailBytes.CAPACITY ? t.copy(stamp, pos, limit) : null;
        return new FetchSlice(segment.channel(), pos, limit - pos, bytes);
    }

    /**
     * The first record at or after {@code minOffset} whose timestamp is at least {@code timestamp}. Exact for
     * uncompressed {@code CreateTime} batches (their records are decoded); for a compressed batch, the batch's base
     * offset (or {@code minOffset}) and its max timestamp; under {@code LogAppendTime} every record has the batch's
     * max timestamp, so the first record is exact.
     */
    Optional<TimestampOffset> findByTimestamp(long timestamp, long minOffset) throws IOException {
        int limit = segment.size();
        ByteBuffer scratch = headerBuffer();
        int pos = segment.positionFor(minOffset);
        int t = timeIndex.floorByKey(timestamp - 1);
        if (t >= 0) {
            pos = Math.max(pos, segment.positionFor(segment.baseOffset() + timeIndex.value(t)));
        }
        while (true) {
            RecordBatch h = header(pos, limit, scratch);
            if (h == null) {
                return Optional.empty();
            }
            if (h.maxTimestamp() >= timestamp && h.lastOffset() >= minOffset) {
                Optional<TimestampOffset> found = firstRecordAtOrAfter(h, pos, timestamp, minOffset);
                if (found.isPresent()) {
                    return found;
                }
            }
            pos += h.sizeInBytes();
        }
    }

    private Optional<TimestampOffset> firstRecordAtOrAfter(RecordBatch header, int pos, long timestamp, long minOffset)
            throws IOException {
        if (header.compressionType() != CompressionType.NONE
                || header.timestampType() == TimestampType.LOG_APPEND_TIME) {
            return Optional.of(new TimestampOffset(header.maxTimestamp(), Math.max(header.baseOffset(), minOffset)));
        }
        ByteBuffer batch = ByteBuffer.allocate(header.sizeInBytes());
        readFully(batch, pos);
        for (Iterator<Record> it = RecordBatch.at(batch, 0).records(); it.hasNext(); ) {
            Record r = it.next();
            if (r.timestamp() >= timestamp && r.offset() >= minOffset) {
                return Optional.of(new TimestampOffset(r.timestamp(), r.offset()));
            }
        }
        return Optional.empty();
    }

    /**
     * Calls {@code action} with the header of every batch whose base offset is {@code fromOffset} or more; a control
     * batch (a transaction marker, small) is passed whole so its record can be read.
     */
    void forEachBatchHeader(long fromOffset, Consumer<RecordBatch> action) throws IOException {
        int limit = segment.size();
        ByteBuffer scratch = headerBuffer();
        int pos = segment.positionFor(fromOffset);
        RecordBatch h;
        while ((h = header(pos, limit, scratch)) != null) {
            if (h.baseOffset() >= fromOffset && h.isControl() && h.sizeInBytes() <= MAX_WHOLE_CONTROL_BATCH) {
                ByteBuffer whole = ByteBuffer.allocate(h.sizeInBytes()); // a marker: its record is needed
                readFully(whole, pos);
                action.accept(RecordBatch.at(whole.flip(), 0));
            } else if (h.baseOffset() >= fromOffset) {
                action.accept(h);
            }
            pos += h.sizeInBytes();
        }
    }

    /**
     * Reads every whole batch of the segment, in order, into a fresh heap buffer each and passes it to
     * {@code visitor} (which may keep it). Safe on any thread: it only reads below the published size. Nothing is
     * validated beyond the framing {@link Segment#header} checks.
     *
     * @throws IOException if a batch is larger than {@code maxBatchBytes}, or on I/O failure (the segment may have
     *                     been deleted and closed meanwhile)
     */
    void forEachBatch(int maxBatchBytes, Segment.BatchVisitor visitor) throws IOException {
        int limit = segment.size();
        ByteBuffer scratch = headerBuffer();
        int pos = 0;
        RecordBatch h;
        while ((h = header(pos, limit, scratch)) != null) {
            int batchSize = h.sizeInBytes();
            if (batchSize > maxBatchBytes) {
                throw new IOException("Batch at offset " + h.baseOffset() + " of " + segment.logPath() + " has "
                        + batchSize + " bytes, more than " + maxBatchBytes);
            }
            ByteBuffer batch = ByteBuffer.allocate(batchSize);
            readFully(batch, pos);
            visitor.visit(RecordBatch.at(batch.flip(), 0));
            pos += batchSize;
        }
    }

    /** True if the CRC32C of the batch at {@code pos} (whose header is {@code header}) matches; reads in chunks. */
    boolean crcMatches(RecordBatch header, int pos, ByteBuffer chunk) throws IOException {
        CRC32C crc = new CRC32C();
        int from = RecordBatch.CRC_COVERED_FROM;
        crc.update(header.buffer().slice(from, RecordBatch.HEADER_SIZE - from));
        long at = pos + (long) RecordBatch.HEADER_SIZE;
        long end = pos + (long) header.sizeInBytes();
        while (at < end) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), end - at));
            int read = segment.channel().read(chunk, at);
            if (read <= 0) {
                return false;
            }
            at += read;
            crc.update(chunk.flip());
        }
        return crc.getValue() == header.crc();
    }

    static ByteBuffer headerBuffer() {
        return ByteBuffer.allocate(RecordBatch.HEADER_SIZE);
    }

    /**
     * The v2 header at {@code pos} (a view over {@code scratch}), or null if the batch is not entirely below
     * {@code limit}, or its magic or length is impossible.
     */
    RecordBatch header(int pos, int limit, ByteBuffer scratch) throws IOException {
        if ((long) pos + RecordBatch.HEADER_SIZE > limit) {
            return null;
        }
        scratch.clear();
        readFully(scratch, pos);
        RecordBatch h = RecordBatch.at(scratch, 0);
        if (h.magic() != RecordBatch.MAGIC || h.batchLength() < RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD
                || (long) pos + h.sizeInBytes() > limit) {
            return null;
        }
        return h;
    }

    void readFully(ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            if (segment.channel().read(dst, position + dst.position()) < 0) {
                throw new IOException("Unexpected end of " + segment.logPath());
            }
        }
    }
}
