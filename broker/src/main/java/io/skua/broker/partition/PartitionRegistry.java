package io.skua.broker.partition;

import io.skua.storage.log.PartitionLog;
import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/**
 * The partitions this broker hosts, by topic name and index: each a {@link Partition} over its open log, pinned to its
 * I/O thread, sharing the {@link DelayedOperations}. The topic registry ({@code metadata.TopicManager}, driven by the topic
 * services) decides which topics exist and opens their logs; this registry makes their partitions servable ({@link #open}) and unservable
 * ({@link #remove}), and runs the periodic retention pass over them.
 *
 * <p>Thread-safety: lookups from any thread; {@link #open} and {@link #remove} from the topic registry's admin lock.
 */
public final class PartitionRegistry implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PartitionRegistry.class.getName());

    private final IoThreads io;
    private final Map<String, List<Partition>> partitions = new ConcurrentHashMap<>();
    private volatile BiConsumer<TopicMetadata, Partition> onOpen = (topic, partition) -> { };

    public PartitionRegistry(IoThreads io) {
        this.io = io;
    }

    /** The partition, or null when the topic or partition is not served here. */
    public Partition partition(String topic, int index) {
        List<Partition> list = partitions.get(topic);
        return list == null || index < 0 || index >= list.size() ? null : list.get(index);
    }

    /**
     * Sets what runs for every partition {@link #open} makes, before it is served (clustered: the replica manager gives
     * it the role the metadata names, so a produce never finds the leader's partition without its leadership).
     */
    public void onOpen(BiConsumer<TopicMetadata, Partition> hook) {
        this.onOpen = hook;
    }

    /** Where requests wait for partition progress. */
    public DelayedOperations delayed() {
        return io.delayed();
    }

    /**
     * Serves the partitions of {@code topic} that {@code hosted} accepts and {@code logs} has a log for, keeping those
     * already served (a topic that grew keeps its old partitions). {@code soleReplica}: a single node is its own ISR and
     * leads every partition ({@link Leadership#sole}), so everything its log holds after recovery is committed; clustered, the leader advances the high watermark over the
     * ISR and until this broker knows its role the recovered (checkpointed) one stands.
     */
    public void open(TopicMetadata topic, BiPredicate<String, Integer> hosted,
                     BiFunction<String, Integer, Optional<PartitionLog>> logs, boolean soleReplica) {
        Partition[] list = new Partition[topic.partitionCount()];
        List<Partition> existing = partitions.getOrDefault(topic.name(), List.of());
        for (int p = 0; p < topic.partitionCount(); p++) {
            if (p < existing.size() && existing.get(p) != null) {
                list[p] = existing.get(p);
                continue;
            }
            if (!hosted.test(topic.name(), p)) {
                continue;
            }
            Optional<PartitionLog> found = logs.apply(topic.name(), p);
            if (found.isEmpty()) {
                continue;
            }
            PartitionLog log = found.get();
            Partition partition = new Partition(topic.name(), p, log, io.forPartition(topic.name(), p), io.flusher(),
                    io.delayed());
            if (soleReplica) {
                log.updateHighWatermark(log.logEndOffset());
                partition.lead(Leadership.sole(partition));
            } else {
                onOpen.accept(topic, partition);
            }
            list[p] = partition;
        }
        partitions.put(topic.name(), Collections.unmodifiableList(Arrays.asList(list)));
    }

    /**
     * Stops serving the topic's partitions: requests parked on them re-check (and find no partition), and the future
     * completes once each writer has finished what it had queued, so the logs can be deleted.
     */
    public Future<Void> remove(String topic) {
        List<Partition> gone = partitions.remove(topic);
        List<Future<Void>> drained = new ArrayList<>();
        for (Partition p : gone == null ? List.<Partition>of() : gone) {
            if (p != null) {
                p.wakeWaiters();
                drained.add(p.barrier());
            }
        }
        return Future.join(drained).mapEmpty();
    }

    /** Every partition served here. */
    public List<Partition> all() {
        List<Partition> out = new ArrayList<>();
        for (List<Partition> list : partitions.values()) {
            for (Partition p : list) {
                if (p != null) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** One retention pass: each partition deletes its expired segments on its own writer. */
    public void applyRetention(long nowMs) {
        for (Partition p : all()) {
            p.applyRetention(nowMs).onFailure(t -> LOG.log(Level.WARNING,
                    "retention failed topic={0} partition={1}: {2}", p.topic(), p.index(), t.toString()));
        }
    }

    /** Stops the I/O threads (after they finish what is queued) and the delayed-operation timer. */
    @Override
    public void close() {
        io.close();
    }
}
