package io.skua.protocol.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class RecordBatchTest {

    private static SimpleRecord[] records(int n, long firstTimestamp) {
        SimpleRecord[] records = new SimpleRecord[n];
        for (int i = 0; i < n; i++) {
            Header[] headers = i % 2 == 0
                    ? new Header[0]
                    : new Header[] {new RecordHeader("h" + i, ("hv" + i).getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader("null", null)};
            byte[] key = i % 3 == 0 ? null : ("key-" + i).getBytes(StandardCharsets.UTF_8);
            byte[] value = i % 5 == 4 ? null : ("value-" + i).repeat(i + 1).getBytes(StandardCharsets.UTF_8);
            records[i] = new SimpleRecord(firstTimestamp + i * 7 - (i == 2 ? 100 : 0), key, value, headers);
        }
        return records;
    }

    /** A variety of batches kafka-clients writes: plain, compressed, idempotent, transactional, LogAppendTime. */
    private static List<ByteBuffer> kafkaBatches() {
        List<ByteBuffer> out = new ArrayList<>();
        out.add(MemoryRecords.withRecords(42L, Compression.NONE, 7, records(5, 1_000L)).buffer());
        out.add(MemoryRecords.withRecords(0L, Compression.gzip().build(), records(9, 2_000L)).buffer());
        out.add(MemoryRecords.withIdempotentRecords(100L, Compression.NONE, 1234L, (short) 3, 17, 5, records(4, 3_000L))
                .buffer());
        out.add(MemoryRecords.withTransactionalRecords(7L, Compression.NONE, 99L, (short) 1, Integer.MAX_VALUE - 1, 2,
                records(3, 4_000L)).buffer());
        out.add(MemoryRecords.withRecords(org.apache.kafka.common.record.internal.RecordBatch.MAGIC_VALUE_V2, 5L, Compression.NONE,
                org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, records(2, 5_000L)).buffer());
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), Compression.NONE,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0L);
        out.add(builder.build().buffer()); // an empty buffer: no batch at all
        return out;
    }

    private static DefaultRecordBatch kafkaView(ByteBuffer buffer) {
        Iterator<MutableRecordBatch> it = MemoryRecords.readableRecords(buffer.duplicate()).batches().iterator();
        DefaultRecordBatch batch = (DefaultRecordBatch) it.next();
        assertFalse(it.hasNext());
        return batch;
    }

    @Test
    void shouldReadEveryHeaderFieldAsKafkaDoes() {
        int checked = 0;
        for (ByteBuffer buffer : kafkaBatches()) {
            for (RecordBatch ours : RecordBatch.batches(buffer.duplicate())) {
                DefaultRecordBatch theirs = kafkaView(ours.slice());
                assertEquals(theirs.baseOffset(), ours.baseOffset());
                assertEquals(theirs.sizeInBytes(), ours.sizeInBytes());
                assertEquals(theirs.sizeInBytes() - RecordBatch.LOG_OVERHEAD, ours.batchLength());
                assertEquals(theirs.partitionLeaderEpoch(), ours.partitionLeaderEpoch());
                assertEquals(theirs.magic(), ours.magic());
                assertEquals(theirs.checksum(), ours.crc());
                assertEquals(theirs.compressionType().id, ours.compressionType().id());
                assertEquals(theirs.timestampType().name(), ours.timestampType().name());
                assertEquals(theirs.isTransactional(), ours.isTransactional());
                assertEquals(theirs.isControlBatch(), ours.isControl());
                assertEquals(theirs.deleteHorizonMs().isPresent(), ours.hasDeleteHorizon());
                assertEquals(theirs.lastOffset(), ours.lastOffset());
                assertEquals(theirs.nextOffset(), ours.nextOffset());
                assertEquals(theirs.baseTimestamp(), ours.baseTimestamp());
                assertEquals(theirs.maxTimestamp(), ours.maxTimestamp());
                assertEquals(theirs.producerId(), ours.producerId());
                assertEquals(theirs.hasProducerId(), ours.hasProducerId());
                assertEquals(theirs.producerEpoch(), ours.producerEpoch());
                assertEquals(theirs.baseSequence(), ours.baseSequence());
                assertEquals(theirs.lastSequence(), ours.lastSequence());
                assertEquals(theirs.countOrNull(), ours.recordCount());
                assertTrue(ours.isValid());
                assertEquals(theirs.checksum(), ours.computeCrc());
                checked++;
            }
        }
        assertEquals(5, checked);
    }

    @Test
    void shouldDecodeUncompressedRecordsAsKafkaDoes() {
        for (ByteBuffer buffer : kafkaBatches()) {
            for (RecordBatch ours : RecordBatch.batches(buffer.duplicate())) {
                if (ours.compressionType() != CompressionType.NONE) {
                    assertThrows(UnsupportedOperationException.class, ours::records);
                    continue;
                }
                Iterator<org.apache.kafka.common.record.internal.Record> theirs = kafkaView(ours.slice()).iterator();
                Iterator<Record> it = ours.records();
                while (theirs.hasNext()) {
                    org.apache.kafka.common.record.internal.Record expected = theirs.next();
                    Record actual = it.next();
                    assertEquals(expected.offset(), actual.offset());
                    assertEquals(expected.timestamp(), actual.timestamp());
                    assertEquals(expected.key(), actual.key());
                    assertEquals(expected.value(), actual.value());
                    assertEquals(expected.headers().length, actual.headers().size());
                    for (int i = 0; i < expected.headers().length; i++) {
                        assertEquals(expected.headers()[i].key(), actual.headers().get(i).key());
                        byte[] value = expected.headers()[i].value();
                        if (value == null) {
                            assertNull(actual.headers().get(i).value());
                        } else {
                            assertEquals(ByteBuffer.wrap(value), actual.headers().get(i).value());
                        }
                    }
                }
                assertFalse(it.hasNext());
            }
        }
    }

    @Test
    void shouldFailCrcForAnyFlippedByteFromAttributesOn() {
        ByteBuffer buffer = MemoryRecords.withRecords(0L, Compression.NONE, records(6, 1_000L)).buffer();
        Random random = new Random(1);
        for (int pos = RecordBatch.ATTRIBUTES_OFFSET; pos < buffer.limit(); pos++) {
            ByteBuffer copy = copy(buffer);
            copy.put(pos, (byte) (copy.get(pos) ^ (1 + random.nextInt(255))));
            RecordBatch batch = RecordBatch.at(copy, 0);
            assertFalse(batch.isValid(), "flip at " + pos);
            assertThrows(CorruptBatchException.class, batch::ensureValid);
        }
        ByteBuffer crcFlipped = copy(buffer);
        crcFlipped.put(RecordBatch.CRC_OFFSET, (byte) ~crcFlipped.get(RecordBatch.CRC_OFFSET));
        assertFalse(RecordBatch.at(crcFlipped, 0).isValid());
        ByteBuffer magicFlipped = copy(buffer);
        magicFlipped.put(RecordBatch.MAGIC_OFFSET, (byte) 1);
        assertFalse(RecordBatch.at(magicFlipped, 0).isValid());
    }

    @Test
    void shouldProduceBatchesKafkaAcceptsAfterRewrites() {
        for (ByteBuffer original : kafkaBatches()) {
            if (!original.hasRemaining()) {
                continue;
            }
            ByteBuffer buffer = copy(original);
            RecordBatch batch = RecordBatch.at(buffer, 0);
            boolean wasLogAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME;
            long maxTimestampBefore = batch.maxTimestamp();

            batch.setBaseOffset(1_000_000L);
            batch.setPartitionLeaderEpoch(12);
            assertTrue(batch.isValid());
            DefaultRecordBatch kafka = kafkaView(buffer);
            kafka.ensureValid();
            assertEquals(1_000_000L, kafka.baseOffset());
            assertEquals(12, kafka.partitionLeaderEpoch());
            assertEquals(maxTimestampBefore, kafka.maxTimestamp());
            assertEquals(wasLogAppendTime, kafka.timestampType()
                    == org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME);

            batch.setLogAppendTime(987_654_321L);
            kafka = kafkaView(buffer);
            kafka.ensureValid();
            assertEquals(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME, kafka.timestampType());
            assertEquals(987_654_321L, kafka.maxTimestamp());
            assertEquals(RecordBatch.at(original, 0).compressionType().id(), kafka.compressionType().id);
            assertEquals(RecordBatch.at(original, 0).isTransactional(), kafka.isTransactional());
            for (org.apache.kafka.common.record.internal.Record r : kafka) {
                assertEquals(987_654_321L, r.timestamp());
            }
            if (batch.compressionType() == CompressionType.NONE) {
                batch.records().forEachRemaining(r -> assertEquals(987_654_321L, r.timestamp()));
            }
        }
    }

    @Test
    void shouldStopIteratingAtTruncatedTail() {
        ByteBuffer one = MemoryRecords.withRecords(0L, Compression.NONE, records(3, 1_000L)).buffer();
        ByteBuffer two = MemoryRecords.withRecords(3L, Compression.NONE, records(4, 1_000L)).buffer();
        int full = one.remaining() + two.remaining();
        for (int cut = 0; cut <= full; cut++) {
            ByteBuffer buffer = ByteBuffer.allocate(full).put(one.duplicate()).put(two.duplicate()).flip();
            buffer.limit(cut);
            RecordBatch.BatchIterator it = RecordBatch.batches(buffer);
            List<Long> offsets = new ArrayList<>();
            it.forEachRemaining(b -> offsets.add(b.baseOffset()));
            List<Long> expected = cut == full ? List.of(0L, 3L) : cut >= one.remaining() ? List.of(0L) : List.of();
            assertEquals(expected, offsets, "cut at " + cut);
            assertEquals(cut == full ? full : cut >= one.remaining() ? one.remaining() : 0, it.validBytes());
        }
    }

    @Test
    void shouldRejectImpossibleLengths() {
        ByteBuffer buffer = copy(MemoryRecords.withRecords(0L, Compression.NONE, records(2, 1_000L)).buffer());
        buffer.putInt(RecordBatch.LENGTH_OFFSET, 13);
        assertThrows(CorruptBatchException.class, () -> RecordBatch.batches(buffer).hasNext());
        buffer.putInt(RecordBatch.LENGTH_OFFSET, RecordBatch.HEADER_SIZE - RecordBatch.LOG_OVERHEAD - 1);
        assertThrows(CorruptBatchException.class, () -> RecordBatch.sizeAt(buffer, 0));
    }

    @Test
    void shouldRejectMalformedRecords() {
        ByteBuffer buffer = copy(MemoryRecords.withRecords(0L, Compression.NONE, records(2, 1_000L)).buffer());
        buffer.putInt(RecordBatch.RECORD_COUNT_OFFSET, 3);
        Iterator<Record> tooMany = RecordBatch.at(buffer, 0).records();
        tooMany.next();
        tooMany.next();
        assertThrows(CorruptBatchException.class, tooMany::next);
        buffer.putInt(RecordBatch.RECORD_COUNT_OFFSET, 1);
        Iterator<Record> tooFew = RecordBatch.at(buffer, 0).records();
        tooFew.next();
        assertThrows(CorruptBatchException.class, tooFew::hasNext);
        buffer.putInt(RecordBatch.RECORD_COUNT_OFFSET, 2);
        buffer.put(RecordBatch.RECORDS_OFFSET, (byte) 0x7e); // first record's length: far more than is left
        assertThrows(CorruptBatchException.class, () -> RecordBatch.at(buffer, 0).records().next());
    }

    @Test
    void shouldWrapSequencesLikeKafka() {
        for (int base : new int[] {0, 5, Integer.MAX_VALUE - 3, Integer.MAX_VALUE}) {
            for (int inc : new int[] {0, 1, 3, 4, 10}) {
                assertEquals(DefaultRecordBatch.incrementSequence(base, inc), RecordBatch.incrementSequence(base, inc));
            }
        }
    }

    private static ByteBuffer copy(ByteBuffer b) {
        return ByteBuffer.allocate(b.remaining()).put(b.duplicate()).flip();
    }
}
