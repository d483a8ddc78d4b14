package io.skua.broker.cluster;

import io.skua.broker.cluster.ClusterRecords.ControllerRecord;
import io.skua.broker.cluster.ClusterRecords.PartitionRecord;
import io.skua.broker.cluster.ClusterRecords.TopicRecord;
import java.util.Set;

/** What changed in the cluster metadata, as {@link ClusterMetadata#onChange} subscribers hear it. */
public sealed interface MetadataChange {
    /** A new view of the cluster ({@code merged}: after a split healed, once the snapshot is reloaded too). */
    record Membership(Set<String> members, boolean merged) implements MetadataChange {
    }

    record Broker(int nodeId) implements MetadataChange {
    }

    record Topic(TopicRecord topic) implements MetadataChange {
    }

    /** The topic was deleted (its partition records went first). */
    record TopicRemoved(String name, String id) implements MetadataChange {
    }

    record Partition(String topic, int partition, PartitionRecord state) implements MetadataChange {
    }

    record Controller(ControllerRecord controller) implements MetadataChange {
    }
}
