package io.skua.broker.metadata;

import io.skua.broker.partition.PartitionState;

import io.skua.broker.config.Endpoint;
import java.util.List;
import java.util.function.Supplier;

/** A cluster of one: this broker leads every partition with epoch 0 and is the whole ISR. */
public final class LocalCluster implements ClusterView {
    private final Supplier<String> clusterId;
    private final int nodeId;
    private final PartitionState leaderState;
    private volatile List<Endpoint> advertised = List.of();

    public LocalCluster(Supplier<String> clusterId, int nodeId) {
        this.clusterId = clusterId;
        this.nodeId = nodeId;
        this.leaderState = new PartitionState(nodeId, 0, List.of(nodeId), List.of(nodeId), List.of());
    }

    /** Set once the listeners are bound (port 0 resolved). */
    public void advertise(List<Endpoint> endpoints) {
        this.advertised = List.copyOf(endpoints);
    }

    @Override
    public String clusterId() {
        return clusterId.get();
    }

    @Override
    public int nodeId() {
        return nodeId;
    }

    @Override
    public int controllerId() {
        return nodeId;
    }

    @Override
    public List<Node> liveBrokers(String listenerName) {
        return advertised.stream()
                .filter(e -> e.listenerName().equals(listenerName))
                .map(e -> new Node(nodeId, e.host(), e.port(), null))
                .toList();
    }

    @Override
    public PartitionState partitionState(String topic, int partition) {
        return leaderState;
    }
}
