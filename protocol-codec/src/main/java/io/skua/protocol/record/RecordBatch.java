package io.skua.protocol.record;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

/**
 * A zero-copy view of one Kafka record batch (magic v2) at a fixed position of a {@link ByteBuffer}.
 * Accessors read the buffer in place with absolute gets (the buffer's position and limit are never changed);
 * the setters rewrite it in place. Creating a view copies nothing and validates nothing: see
 * {@link #sizeAt(ByteBuffer, int)} and {@link #batches(ByteBuffer)} for framing, {@link #ensureValid()} for the CRC.
 *
 * <pre>
 * offset  size  field
 *      0     8  baseOffset
 *      8     4  batchLength            (bytes after this field: total size = batchLength + 12)
 *     12     4  partitionLeaderEpoch
 *     16     1  magic                  (2)
 *     17     4  crc                    (CRC32C of every byte from attributes to the end of the batch)
 *     21     2  attributes             (bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control,
 *                                       6 has delete horizon)
 *     23     4  lastOffsetDelta
 *     27     8  baseTimestamp          (first timestamp; the delete horizon when bit 6 is set)
 *     35     8  maxTimestamp
 *     43     8  producerId
 *     51     2  producerEpoch
 *     53     4  baseSequence
 *     57     4  recordCount
 *     61        records (compressed as a whole when the codec is not NONE)
 * </pre>
 *
 * Because the CRC starts at the attributes, {@link #setBaseOffset(long)} and {@link #setPartitionLeaderEpoch(int)}
 * leave it valid; {@link #setLogAppendTime(long)} recomputes it.
 *
 * <p>For a batch whose {@link #magic()} is not 2 (the legacy v0/v1 message formats) only
 * {@link #baseOffset()}, {@link #sizeInBytes()} and {@link #magic()} mean anything.
 *
 * <p>Not thread-safe when written; concurrent readers of an unchanging buffer are fine.
 */
public final class RecordBatch {
    public static final byte MAGIC = 2;
    /** baseOffset + batchLength: the bytes before what batchLength counts. */
    public static final int LOG_OVERHEAD = 12;
    /** Size of the v2 header, i.e. of a batch with no records. */
    public static final int HEADER_SIZE = 61;
    /** Smallest legal batchLength of any message format (a v0 message with null key and value). */
    private static final int MIN_LEGACY_LENGTH = 14;

    static final int BASE_OFFSET_OFFSET = 0;
    static final int LENGTH_OFFSET = 8;
    static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    static final int MAGIC_OFFSET = 16;
    static final int CRC_OFFSET = 17;
    static final int ATTRIBUTES_OFFSET = 21;
    /** The CRC covers the batch from this offset (the attributes) to its end. */
    public static final int CRC_COVERED_FROM = ATTRIBUTES_OFFSET;
    static final int LAST_OFFSET_DELTA_OFFSET = 23;
    static final int BASE_TIMESTAMP_OFFSET = 27;
    static final int MAX_TIMESTAMP_OFFSET = 35;
    static final int PRODUCER_ID_OFFSET = 43;
    static final int PRODUCER_EPOCH_OFFSET = 51;
    static final int BASE_SEQUENCE_OFFSET = 53;
    static final int RECORD_COUNT_OFFSET = 57;
    static final int RECORDS_OFFSET = HEADER_SIZE;

    private static final int COMPRESSION_MASK = 0x07;
    private static final int TIMESTAMP_TYPE_MASK = 0x08;
    private static final int TRANSACTIONAL_MASK = 0x10;
    private static final int CONTROL_MASK = 0x20;
    private static final int DELETE_HORIZON_MASK = 0x40;

    /** {@link #producerId()} of a batch from a non-idempotent producer. */
    public static final long NO_PRODUCER_ID = -1L;
    public static final int NO_SEQUENCE = -1;
    public static final long NO_TIMESTAMP = -1L;

    private final ByteBuffer buffer;
    private final int position;

    private RecordBatch(ByteBuffer buffer, int position) {
        this.buffer = buffer;
        this.position = position;
    }

    /** A view of the batch starting at absolute {@code position} of {@code buffer}; nothing is checked. */
    public static RecordBatch at(ByteBuffer buffer, int position) {
        return new RecordBatch(buffer, position);
    }

