package io.skua.protocol.record;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Decodes the records of an uncompressed v2 batch:
 * <pre>
 * length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
 * | keyLength varint | key | valueLength varint | value
 * | headerCount varint | (headerKeyLength varint | headerKey utf8 | headerValueLength varint | headerValue)*
 * </pre>
 * Varints are zig-zag encoded; a length of -1 means null. Every length is checked against the bytes left in
 * the record before it is used.
 */
final class RecordDecoder implements Iterator<Record> {
    private final ByteBuffer in;
    private final long baseOffset;
    private final long baseTimestamp;
    private final Long logAppendTime;
    private final int count;
    private int decoded;

    RecordDecoder(RecordBatch batch) {
        int start = batch.position() + RecordBatch.RECORDS_OFFSET;
        int end = batch.position() + batch.sizeInBytes();
        if (end > batch.buffer().limit() || start > end) {
            throw new CorruptBatchException("Record batch extends past its buffer");
        }
        this.in = batch.buffer().slice(start, end - start).asReadOnlyBuffer();
        this.baseOffset = batch.baseOffset();
        this.baseTimestamp = batch.baseTimestamp();
        this.logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp() : null;
        this.count = batch.recordCount();
        if (count < 0) {
            throw new CorruptBatchException("Negative record count " + count);
        }
    }

    @Override
    public boolean hasNext() {
        if (decoded < count) {
            return true;
        }
        if (in.hasRemaining()) {
            throw new CorruptBatchException(in.remaining() + " bytes after the last of " + count + " records");
        }
        return false;
    }

    @Override
    public Record next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        decoded++;
        int length;
        try {
            length = readVarint();
        } catch (java.nio.BufferUnderflowException e) {
            throw new CorruptBatchException("Record batch ends inside a record length");
        }
        if (length < 0 || length > in.remaining()) {
            throw new CorruptBatchException("Record length " + length + " exceeds the " + in.remaining() + " bytes left");
        }
        int end = in.position() + length;
        ByteBuffer saved = in.duplicate();
        in.limit(end);
        try {
            in.get(); // attributes: unused in v2
            long timestampDelta = readVarlong();
            int offsetDelta = readVarint();
            ByteBuffer key = readNullableBytes();
            ByteBuffer value = readNullableBytes();
            int headerCount = readVarint();
            if (headerCount < 0 || headerCount > in.remaining()) {
                throw new CorruptBatchException("Header count " + headerCount + " exceeds the bytes left");
            }
            List<Record.Header> headers = headerCount == 0 ? List.of() : new ArrayList<>(headerCount);
            for (int i = 0; i < headerCount; i++) {
                ByteBuffer headerKey = readNullableBytes();
                if (headerKey == null) {
                    throw new CorruptBatchException("Null header key");
                }
                headers.add(new Record.Header(StandardCharsets.UTF_8.decode(headerKey).toString(), readNullableBytes()));
            }
            if (in.hasRemaining()) {
                throw new CorruptBatchException("Record has " + in.remaining() + " bytes after its headers");
            }
            long timestamp = logAppendTime != null ? logAppendTime : baseTimestamp + timestampDelta;
            return new Record(baseOffset + offsetDelta, timestamp, key, value, headers);
        } catch (java.nio.BufferUnderflowException e) {
            throw new CorruptBatchException("Record ends before its fields");
        } finally {
            in.limit(saved.limit());
            in.position(end);
        }
    }

    private ByteBuffer readNullableBytes() {
        int length = readVarint();
        if (length < 0) {
            return null;
        }
        if (length > in.remaining()) {
            throw new CorruptBatchException("Field length " + length + " exceeds the " + in.remaining() + " bytes left");
        }
        ByteBuffer slice = in.slice(in.position(), length);
        in.position(in.position() + length);
        return slice;
    }

    private int readVarint() {
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = in.get();
            raw |= (b & 0x7f) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new CorruptBatchException("Varint longer than 5 bytes");
    }

    private long readVarlong() {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            byte b = in.get();
            raw |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new CorruptBatchException("Varlong longer than 10 bytes");
    }
}
