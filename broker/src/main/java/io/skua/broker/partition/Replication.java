package io.skua.broker.partition;

import io.skua.storage.TopicMetadata;
import io.vertx.core.Future;

/**
 * What the produce and fetch paths need from replication: the leader's bookkeeping of its followers' fetches and the
 * high watermark over the ISR. A single node has no followers: {@link #singleNode} does nothing.
 */
public interface Replication {
    /** After a leader append: advances the high watermark over the ISR (no-op when this broker is the sole replica). */
    void leaderAppended(String topic, int partition);

    /**
     * A follower fetched from {@code fetchOffset} (its log end): records its progress, may advance the high watermark
     * and expand the ISR. Completes once the high watermark reflects it.
     *
     * @param replicaEpoch the follower's broker epoch from the fetch (Fetch v15+), or -1
     */
    Future<Void> followerFetched(String topic, int partition, int replicaId, long replicaEpoch, long fetchOffset);

    /** {@code min.insync.replicas} of the topic (topic config, else the broker default). */
    int minInsyncReplicas(TopicMetadata topic);

    /**
     * True when this broker's leadership of the partition was refused by the controller's epoch (after a freeze) although
     * its metadata snapshot still names it leader: produce requests get NOT_LEADER_OR_FOLLOWER at once.
     */
    default boolean deposed(String topic, int partition) {
        return false;
    }

    /** {@code min.insync.replicas} from the topic's configs, else {@code brokerDefault}. */
    static int minInsyncReplicas(TopicMetadata topic, int brokerDefault) {
        String v = topic.configs().get("min.insync.replicas");
        try {
            return v == null ? brokerDefault : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return brokerDefault;
        }
    }

    /**
     * The minimum ISR a partition enforces: {@code min.insync.replicas}, capped at the partition's replica count (Kafka
     * 3.7+). With the broker default 2, as Kafka's docs set it for a 3-broker cluster, acks=all to an RF-1 topic works.
     */
    static int effectiveMinIsr(int configured, int replicaCount) {
        return Math.max(1, Math.min(configured, replicaCount));
    }

    static Replication singleNode(int brokerMinInsyncReplicas) {
        return new Replication() {
        @Override
        public void leaderAppended(String topic, int partition) {
        }

        @Override
        public Future<Void> followerFetched(String topic, int partition, int replicaId, long replicaEpoch,
                                            long fetchOffset) {
            return Future.succeededFuture();
        }

        @Override
        public int minInsyncReplicas(TopicMetadata topic) {
            return Replication.minInsyncReplicas(topic, brokerMinInsyncReplicas);
        }
        };
    }
}
