package io.skua.broker.metadata;

import io.skua.broker.partition.PartitionState;

import java.util.List;

/** The cluster as this broker knows it: identity, live brokers, and partition leadership. */
public interface ClusterView {
    String clusterId();

    int nodeId();

    int controllerId();

    /** Live brokers with their endpoints on {@code listenerName} (brokers without that listener are left out). */
    List<Node> liveBrokers(String listenerName);

    PartitionState partitionState(String topic, int partition);
}
