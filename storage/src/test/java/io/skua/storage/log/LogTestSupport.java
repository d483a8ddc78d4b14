package io.skua.storage.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.skua.storage.Batches;
import io.skua.storage.StorageException.Error;
import io.skua.storage.StorageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.function.Executable;

/** Helpers the tests of several storage packages share. */
public final class LogTestSupport {
    private LogTestSupport() {
    }

    /** Every batch from the log start to the log end, fetched segment by segment. */
    public static ByteBuffer readAllOf(PartitionLog log) {
        List<ByteBuffer> parts = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            ByteBuffer part = log.read(next, Integer.MAX_VALUE, Long.MAX_VALUE).readAll();
            parts.add(part);
            List<MutableRecordBatch> batches = Batches.parse(part);
            next = batches.get(batches.size() - 1).nextOffset();
        }
        return Batches.concat(parts.toArray(ByteBuffer[]::new));
    }

    public static void assertError(Error error, Executable action) {
        StorageException e = assertThrows(StorageException.class, action);
        assertEquals(error, e.error(), e.getMessage());
    }
}
