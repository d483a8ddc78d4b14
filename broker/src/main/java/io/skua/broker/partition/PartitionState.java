package io.skua.broker.partition;

import java.util.List;

/** Who leads a partition, with which epoch, and which replicas are in sync. */
public record PartitionState(int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr,
                             List<Integer> offline) {
}