    /**
     * The size of the batch at {@code position} if all of it lies before {@code buffer.limit()}, or -1 if the
     * buffer ends first (a truncated tail: too few bytes for the length field, or fewer than it announces).
     *
     * @throws CorruptBatchException if the length field is too small for any message format, or for v2 when
     *                               the magic byte is 2
     */
    public static int sizeAt(ByteBuffer buffer, int position) {
        int remaining = buffer.limit() - position;
        if (remaining < LOG_OVERHEAD) {
            return -1;
        }
        int length = buffer.getInt(position + LENGTH_OFFSET);
        if (length < MIN_LEGACY_LENGTH) {
            throw new CorruptBatchException("Record batch length " + length + " is below the minimum");
        }
        if (remaining - LOG_OVERHEAD < length) {
            return -1;
        }
        if (buffer.get(position + MAGIC_OFFSET) == MAGIC && length < HEADER_SIZE - LOG_OVERHEAD) {
            throw new CorruptBatchException("Record batch length " + length + " is below the v2 header size");
        }
        return length + LOG_OVERHEAD;
    }

    /**
     * The complete batches from {@code buffer.position()} to its limit, in order. Iteration stops silently at a
     * truncated tail (see {@link #sizeAt}); {@link BatchIterator#validBytes()} tells where.
     *
     * @throws CorruptBatchException from {@code hasNext()} if a length field is impossible
     */
    public static BatchIterator batches(ByteBuffer buffer) {
        return new BatchIterator(buffer);
    }

    /**
     * Iterates the complete batches of a buffer once (as an {@link Iterable} it returns itself, for for-each loops);
     * {@link #validBytes()} counts the bytes they cover. The buffer's position is not moved.
     */
    public static final class BatchIterator implements Iterator<RecordBatch>, Iterable<RecordBatch> {
        private final ByteBuffer buffer;
        private final int start;
        private int next;
        private int nextSize = -2;

        private BatchIterator(ByteBuffer buffer) {
            this.buffer = buffer;
            this.start = buffer.position();
            this.next = start;
        }

        @Override
        public boolean hasNext() {
            if (nextSize == -2) {
                nextSize = sizeAt(buffer, next);
            }
            return nextSize > 0;
        }

        @Override
        public RecordBatch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            RecordBatch batch = new RecordBatch(buffer, next);
            next += nextSize;
            nextSize = -2;
            return batch;
        }

        /** Bytes from the start up to the end of the last batch returned so far. */
        public int validBytes() {
            return next - start;
        }

