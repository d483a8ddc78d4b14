package io.skua.broker.metadata;

/**
 * Which partitions this broker holds a replica of, as the {@link TopicManager} asks when it opens a topic's logs and
 * publishes its partitions: every partition on a single node, where this broker is the only replica of each; clustered,
 * those the controller assigned to it ({@code cluster.ClusteredView#hostedReplicas}).
 */
public interface HostedReplicas {
    /** A single node: it hosts every partition, as their only replica. */
    HostedReplicas SINGLE_NODE = new HostedReplicas() {
        @Override
        public boolean hosts(String topic, int partition) {
            return true;
        }

        @Override
        public boolean soleReplica() {
            return true;
        }
    };

    /** True when this broker holds a replica of the partition. */
    boolean hosts(String topic, int partition);

    /** True when this broker is the only replica of every partition it hosts (its high watermark is its log end). */
    boolean soleReplica();
}
