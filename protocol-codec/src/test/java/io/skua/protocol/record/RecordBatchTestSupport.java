package io.skua.protocol.record;

final class RecordBatchTestSupport {
    static final byte MAGIC = org.apache.kafka.common.record.internal.RecordBatch.MAGIC_VALUE_V2;

    private RecordBatchTestSupport() {
    }
}