        @Override
        public Iterator<RecordBatch> iterator() {
            return this;
        }
    }

    /** Absolute position of the batch in its buffer. */
    public int position() {
        return position;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    /** A zero-copy slice of exactly this batch's bytes. */
    public ByteBuffer slice() {
        return buffer.slice(position, sizeInBytes());
    }

    public int sizeInBytes() {
        return LOG_OVERHEAD + batchLength();
    }

    public long baseOffset() {
        return buffer.getLong(position + BASE_OFFSET_OFFSET);
    }

    public int batchLength() {
        return buffer.getInt(position + LENGTH_OFFSET);
    }

    public int partitionLeaderEpoch() {
        return buffer.getInt(position + PARTITION_LEADER_EPOCH_OFFSET);
    }

    public byte magic() {
        return buffer.get(position + MAGIC_OFFSET);
    }

    /** The stored CRC32C as an unsigned value. */
    public long crc() {
        return Integer.toUnsignedLong(buffer.getInt(position + CRC_OFFSET));
    }

    public short attributes() {
        return buffer.getShort(position + ATTRIBUTES_OFFSET);
    }

    /** @throws CorruptBatchException if the codec bits name no codec */
    public CompressionType compressionType() {
        return CompressionType.forId(attributes() & COMPRESSION_MASK);
    }

    public TimestampType timestampType() {
        return (attributes() & TIMESTAMP_TYPE_MASK) == 0 ? TimestampType.CREATE_TIME : TimestampType.LOG_APPEND_TIME;
    }

    public boolean isTransactional() {
        return (attributes() & TRANSACTIONAL_MASK) != 0;
    }

    public boolean isControl() {
        return (attributes() & CONTROL_MASK) != 0;
    }

    /** When set, {@link #baseTimestamp()} holds the delete horizon of a compacted batch (KIP-534). */
    public boolean hasDeleteHorizon() {
        return (attributes() & DELETE_HORIZON_MASK) != 0;
    }

    public int lastOffsetDelta() {
        return buffer.getInt(position + LAST_OFFSET_DELTA_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    /** The offset after this batch. */
    public long nextOffset() {
        return lastOffset() + 1;
    }

    /** The first timestamp of the batch (Kafka's "baseTimestamp"/"firstTimestamp"). */
    public long baseTimestamp() {
        return buffer.getLong(position + BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buffer.getLong(position + MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return buffer.getLong(position + PRODUCER_ID_OFFSET);
    }

    public boolean hasProducerId() {
        return producerId() > NO_PRODUCER_ID;
    }

    public short producerEpoch() {
        return buffer.getShort(position + PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return buffer.getInt(position + BASE_SEQUENCE_OFFSET);
    }

    /** The sequence of the last record: {@code baseSequence + lastOffsetDelta}, wrapping past Integer.MAX_VALUE to 0. */
    public int lastSequence() {
        int base = baseSequence();
        return base == NO_SEQUENCE ? NO_SEQUENCE : incrementSequence(base, lastOffsetDelta());
    }

    /** {@code sequence + increment} in Kafka's sequence space, which wraps from Integer.MAX_VALUE to 0. */
    public static int incrementSequence(int sequence, int increment) {
        if (sequence > Integer.MAX_VALUE - increment) {
            return increment - (Integer.MAX_VALUE - sequence) - 1;
        }
        return sequence + increment;
    }

    public int recordCount() {
        return buffer.getInt(position + RECORD_COUNT_OFFSET);
    }

    /** CRC32C of the bytes from attributes to the end of the batch, as an unsigned value. */
    public long computeCrc() {
        CRC32C crc = new CRC32C();
        int from = position + CRC_COVERED_FROM;
        crc.update(buffer.slice(from, position + sizeInBytes() - from));
        return crc.getValue();
    }

    /** True if the batch is a complete v2 batch whose stored CRC matches its bytes. */
    public boolean isValid() {
        return buffer.limit() - position >= HEADER_SIZE
                && magic() == MAGIC
                && batchLength() >= HEADER_SIZE - LOG_OVERHEAD
                && buffer.limit() - position >= sizeInBytes()
                && crc() == computeCrc();
    }

    /** @throws CorruptBatchException if not {@link #isValid()} */
    public void ensureValid() {
        if (!isValid()) {
            throw new CorruptBatchException("Record batch at offset " + baseOffset() + " is corrupt (magic " + magic()
                    + ", stored crc " + crc() + ")");
        }
    }

    /** Rewrites the base offset; the CRC does not cover it. */
    public void setBaseOffset(long baseOffset) {
        buffer.putLong(position + BASE_OFFSET_OFFSET, baseOffset);
    }

    /** Rewrites the partition leader epoch; the CRC does not cover it. */
    public void setPartitionLeaderEpoch(int epoch) {
        buffer.putInt(position + PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    /**
     * Marks the batch {@code LogAppendTime} with {@code timestamp} as its max timestamp (the timestamp every
     * record then reports) and recomputes the CRC. A no-op if both are already so.
     */
    public void setLogAppendTime(long timestamp) {
        if (timestampType() == TimestampType.LOG_APPEND_TIME && maxTimestamp() == timestamp) {
            return;
        }
        buffer.putShort(position + ATTRIBUTES_OFFSET, (short) (attributes() | TIMESTAMP_TYPE_MASK));
        buffer.putLong(position + MAX_TIMESTAMP_OFFSET, timestamp);
        buffer.putInt(position + CRC_OFFSET, (int) computeCrc());
    }

    /**
     * The records of an uncompressed batch, decoded lazily, each a zero-copy view of this buffer.
     *
     * @throws UnsupportedOperationException if the batch is compressed (records are not decoded here)
     * @throws CorruptBatchException from the iterator if a record is malformed or the count does not match
     */
    public Iterator<Record> records() {
        if (compressionType() != CompressionType.NONE) {
            throw new UnsupportedOperationException("Records of a " + compressionType() + " batch are not decoded");
        }
        return new RecordDecoder(this);
    }

    @Override
    public String toString() {
        return "RecordBatch(baseOffset=" + baseOffset() + ", size=" + sizeInBytes() + ", magic=" + magic() + ")";
    }
}
