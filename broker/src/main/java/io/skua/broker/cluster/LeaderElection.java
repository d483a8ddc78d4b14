package io.skua.broker.cluster;

import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who leads a partition, decided from plain inputs: its replicas (in preference order, the first is the preferred
 * leader), its current record (leader, ISR, epochs), the live brokers and whether unclean election is allowed. Pure:
 * no caches, no Vert.x, no clock; the controller reads the inputs and writes the result.
 */
final class LeaderElection {
    /** The topic config (and broker property) that lets an out-of-sync replica lead. */
    static final String UNCLEAN_CONFIG = "unclean.leader.election.enable";

    private LeaderElection() {
    }

    /**
     * The leadership a partition should have given the live brokers, or {@code current} itself (the same instance)
     * when nothing changes.
     *
     * <ul>
     *   <li>dead replicas leave the ISR (partition epoch + 1; the leader and leader epoch stay when the leader lives);
     *   <li>a dead (or missing, -1) leader is replaced by the first live ISR member in replica order, leader epoch + 1;
     *   <li>with no live ISR member and {@code unclean}, the first live replica leads with ISR = itself;
     *   <li>otherwise the partition goes leaderless (-1, leader epoch + 1) and keeps its last ISR, so that a returning
     *       member of it can lead again without losing acknowledged records; an already leaderless one is unchanged.
     * </ul>
     * Every new record carries {@code controllerEpoch} and the partition epoch + 1.
     */
    static PartitionRecord elect(PartitionRecord current, List<Integer> replicas, Set<Integer> live, boolean unclean,
                                 int controllerEpoch) {
        List<Integer> liveIsr = current.isr().stream().filter(live::contains).toList();
        if (current.leader() >= 0 && live.contains(current.leader())) {
            if (liveIsr.equals(current.isr())) {
                return current;
            }
            return new PartitionRecord(current.leader(), current.leaderEpoch(), liveIsr,
                    current.partitionEpoch() + 1, controllerEpoch);
        }
        for (int candidate : replicas) {
            if (liveIsr.contains(candidate)) {
                return new PartitionRecord(candidate, current.leaderEpoch() + 1, liveIsr,
                        current.partitionEpoch() + 1, controllerEpoch);
            }
        }
        if (unclean) {
            for (int candidate : replicas) {
                if (live.contains(candidate)) {
                    return new PartitionRecord(candidate, current.leaderEpoch() + 1, List.of(candidate),
                            current.partitionEpoch() + 1, controllerEpoch);
                }
            }
        }
        if (current.leader() < 0) {
            return current;
        }
        return new PartitionRecord(-1, current.leaderEpoch() + 1, current.isr(), current.partitionEpoch() + 1,
                controllerEpoch);
    }

    /**
     * The first record of a new partition: ISR = its live replicas (in replica order), leader = the first of them,
     * leader and partition epoch 0. Callers make sure at least one replica is live.
     */
    static PartitionRecord initial(List<Integer> replicas, Set<Integer> live, int controllerEpoch) {
        List<Integer> isr = replicas.stream().filter(live::contains).toList();
        if (isr.isEmpty()) {
            throw new IllegalArgumentException("no live replica in " + replicas);
        }
        return new PartitionRecord(isr.get(0), 0, isr, 0, controllerEpoch);
    }

    /** Whether a topic allows unclean election: its own config, else the broker's default. */
    static boolean unclean(Map<String, String> topicConfigs, boolean brokerDefault) {
        return Boolean.parseBoolean(topicConfigs.getOrDefault(UNCLEAN_CONFIG, String.valueOf(brokerDefault)));
    }
}
