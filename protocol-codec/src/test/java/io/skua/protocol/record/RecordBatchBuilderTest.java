package io.skua.protocol.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skua.protocol.record.RecordBatchBuilder.KeyValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;

class RecordBatchBuilderTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<KeyValue> sample(int n) {
        List<KeyValue> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] key = i % 4 == 3 ? null : bytes("key-" + i);
            byte[] value = i % 3 == 2 ? null : bytes("v".repeat(i * 40)); // up to multi-byte varint lengths
            out.add(new KeyValue(key, value));
        }
        return out;
    }

    @Test
    void shouldWriteABatchKafkaReadsRecordForRecord() {
        // Given records with null keys, tombstones and lengths that need two-byte varints
        List<KeyValue> records = sample(200);
        // When built
        ByteBuffer buffer = RecordBatchBuilder.build(records, 1_700_000_000_123L);
        // Then Kafka's own reader accepts it and sees the same records
        Iterator<MutableRecordBatch> batches = MemoryRecords.readableRecords(buffer.duplicate()).batches().iterator();
        DefaultRecordBatch theirs = (DefaultRecordBatch) batches.next();
        assertFalse(batches.hasNext());
        theirs.ensureValid();
        assertEquals(buffer.remaining(), theirs.sizeInBytes());
        assertEquals(-1L, theirs.producerId());
        assertEquals(199, theirs.lastOffset());
        assertEquals(1_700_000_000_123L, theirs.maxTimestamp());
        int i = 0;
        for (org.apache.kafka.common.record.internal.Record r : theirs) {
            KeyValue expected = records.get(i);
            assertEquals(i, r.offset());
            assertEquals(1_700_000_000_123L, r.timestamp());
            assertEquals(expected.key() == null ? null : ByteBuffer.wrap(expected.key()), r.key());
            assertEquals(expected.value() == null ? null : ByteBuffer.wrap(expected.value()), r.value());
            assertEquals(0, r.headers().length);
            i++;
        }
        assertEquals(200, i);
    }

    @Test
    void shouldRoundTripThroughOurOwnView() {
        List<KeyValue> records = sample(3);
        RecordBatch batch = RecordBatch.at(RecordBatchBuilder.build(records, 5L), 0);
        assertTrue(batch.isValid());
        assertEquals(CompressionType.NONE, batch.compressionType());
        Iterator<Record> it = batch.records();
        for (KeyValue expected : records) {
            Record r = it.next();
            if (expected.key() == null) {
                assertNull(r.key());
            } else {
                byte[] key = new byte[r.key().remaining()];
                r.key().get(key);
                assertArrayEquals(expected.key(), key);
            }
            assertEquals(expected.value() == null, r.value() == null);
        }
        assertFalse(it.hasNext());
    }

    @Test
    void shouldRefuseAnEmptyBatch() {
        assertThrows(IllegalArgumentException.class, () -> RecordBatchBuilder.build(List.of(), 0L));
    }
}
