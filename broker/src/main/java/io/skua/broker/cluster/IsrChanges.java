package io.skua.broker.cluster;

import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import io.skua.broker.cluster.MetadataStore.PartitionReplace;
import io.skua.broker.cluster.MetadataStore.Versioned;
import io.skua.broker.cluster.MetadataStore.WriteResult;
import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

/**
 * ISR changes that partition leaders ask the controller for (AlterPartition). Each change is accepted only from the
 * current leader, with the current leader epoch and partition epoch, and an ISR of live replicas that includes the
 * leader ({@link #check}, pure); each is answered on its own. The accepted ones are written in one pass: all
 * conditional replaces are sent together and awaited together, instead of one network round trip after the other.
 *
 * <p>Broker epochs (KIP-380, KIP-903): a request whose {@code brokerEpoch} is not the leader's registered one fails as
 * a whole with STALE_BROKER_EPOCH (a leader from before its restart); an ISR member named with an epoch other than its
 * registered one makes that partition's change INELIGIBLE_REPLICA (it restarted since it fetched). -1 is not checked.
 *
 * <p>Threading: {@link #alter} blocks (cache reads and writes); the controller runs it on its own thread.
 */
public final class IsrChanges {
    private static final System.Logger LOG = System.getLogger(IsrChanges.class.getName());

    /**
     * One partition of an AlterPartition request.
     *
     * @param brokerEpochs per member of {@code newIsr}, the broker epoch the leader saw it fetch with (-1: unchecked)
     */
    public record IsrChange(String topic, int partition, int leaderEpoch, int partitionEpoch, List<Integer> newIsr,
                            List<Long> brokerEpochs) {
    }

    /** The answer for one partition of an AlterPartition request: its new state, or an error (state null). */
    public record IsrResult(PartitionRecord state, short error) {
        static IsrResult failed(short error) {
            return new IsrResult(null, error);
        }
    }

    private final MetadataStore store;
    private final ClusterMetadata metadata;

    IsrChanges(MetadataStore store, ClusterMetadata metadata) {
        this.store = store;
        this.metadata = metadata;
    }

    /**
     * Checks and writes the changes a leader asked for.
     *
     * @return one result per change, in order: the new state, or INVALID_UPDATE_VERSION when the record changed before
     *         the write, NOT_CONTROLLER when the write failed (DEGRADED cache, a stopping member, a timeout: the leader
     *         retries with what it then sees), or the error {@link #check} found
     * @throws ApiException STALE_BROKER_EPOCH for the whole request
     */
    List<IsrResult> alter(int controllerEpoch, int brokerId, long brokerEpoch, List<IsrChange> changes) {
        if (brokerEpoch >= 0 && brokerEpoch != metadata.brokerEpoch(brokerId)) {
            throw new ApiException(Errors.STALE_BROKER_EPOCH, "Broker " + brokerId + " epoch " + brokerEpoch
                    + " is not the registered " + metadata.brokerEpoch(brokerId));
        }
        IsrResult[] results = new IsrResult[changes.size()];
        List<Integer> writing = new ArrayList<>();
        List<PartitionReplace> writes = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            IsrChange c = changes.get(i);
            Versioned<PartitionRecord> old = store.partition(c.topic(), c.partition());
            try {
                PartitionRecord next = check(brokerId, c, metadata.topic(c.topic()), old == null ? null : old.value(),
                        metadata::isLive, metadata::brokerEpoch, controllerEpoch);
                writing.add(i);
                writes.add(new PartitionReplace(c.topic(), c.partition(), old, next));
            } catch (ApiException e) {
                results[i] = IsrResult.failed(e.errorCode());
            }
        }
        List<WriteResult> written = store.replacePartitions(writes);
        List<String> changed = new ArrayList<>();
        for (int w = 0; w < writes.size(); w++) {
            int i = writing.get(w);
            WriteResult r = written.get(w);
            if (r.failed()) {
                LOG.log(Level.DEBUG, () -> "isr write failed " + changes.get(i) + ": " + r.failure());
                results[i] = IsrResult.failed(Errors.NOT_CONTROLLER);
            } else if (!r.written()) {
                results[i] = IsrResult.failed(Errors.INVALID_UPDATE_VERSION);
            } else {
                PartitionRecord next = writes.get(w).next();
                results[i] = new IsrResult(next, Errors.NONE);
                changed.add(changes.get(i).topic() + "-" + changes.get(i).partition() + "=" + next.isr());
            }
        }
        if (!changed.isEmpty()) {
            LOG.log(Level.INFO, "isr changed leader={0} partitions={1} {2}", brokerId, changed.size(), changed);
        }
        return List.of(results);
    }

    /**
     * The partition's next record if {@code brokerId} may make change {@code c}, else the ApiException to answer.
     * Pure: the topic and the current record as read, who is live and which broker epochs are registered.
     *
     * @param topic the topic's record, or null when unknown
     * @param old   the partition's current record, or null when unknown
     */
    static PartitionRecord check(int brokerId, IsrChange c, TopicRecord topic, PartitionRecord old, IntPredicate live,
                                 IntToLongFunction registeredEpoch, int controllerEpoch) {
        String key = ClusterRecords.partitionKey(c.topic(), c.partition());
        if (topic == null || old == null || c.partition() < 0 || c.partition() >= topic.partitionCount()) {
            throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Unknown partition " + key);
        }
        if (old.leader() != brokerId) {
            throw new ApiException(Errors.NOT_LEADER_OR_FOLLOWER, "Broker " + brokerId + " does not lead " + key);
        }
        if (c.leaderEpoch() != old.leaderEpoch()) {
            throw new ApiException(Errors.FENCED_LEADER_EPOCH, "Leader epoch " + c.leaderEpoch() + " of " + key
                    + " is not the current " + old.leaderEpoch());
        }
        if (c.partitionEpoch() != old.partitionEpoch()) {
            throw new ApiException(Errors.INVALID_UPDATE_VERSION, "Partition epoch " + c.partitionEpoch() + " of "
                    + key + " is not the current " + old.partitionEpoch());
        }
        List<Integer> replicas = topic.replicas().get(c.partition());
        if (!c.newIsr().contains(brokerId)) {
            throw new ApiException(Errors.INVALID_REQUEST, "The ISR of " + key + " must include its leader");
        }
        for (int i = 0; i < c.newIsr().size(); i++) {
            int id = c.newIsr().get(i);
            if (!replicas.contains(id) || !live.test(id)) {
                throw new ApiException(Errors.INELIGIBLE_REPLICA, "Broker " + id + " is not a live replica of " + key);
            }
            long epoch = i < c.brokerEpochs().size() ? c.brokerEpochs().get(i) : -1;
            if (epoch >= 0 && epoch != registeredEpoch.applyAsLong(id)) {
                throw new ApiException(Errors.INELIGIBLE_REPLICA, "Broker " + id + " epoch " + epoch + " is stale ("
                        + registeredEpoch.applyAsLong(id) + " registered), it cannot join the ISR of " + key);
            }
        }
        return new PartitionRecord(old.leader(), old.leaderEpoch(), List.copyOf(new LinkedHashSet<>(c.newIsr())),
                old.partitionEpoch() + 1, controllerEpoch);
    }
}
