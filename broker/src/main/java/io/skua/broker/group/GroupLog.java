package io.skua.broker.group;

import io.vertx.core.Future;

import java.util.List;
import java.util.function.Consumer;

/**
 * The coordinator's persistence seam: one partition of the compacted internal topic {@code __consumer_offsets}.
 * The broker backs it with the storage module's partition log; the coordinator never touches files.
 *
 * <p>Contract: appends to one partition are applied in call order; an append's future succeeds only once the
 * records are durable by the broker's policy (so a commit is acknowledged only after that). A failed append means
 * nothing of it may be replayed later. {@link #replay} delivers the partition's records in log order, on any
 * thread, one call at a time, and completes after the last one.
 */
public interface GroupLog {

    /** One record: key and value in the layouts of {@code GroupRecords}; a null value is a tombstone. */
    record Record(byte[] key, byte[] value) {
        public boolean isTombstone() {
            return value == null;
        }
    }

    Future<Void> append(int partition, List<Record> records);

    Future<Void> replay(int partition, Consumer<Record> sink);
}
