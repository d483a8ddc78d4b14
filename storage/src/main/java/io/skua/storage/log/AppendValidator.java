package io.skua.storage.log;

import io.skua.protocol.record.CorruptBatchException;
import io.skua.protocol.record.RecordBatch;
import io.skua.storage.AppendOrigin;
import io.skua.storage.LogConfig;
import io.skua.storage.StorageException.Error;
import io.skua.storage.StorageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks {@link PartitionLog#append} makes of every batch before anything is written or any producer state
 * looked at: magic 2, size within {@code max.message.bytes}, a matching CRC and possible length fields, a record count
 * consistent with the last offset delta, no control batch from a client, and the whole append within
 * {@code segment.bytes}.
 *
 * <p>Thread-safety: stateless.
 */
final class AppendValidator {
    private AppendValidator() {
    }

    /**
     * The complete batches of {@code data} (position to limit), validated; {@code data}'s limit is moved to the end of
     * the last of them (a truncated trailing batch is ignored, as Kafka does).
     *
     * @return views into {@code data}'s buffer, in order; empty if there is no complete batch
     * @throws StorageException CORRUPT_MESSAGE, INVALID_RECORD, MESSAGE_TOO_LARGE or RECORD_LIST_TOO_LARGE
     */
    static List<RecordBatch> validBatches(ByteBuffer data, AppendOrigin origin, LogConfig cfg) {
        List<RecordBatch> list = new ArrayList<>();
        RecordBatch.BatchIterator it = RecordBatch.batches(data);
        try {
            while (it.hasNext()) {
                RecordBatch batch = it.next();
                validate(batch, origin, cfg);
                list.add(batch);
            }
        } catch (CorruptBatchException e) {
            throw new StorageException(Error.CORRUPT_MESSAGE, e.getMessage(), e);
        }
        if (list.isEmpty()) {
            return list;
        }
        int bytes = it.validBytes();
        data.limit(data.position() + bytes);
        if (bytes > cfg.segmentBytes()) {
            throw new StorageException(Error.RECORD_LIST_TOO_LARGE, "Append of " + bytes
                    + " bytes exceeds segment.bytes " + cfg.segmentBytes());
        }
        return list;
    }

    private static void validate(RecordBatch batch, AppendOrigin origin, LogConfig cfg) {
        if (batch.magic() != RecordBatch.MAGIC) {
            throw new StorageException(Error.INVALID_RECORD, "Record batch magic " + batch.magic()
                    + " is not supported; only v2");
        }
        if (batch.sizeInBytes() > cfg.maxMessageBytes()) {
            throw new StorageException(Error.MESSAGE_TOO_LARGE, "Record batch of " + batch.sizeInBytes()
                    + " bytes exceeds max.message.bytes " + cfg.maxMessageBytes());
        }
        batch.ensureValid();
        batch.compressionType(); // an unknown codec is corrupt
        if (origin == AppendOrigin.CLIENT && batch.isControl()) {
            throw new StorageException(Error.INVALID_RECORD, "Clients may not append control batches");
        }
        int count = batch.recordCount();
        int delta = batch.lastOffsetDelta();
        boolean consistent = origin != AppendOrigin.REPLICATION
                ? count > 0 && delta == count - 1
                : count >= 0 && delta >= 0 && count <= delta + 1L;
        if (!consistent) {
            throw new StorageException(Error.INVALID_RECORD, "Record count " + count
                    + " does not match last offset delta " + delta);
        }
    }
}
