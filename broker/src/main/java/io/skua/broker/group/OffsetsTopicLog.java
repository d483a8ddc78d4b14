package io.skua.broker.group;

import io.skua.broker.partition.Partition;

import io.skua.broker.group.GroupLog;
import io.skua.broker.metadata.TopicManager;
import io.skua.protocol.record.Record;
import io.skua.protocol.record.RecordBatch;
import io.skua.protocol.record.RecordBatchBuilder;
import io.skua.protocol.record.RecordBatchBuilder.KeyValue;
import io.vertx.core.Future;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The group coordinator's {@link GroupLog} over the partitions of {@code __consumer_offsets}.
 *
 * <p>{@link #append} writes one uncompressed v2 batch (no producer id) per call through the partition's single
 * writer, so appends to one partition land in call order and are acknowledged once the log holds them (and has
 * synced them if {@code flush.messages} asks for it). {@link #replay} reads the partition from its log start to
 * the high watermark seen when the replay starts, in batches copied on the partition's I/O thread, and hands
 * every keyed record to the sink on the caller's context. Compressed batches are refused: the broker never
 * writes them, and a log that holds them fails the load loudly.
 */
public final class OffsetsTopicLog implements GroupLog {
    public static final String TOPIC = "__consumer_offsets";
    /** Bytes read per step of a replay (a larger batch is still read whole). */
    static final int READ_BYTES = 1 << 20;

    private final TopicManager topics;
    private final LongSupplier clock;
    /** How long a clustered append waits for the ISR (then fails, and the request answers an error). */
    static final long COMMIT_TIMEOUT_MS = 5_000;

    public OffsetsTopicLog(TopicManager topics, LongSupplier clock) {
        this.topics = topics;
        this.clock = clock;
    }

    @Override
    public Future<Void> append(int partition, List<Record> records) {
        if (records.isEmpty()) {
            return Future.succeededFuture();
        }
        Partition p = topics.partition(TOPIC, partition);
        if (p == null) {
            return Future.failedFuture(new IllegalStateException(TOPIC + "-" + partition + " does not exist"));
        }
        List<KeyValue> kvs = new ArrayList<>(records.size());
        for (Record r : records) {
            kvs.add(new KeyValue(r.key(), r.value()));
        }
        ByteBuffer batch = RecordBatchBuilder.build(kvs, clock.getAsLong());
        // acknowledged once every ISR member has it, as acks=all (at once when this broker is the only one)
        return p.appendAsLeader(batch, (short) -1, COMMIT_TIMEOUT_MS).mapEmpty();
    }

    @Override
    public Future<Void> replay(int partition, Consumer<Record> sink) {
        Partition p = topics.partition(TOPIC, partition);
        if (p == null) {
            return Future.failedFuture(new IllegalStateException(TOPIC + "-" + partition + " does not exist"));
        }
        return readFrom(p, p.logStartOffset(), p.highWatermark(), sink);
    }

    private Future<Void> readFrom(Partition p, long offset, long end, Consumer<Record> sink) {
        if (offset >= end) {
            return Future.succeededFuture();
        }
        return p.readCopy(offset, READ_BYTES).compose(buffer -> {
            long next = offset;
            for (RecordBatch batch : RecordBatch.batches(buffer)) {
                if (!batch.isControl()) {
                    Iterator<io.skua.protocol.record.Record> it = batch.records();
                    while (it.hasNext()) {
                        io.skua.protocol.record.Record r = it.next();
                        if (r.offset() >= offset && r.key() != null) {
                            sink.accept(new Record(bytes(r.key()), r.value() == null ? null : bytes(r.value())));
                        }
                    }
                }
                next = batch.nextOffset();
            }
            if (next <= offset) {
                // nothing below the high watermark from here (e.g. the log start moved): stop rather than spin
                return next == offset && buffer.remaining() == 0 ? Future.succeededFuture()
                        : Future.failedFuture(new IllegalStateException("replay of " + p.topic() + "-" + p.index()
                        + " made no progress at offset " + offset));
            }
            return readFrom(p, next, end, sink);
        });
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
