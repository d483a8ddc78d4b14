package io.skua.storage.cleaner;

import io.skua.protocol.record.CompressionType;
import io.skua.protocol.record.RecordBatch;
import io.skua.protocol.record.TimestampType;
import io.skua.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Decodes the records of a batch for the cleaner: inflates the payload with {@link BatchCodecs}, capped at
 * {@code maxDecompressedBytes} against zip bombs, and visits each record as a {@link ParsedRecord}. A payload that
 * does not inflate, exceeds the cap or does not hold exactly the batch's records fails with {@code CORRUPT_MESSAGE}.
 *
 * <p>Thread-safety: stateless beyond its configuration; safe on any thread.
 */
final class RecordDecoder {
    private final int maxDecompressedBytes;

    RecordDecoder(int maxDecompressedBytes) {
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    interface RecordVisitor {
        void visit(ParsedRecord record) throws IOException;
    }

    /** Inflates {@code batch} (capped) and visits its records in order; the payload must hold exactly them. */
    void forEachRecord(RecordBatch batch, RecordVisitor visitor) throws IOException {
        if (batch.recordCount() == 0) {
            return; // an empty batch (compaction leaves them) has no payload to inflate, whatever its codec
        }
        ByteBuffer buf = batch.buffer();
        int payloadStart = batch.position() + RecordBatch.HEADER_SIZE;
        int payloadLength = batch.sizeInBytes() - RecordBatch.HEADER_SIZE;
        byte[] src;
        int srcOffset;
        if (buf.hasArray()) {
            src = buf.array();
            srcOffset = buf.arrayOffset() + payloadStart;
        } else {
            src = new byte[payloadLength];
            buf.get(payloadStart, src);
            srcOffset = 0;
        }
        CompressionType codec;
        BatchCodecs.Inflated payload;
        try {
            codec = batch.compressionType();
            payload = BatchCodecs.decompress(codec, src, srcOffset, payloadLength, maxDecompressedBytes);
        } catch (IOException | RuntimeException e) {
            throw new StorageException(StorageException.Error.CORRUPT_MESSAGE, "Cannot inflate batch at offset "
                    + batch.baseOffset() + ": " + e.getMessage(), e);
        }
        byte[] data = payload.bytes();
        ByteBuffer in = ByteBuffer.wrap(data, 0, payload.length());
        int count = batch.recordCount();
        boolean logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME;
        ParsedRecord r = new ParsedRecord();
        try {
            for (int i = 0; i < count; i++) {
                r.bytes = data;
                r.start = in.position();
                int bodyLength = (int) ParsedRecord.readVarlong(in, 5);
                if (bodyLength < 1 || bodyLength > in.remaining()) {
                    throw new IllegalStateException("record length " + bodyLength);
                }
                int end = in.position() + bodyLength;
                r.length = end - r.start;
                r.attributesAt = in.position();
                in.get();
                long timestampDelta = ParsedRecord.readVarlong(in, 10);
                r.afterTimestamp = in.position();
                long offsetDelta = ParsedRecord.readVarlong(in, 5);
                int keyLength = (int) ParsedRecord.readVarlong(in, 5);
                if (keyLength > end - in.position()) {
                    throw new IllegalStateException("key length " + keyLength);
                }
                r.key = keyLength < 0 ? null : ByteBuffer.wrap(data, in.position(), keyLength).slice();
                in.position(in.position() + Math.max(0, keyLength));
                int valueLength = (int) ParsedRecord.readVarlong(in, 5);
                if (valueLength > end - in.position()) {
                    throw new IllegalStateException("value length " + valueLength);
                }
                r.tombstone = valueLength < 0;
                r.offset = batch.baseOffset() + offsetDelta;
                r.timestamp = logAppendTime ? batch.maxTimestamp() : batch.baseTimestamp() + timestampDelta;
                in.position(end);
                visitor.visit(r);
                r = new ParsedRecord();
            }
        } catch (RuntimeException e) {
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException(StorageException.Error.CORRUPT_MESSAGE, "Malformed record in batch at offset "
                    + batch.baseOffset() + ": " + e, e);
        }
        if (in.hasRemaining()) {
            throw new StorageException(StorageException.Error.CORRUPT_MESSAGE, in.remaining()
                    + " bytes after the records of the batch at offset " + batch.baseOffset());
        }
    }
}
